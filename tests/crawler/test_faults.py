"""Faulty servers on 127.0.0.1: every fault is logged, retried within limits, and the crawl goes on.

The server (tests/crawler/faultserver.py) vanishes mid-body, resets connections, stalls,
trickles its headers or answers garbage; it counts the requests each path gets, which is how
these tests see how often the crawler tried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from crawler import FetchError
from crawler.crawl import Crawler, CrawlOptions, Outcome
from crawler.errors import RedirectError
from crawler.fetch import FetchPolicy, check_url, fetch_page
from tests.crawler.faultserver import Answer, Fault, FaultServer
from tests.crawler.newssite import PAGES

POLICY = FetchPolicy(
    delay=0.0,
    backoff=0.02,
    max_retries=2,
    connect_timeout=1.0,
    read_timeout=0.3,
    max_time=1.0,
    allow_private=True,
)
SLACK = 2.0  # seconds a loaded machine may add to a run; a hang or a retry storm takes more
RETRIED = (Fault.VANISH, Fault.RESET, Fault.STALL, Fault.GARBAGE)
# What the message of a page that kept failing says happened, by fault.
REASONS = {
    Fault.VANISH: "the server's answer broke off or was not HTTP (peer closed connection",
    Fault.RESET: "the connection broke ([Errno 104] Connection reset by peer)",
    Fault.STALL: "timed out: the server sent nothing for 0.3 s",
    Fault.GARBAGE: "the server's answer broke off or was not HTTP",
}
ADVICE = "check the address and your network, or try again later."
PAGE = Answer(b"<html><body><p>The harbour reopened on Monday.</p></body></html>")
ROBOTS = Answer(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A fault server on 127.0.0.1 whose robots.txt allows everything."""
    with FaultServer() as running:
        running.route("/robots.txt", ROBOTS)
        yield running


def retry_lines(caplog: pytest.LogCaptureFixture, url: str) -> list[str]:
    """Return the logged retry messages about `url`."""
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{url}: ")]


@pytest.mark.parametrize("fault", RETRIED)
def test_a_page_that_keeps_failing_is_retried_max_retries_times_then_refused(
    server: FaultServer, caplog: pytest.LogCaptureFixture, fault: Fault
) -> None:
    caplog.set_level(logging.INFO, logger="crawler")
    server.route("/story.html", fault)
    url = server.url("/story.html")
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(url, POLICY)
    assert time.monotonic() - started < 3 * POLICY.read_timeout + SLACK
    assert server.requests["/story.html"] == POLICY.max_retries + 1
    message = str(caught.value)
    assert message.startswith(f"Could not fetch {url} (3 attempts): {REASONS[fault]}")
    assert message.endswith(ADVICE)
    assert len(message) < 400  # the server's garbage is not pasted in whole
    retries = retry_lines(caplog, url)
    assert [line.split("; ")[-1][:10] for line in retries] == ["retry 1 of", "retry 2 of"]
    assert all(REASONS[fault] in line for line in retries)


@pytest.mark.parametrize("fault", RETRIED)
def test_a_page_that_fails_max_retries_times_is_fetched_on_the_last_try(
    server: FaultServer, fault: Fault
) -> None:
    server.route("/story.html", fault, fault, PAGE)
    page = fetch_page(server.url("/story.html"), POLICY)
    assert page.content == PAGE.body
    assert server.requests["/story.html"] == 3


def test_one_fault_too_many_is_not_retried_past_the_limit(server: FaultServer) -> None:
    server.route("/story.html", Fault.RESET, Fault.VANISH, Fault.GARBAGE, PAGE)
    with pytest.raises(FetchError, match=r"\(3 attempts\)"):
        fetch_page(server.url("/story.html"), POLICY)
    assert server.requests["/story.html"] == 3
    assert fetch_page(server.url("/story.html"), POLICY).content == PAGE.body  # it was there


def test_a_server_trickling_its_headers_is_cut_off_at_max_time(server: FaultServer) -> None:
    server.route("/story.html", Fault.TRICKLE)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took over 1 s to download.*FetchPolicy.max_time"):
        fetch_page(server.url("/story.html"), POLICY)
    assert time.monotonic() - started < POLICY.max_time + 1.5  # the server trickles 3 s
    assert server.requests["/story.html"] == 1  # too slow is not worth asking again at once


def test_a_flaky_robots_txt_is_retried_and_then_obeyed(server: FaultServer) -> None:
    server.route("/robots.txt", Fault.RESET, Fault.STALL, ROBOTS)
    server.route("/story.html", PAGE)
    assert fetch_page(server.url("/story.html"), POLICY).content == PAGE.body
    assert server.requests["/robots.txt"] == 3


@pytest.mark.parametrize("location", ["http://a]/story.html", "//[broken"])
def test_a_redirect_to_a_malformed_address_is_a_fetch_error(
    server: FaultServer, location: str
) -> None:
    server.route("/moved.html", Answer(b"", 302, {"Location": location}))
    with pytest.raises(RedirectError, match="which is not a valid address; the site is"):
        fetch_page(server.url("/moved.html"), POLICY)
    assert server.requests["/moved.html"] == 1  # a broken Location is not retried


