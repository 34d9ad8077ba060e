"""robots.txt: parsed for our user agent, fetched first and once per host, and obeyed."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from crawler.errors import RobotsDisallowed, RobotsUnavailable
from crawler.fetch import USER_AGENT, Fetcher, FetchPolicy
from crawler.robots import parse_robots, robots_url
from tests.conftest import Site

FAST = FetchPolicy(delay=0.05, backoff=0.05, max_retries=2, allow_private=True)
SLACK = 0.02
HTML = {"Content-Type": "text/html"}
TEXT = {"Content-Type": "text/plain"}

ROBOTS = b"""\
# Everyone may read the news, but not the drafts.
User-agent: *
Disallow: /drafts/
Crawl-delay: 5

User-agent: newsarchive
Disallow: /private/
Allow: /private/open.html
Crawl-delay: 0.3

Sitemap: https://news.example.org/sitemap.xml
Sitemap: https://news.example.org/news-sitemap.xml
"""


def test_our_group_applies_to_our_user_agent() -> None:
    robots = parse_robots(ROBOTS.decode(), USER_AGENT)
    assert not robots.allows("https://news.example.org/private/x.html")
    assert robots.allows("https://news.example.org/private/open.html")
    assert robots.allows("https://news.example.org/drafts/x.html")  # the * group is not ours
    assert robots.crawl_delay == 0.3
    assert robots.sitemaps == (
        "https://news.example.org/sitemap.xml",
        "https://news.example.org/news-sitemap.xml",
    )


def test_other_agents_get_the_star_group() -> None:
    robots = parse_robots(ROBOTS.decode(), "otherbot/2.0")
    assert not robots.allows("https://news.example.org/drafts/x.html")
    assert robots.allows("https://news.example.org/private/x.html")
    assert robots.crawl_delay == 5


@pytest.mark.parametrize(
    ("rules", "path", "allowed"),
    [
        ("Disallow: /*?", "/news?page=2", False),
        ("Disallow: /*?", "/news", True),
        ("Disallow: /*.pdf$", "/files/report.pdf", False),
        ("Disallow: /*.pdf$", "/files/report.pdf?v=1", True),
        ("Disallow: /\nAllow: /news/", "/news/story.html", True),
        ("Disallow: /\nAllow: /news/", "/about", False),
        ("Allow: /page\nDisallow: /page", "/page", True),  # equally long: allow wins
        ("Disallow: /caf%C3%A9", "/caf\u00e9/menu", False),  # percent-encoding does not matter
        ("Disallow: /a%2fb", "/a/b", False),
        ("Disallow:", "/anything", True),  # an empty Disallow forbids nothing
    ],
)
def test_rules_match_as_rfc_9309_says(rules: str, path: str, allowed: bool) -> None:
    robots = parse_robots(f"User-agent: *\n{rules}\n", USER_AGENT)
    assert robots.allows(f"https://news.example.org{path}") is allowed


def test_groups_are_matched_by_product_token_and_merged() -> None:
    text = (
        "User-agent: otherbot\nUser-agent: NewsArchive/0.1\nDisallow: /a\n\n"
        "Disallow: /b\n"  # a blank line does not end a group
        "User-agent: *\nDisallow: /\n"
        "User-agent: newsarchive\nDisallow: /c\n"
    )
    robots = parse_robots(text, USER_AGENT)
    assert [robots.allows(f"https://x.org/{p}") for p in "abcd"] == [False, False, False, True]


def test_no_rules_allow_everything() -> None:
    robots = parse_robots("", USER_AGENT)
    assert robots.allows("https://news.example.org/anything")
    assert (robots.crawl_delay, robots.sitemaps) == (None, ())


def test_robots_url_is_at_the_root_of_the_origin() -> None:
    assert robots_url("https://News.Example.org:8443/a/b?c#d") == (
        "https://news.example.org:8443/robots.txt"
    )


def test_robots_is_fetched_first_and_once(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    site.routes["/a.html"] = site.routes["/b.html"] = (200, HTML, b"<p>hi</p>")
    with Fetcher(FAST) as fetcher:
        fetcher.get(site.url("/a.html"))
        fetcher.get(site.url("/b.html"))
    assert site.paths() == ["/robots.txt", "/a.html", "/b.html"]
    assert site.log[0].headers["user-agent"] == USER_AGENT


def test_a_disallowed_page_is_never_requested(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    site.routes["/private/x.html"] = (200, HTML, b"<p>secret</p>")
    with Fetcher(FAST) as fetcher, pytest.raises(RobotsDisallowed, match="forbids newsarchive"):
        fetcher.get(site.url("/private/x.html"))
    assert site.paths() == ["/robots.txt"]


def test_a_redirect_into_a_disallowed_path_is_not_followed(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    site.routes["/go"] = (302, {"Location": "/private/x.html"}, b"")
    with Fetcher(FAST) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(site.url("/go"))
    assert site.paths() == ["/robots.txt", "/go"]


def test_crawl_delay_spaces_the_requests(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    site.routes["/a.html"] = (200, HTML, b"<p>hi</p>")
    with Fetcher(FAST) as fetcher:
        for _ in range(3):
            fetcher.get(site.url("/a.html"))
        assert fetcher.crawl_delay(site.url("/a.html")) == 0.3
    assert site.paths() == ["/robots.txt"] + ["/a.html"] * 3
    assert min(site.gaps()[1:]) >= 0.3 - SLACK


def test_a_shorter_crawl_delay_does_not_lower_the_policy_delay(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, b"User-agent: *\nCrawl-delay: 0.01\n")
    with Fetcher(replace(FAST, delay=0.2)) as fetcher:
        assert fetcher.crawl_delay(site.url("/")) == 0.2


def test_sitemaps_are_read_from_robots(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    with Fetcher(FAST) as fetcher:
        assert fetcher.robots_sitemaps(site.url("/any")) == [
            "https://news.example.org/sitemap.xml",
            "https://news.example.org/news-sitemap.xml",
        ]


def test_a_redirected_robots_txt_is_followed(site: Site) -> None:
    site.routes["/robots.txt"] = (301, {"Location": "/real-robots.txt"}, b"")
    site.routes["/real-robots.txt"] = (200, TEXT, ROBOTS)
    with Fetcher(FAST) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(site.url("/private/x.html"))
    assert site.paths() == ["/robots.txt", "/real-robots.txt"]


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_4xx_robots_txt_allows_everything(site: Site, status: int) -> None:
    site.routes["/robots.txt"] = (status, TEXT, b"Disallow: /")
    site.routes["/a.html"] = (200, HTML, b"<p>hi</p>")
    with Fetcher(FAST) as fetcher:
        assert fetcher.get(site.url("/a.html")).status == 200


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_unavailable_robots_txt_closes_the_host_for_the_run(site: Site, status: int) -> None:
    site.routes["/robots.txt"] = (status, TEXT, b"")
    site.routes["/a.html"] = (200, HTML, b"<p>hi</p>")
    with Fetcher(FAST) as fetcher:
        for _ in range(2):
            with pytest.raises(RobotsUnavailable, match=f"HTTP {status}.*try .* again later"):
                fetcher.get(site.url("/a.html"))
    assert site.paths() == ["/robots.txt"] * 3  # retried, then remembered: no page requested


def test_threads_wait_for_one_robots_fetch(site: Site) -> None:
    site.routes["/robots.txt"] = (200, TEXT, ROBOTS)
    site.routes["/a.html"] = (200, HTML, b"<p>hi</p>")
    with Fetcher(replace(FAST, delay=0.01)) as fetcher:
        threads = [
            threading.Thread(target=fetcher.get, args=(site.url("/a.html"),)) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert site.paths() == ["/robots.txt"] + ["/a.html"] * 3