def test_a_malformed_url_is_a_fetch_error_not_a_crash() -> None:
    with pytest.raises(FetchError, match=r"Not a valid URL: 'http://\[x/'.*check the address"):
        check_url("http://[x/")


def crawl(archive: Path, seed: str, policy: FetchPolicy = POLICY) -> list[Outcome]:
    """Crawl the site at `seed` into `archive` and return every page's outcome."""
    options = CrawlOptions(policy=policy, workers=4, processes=0)
    with Crawler(archive, options) as crawler:
        return list(crawler.run([seed], lambda articles: None))


def story(n: int) -> str:
    """Return the path of story `n` on the test site."""
    return f"/news/2024/05/{PAGES[n].stem}.html"


def serve_site(server: FaultServer, paths: list[str], sitemap: bytes = b"") -> None:
    """Serve a front page linking to `paths` and, if given, a sitemap."""
    links = "".join(f'<li><a href="{path}">Story {i}</a></li>' for i, path in enumerate(paths))
    server.route("/", Answer(f"<html><body><h1>Latest</h1><ul>{links}</ul></body></html>".encode()))
    xml = Answer(sitemap, headers={"Content-Type": "application/xml"})
    server.route("/sitemap.xml", xml if sitemap else Answer(b"", 404))


def test_a_crawl_over_faulty_pages_keeps_every_good_page_and_logs_each_fault(
    server: FaultServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger="crawler")
    good = [story(0), story(1)]
    broken = {story(2 + i): fault for i, fault in enumerate(RETRIED)}
    flaky = {story(6 + i): fault for i, fault in enumerate(RETRIED)}
    for n, path in enumerate(good):
        server.route(path, Answer(PAGES[n].read_bytes()))
    for path, fault in broken.items():
        server.route(path, fault)
    for n, path in enumerate(flaky):
        server.route(path, flaky[path], flaky[path], Answer(PAGES[6 + n].read_bytes()))
    serve_site(server, good + list(broken) + list(flaky))
    started = time.monotonic()
    outcomes = crawl(tmp_path, server.url("/"))
    # Stalls dominate: three timed-out attempts for the stalled page, two for the flaky one.
    assert time.monotonic() - started < 5 * POLICY.read_timeout + 2 * SLACK
    by_url = {outcome.location: outcome for outcome in outcomes}
    for path in good + list(flaky):
        assert by_url[server.url(path)].article is not None, path
    for path, fault in broken.items():
        url = server.url(path)
        assert server.requests[path] == POLICY.max_retries + 1
        assert by_url[url].error.startswith(f"Could not fetch {url} (3 attempts): {REASONS[fault]}")
        assert by_url[url].error.endswith(ADVICE)
        assert by_url[url].error in caplog.messages  # the crawl logs why it gave up
        assert len(retry_lines(caplog, url)) == POLICY.max_retries
    for path in flaky:
        assert server.requests[path] == 3
        assert len(retry_lines(caplog, server.url(path))) == 2
    assert all(server.requests[path] == 1 for path in good)


def test_malformed_addresses_from_the_server_never_stop_the_crawl(
    server: FaultServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    site = server.url("")
    server.route(
        "/robots.txt",
        Answer(
            f"User-agent: *\nSitemap: http://a]/x.xml\nSitemap: {site}/sitemap.xml\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
    )
    server.route(story(0), Answer(PAGES[0].read_bytes()))
    server.route(story(1), Answer(b"", 301, {"Location": "http://[www.example.org/x"}))
    server.route(story(2), Answer(PAGES[2].read_bytes()))
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site}{story(2)}</loc></url><url><loc>http://a]/y.html</loc></url></urlset>"
    )
    serve_site(server, [story(0), story(1)], sitemap.encode())
    outcomes = crawl(tmp_path, server.url("/"))
    errors = {outcome.location: outcome.error for outcome in outcomes if outcome.error}
    articles = {outcome.location for outcome in outcomes if outcome.article}
    assert server.url(story(0)) in articles
    assert "Not a valid URL: 'http://a]/x.xml'" in errors["http://a]/x.xml"]
    assert "which is not a valid address" in errors[server.url(story(1))]
    assert server.requests[story(1)] == 1
    assert server.url(story(2)) in articles  # the sitemap's malformed <loc> is skipped
    assert server.url("/sitemap.xml") not in errors


def test_a_host_whose_robots_txt_keeps_failing_is_left_alone_without_hanging(
    server: FaultServer, tmp_path: Path
) -> None:
    server.route("/robots.txt", Fault.STALL)
    serve_site(server, [story(0)])
    started = time.monotonic()
    outcomes = crawl(tmp_path, server.url("/"), replace(POLICY, max_retries=1))
    assert time.monotonic() - started < 2 * POLICY.read_timeout + SLACK
    assert server.requests["/robots.txt"] == 2
    assert server.requests["/"] == 0  # off limits for this run, as for search engines
    [outcome] = outcomes
    assert "robots.txt could not be read" in outcome.error and "try" in outcome.error
