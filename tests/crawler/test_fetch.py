"""The HTTP client against a real server on 127.0.0.1: caps, retries, spacing, safety."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from crawler import FetchError
from crawler.errors import (
    BlockedAddress,
    HTTPStatusError,
    RedirectError,
    RobotsUnavailable,
    TooLarge,
)
from crawler.fetch import USER_AGENT, Fetcher, FetchPolicy, _is_public, fetch_page
from crawler.ratelimit import parse_retry_after
from tests.conftest import Route, Site, Visit

FAST = FetchPolicy(
    delay=0.05, backoff=0.05, max_retries=2, connect_timeout=2, read_timeout=2, allow_private=True
)
SLACK = 0.02  # server-side arrival times jitter by a few milliseconds
HTML = {"Content-Type": "text/html; charset=windows-1252"}
PAGE = "<html><body><p>Caf\u00e9 news</p></body></html>".encode("cp1252")


def page_paths(site: Site) -> list[str]:
    """Return the requested paths other than robots.txt."""
    return [path for path in site.paths() if path != "/robots.txt"]


def fails_then(*statuses: int, headers: dict[str, str] | None = None) -> Callable[[Visit], Route]:
    """Return a route answering `statuses` in turn, then the page."""
    answers = iter(statuses)

    def route(visit: Visit) -> Route:
        status = next(answers, 200)
        return (status, headers or {}, b"busy") if status != 200 else (200, HTML, PAGE)

    return route


def test_fetches_html_with_declared_charset(site: Site) -> None:
    site.routes["/news.html"] = (200, HTML, PAGE)
    page = fetch_page(site.url("/news.html"), FAST)
    assert page.content == PAGE
    assert page.charset == "windows-1252"
    assert page.url == page.location == site.url("/news.html")
    assert page.fetched_at.tzinfo is UTC


def test_response_has_lower_cased_headers_and_sends_our_user_agent(site: Site) -> None:
    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml", "X-Up": "1"}, b"<r/>")
    with Fetcher(FAST) as fetcher:
        response = fetcher.get(site.url("/feed.xml"))
    assert (response.status, response.content, response.headers["x-up"]) == (200, b"<r/>", "1")
    assert response.content_type == "application/rss+xml"
    assert not response.is_html and response.charset is None
    assert response.requested_url == response.url and response.redirects == ()
    assert response.fetched_at.tzinfo is UTC
    headers = site.log[-1].headers
    assert headers["user-agent"] == USER_AGENT
    assert headers["accept-encoding"] == "gzip, deflate"


def test_follows_redirects_to_the_final_url(site: Site) -> None:
    site.routes["/old"] = (301, {"Location": "/new"}, b"")
    site.routes["/new"] = (302, {"Location": site.url("/news.html")}, b"")
    site.routes["/news.html"] = (200, HTML, PAGE)
    with Fetcher(FAST) as fetcher:
        response = fetcher.get(site.url("/old"))
    assert response.url == site.url("/news.html")
    assert response.requested_url == site.url("/old")
    assert response.redirects == (site.url("/old"), site.url("/new"))


def test_redirect_loops_are_refused(site: Site) -> None:
    site.routes["/a"] = (302, {"Location": "/b"}, b"")
    site.routes["/b"] = (302, {"Location": "/a"}, b"")
    with pytest.raises(RedirectError, match="redirects in a loop"):
        fetch_page(site.url("/a"), FAST)


def test_redirect_chains_are_capped(site: Site) -> None:
    for hop in range(10):
        site.routes[f"/r{hop}"] = (302, {"Location": f"/r{hop + 1}"}, b"")
    policy = FetchPolicy(delay=0.01, max_redirects=3, allow_private=True)
    with pytest.raises(RedirectError, match="redirected more than 3 times"):
        fetch_page(site.url("/r0"), policy)
    assert page_paths(site) == ["/r0", "/r1", "/r2", "/r3"]


def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    site.routes["/away"] = (302, {"Location": "file:///etc/passwd"}, b"")
    with pytest.raises(FetchError, match="Not an http"):
        fetch_page(site.url("/away"), FAST)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:x", "/x"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="Not an http"):
        fetch_page(url)


def test_declared_length_over_the_cap_is_refused_unread(site: Site) -> None:
    site.routes["/big.html"] = (200, HTML, b"<p>" + b"x" * 5000 + b"</p>")
    with pytest.raises(TooLarge, match="is 5,007 bytes, over the 1,000-byte cap"):
        fetch_page(site.url("/big.html"), replace(FAST, max_bytes=1000))


def test_a_huge_streamed_body_is_cut_off_at_the_cap(site: Site) -> None:
    chunk = b"x" * 65536
    site.routes["/huge.html"] = (200, HTML, (chunk for _ in range(800)))  # 50 MB, no length
    started = time.monotonic()
    with pytest.raises(TooLarge, match="over the 1,048,576-byte cap"):
        fetch_page(site.url("/huge.html"), replace(FAST, max_bytes=1 << 20))
    assert time.monotonic() - started < 3
    deadline = time.monotonic() + 5
    while not site.broken and time.monotonic() < deadline:
        time.sleep(0.02)
    assert site.broken == ["/huge.html"]  # the server could not send it all: we hung up


def gzip_bomb() -> bytes:
    """Return about 200 KB of gzip that expands to 200 MB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()


def test_a_gzip_bomb_is_stopped_while_decoding(site: Site) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 1 << 20
    site.routes["/bomb.html"] = (200, {**HTML, "Content-Encoding": "gzip"}, bomb)
    started = time.monotonic()
    with pytest.raises(TooLarge, match="over the 10,485,760-byte cap once decompressed"):
        fetch_page(site.url("/bomb.html"), FAST)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw deflate
    ],
)
def test_compressed_bodies_are_decoded(site: Site, coding: str, pack: object) -> None:
    site.routes["/z.html"] = (200, {**HTML, "Content-Encoding": coding}, pack(PAGE))  # type: ignore[operator]
    assert fetch_page(site.url("/z.html"), FAST).content == PAGE


def test_a_trickling_body_is_abandoned_after_max_time(site: Site) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(40):
            yield b"<p>x</p>"
            time.sleep(0.05)

    site.routes["/slow.html"] = (200, HTML, trickle())
    policy = replace(FAST, max_time=0.3)
    with pytest.raises(FetchError, match="took over 0.3 s to download"):
        fetch_page(site.url("/slow.html"), policy)


def test_non_html_content_is_refused_by_fetch_page_only(site: Site) -> None:
    site.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    with pytest.raises(FetchError, match="application/pdf, not an HTML page"):
        fetch_page(site.url("/report.pdf"), FAST)
    with Fetcher(FAST) as fetcher:
        assert fetcher.get(site.url("/report.pdf")).content == b"%PDF-1.4"


def test_http_errors_name_the_status_and_are_not_retried(site: Site) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 404 Not Found: the page is gone") as caught:
        fetch_page(site.url("/missing"), FAST)
    assert caught.value.status == 404
    assert page_paths(site) == ["/missing"]


def test_server_errors_are_retried_until_one_succeeds(site: Site) -> None:
    site.routes["/flaky.html"] = fails_then(500, 503)
    policy = FetchPolicy(delay=0.05, backoff=0.2, allow_private=True)
    assert fetch_page(site.url("/flaky.html"), policy).content == PAGE
    assert page_paths(site) == ["/flaky.html"] * 3
    first, second = site.gaps()[-2:]
    assert first >= 0.2 - SLACK and second >= 0.4 - SLACK  # exponential backoff


def test_retry_after_is_honoured(site: Site) -> None:
    site.routes["/busy.html"] = fails_then(429, headers={"Retry-After": "1"})
    assert fetch_page(site.url("/busy.html"), FAST).content == PAGE
    assert page_paths(site) == ["/busy.html"] * 2
    assert site.gaps()[-1] >= 1 - SLACK


def test_retry_after_is_capped(site: Site) -> None:
    site.routes["/busy.html"] = fails_then(503, headers={"Retry-After": "3600"})
    policy = FetchPolicy(delay=0.05, backoff=0.05, max_retry_after=0.3, allow_private=True)
    started = time.monotonic()
    assert fetch_page(site.url("/busy.html"), policy).content == PAGE
    assert time.monotonic() - started < 2
    assert site.gaps()[-1] >= 0.3 - SLACK


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None


def test_exhausted_retries_raise_the_last_status(site: Site) -> None:
    site.routes["/down.html"] = (503, {}, b"down")
    with pytest.raises(HTTPStatusError, match="HTTP 503.*after 2 retries") as caught:
        fetch_page(site.url("/down.html"), FAST)
    assert caught.value.status == 503
    assert page_paths(site) == ["/down.html"] * 3


def test_a_page_slower_than_the_read_timeout_fails_after_retries(site: Site) -> None:
    def slow(visit: Visit) -> Route:
        time.sleep(0.5)
        return 200, HTML, PAGE

    site.routes["/slow.html"] = slow
    policy = FetchPolicy(
        delay=0.01, backoff=0.01, max_retries=1, read_timeout=0.2, allow_private=True
    )
    with pytest.raises(FetchError, match=r"Could not fetch .*\(2 attempts\): timed out"):
        fetch_page(site.url("/slow.html"), policy)
    assert page_paths(site) == ["/slow.html"] * 2


def test_an_unreachable_host_is_off_limits(site: Site) -> None:
    url = site.url("/")
    site.server.shutdown()
    site.server.server_close()
    with pytest.raises(RobotsUnavailable, match="robots.txt could not be read.*Could not fetch"):
        fetch_page(url, FAST)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_by_default(site: Site, host: str) -> None:
    site.routes["/news.html"] = (200, HTML, PAGE)
    with pytest.raises(BlockedAddress, match="non-public address 127.0.0.1.*allow_private=True"):
        fetch_page(site.url("/news.html", host=host), FetchPolicy(delay=0.01))
    assert site.log == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_which_addresses_count_as_public(address: str, public: bool) -> None:
    assert _is_public(address) is public


def test_etag_makes_a_conditional_request(site: Site) -> None:
    def route(visit: Visit) -> Route:
        if visit.headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**HTML, "ETag": '"v1"'}, PAGE

    site.routes["/news.html"] = route
    with Fetcher(FAST) as fetcher:
        first = fetcher.get(site.url("/news.html"))
        again = fetcher.get(site.url("/news.html"), etag=first.etag)
    assert (first.status, first.etag, first.content) == (200, '"v1"', PAGE)
    assert (again.status, again.content) == (304, b"")


def test_last_modified_makes_a_conditional_request(site: Site) -> None:
    stamp = "Wed, 01 May 2024 12:00:00 GMT"

    def route(visit: Visit) -> Route:
        if visit.headers.get("if-modified-since") == stamp:
            return 304, {}, b""
        return 200, {**HTML, "Last-Modified": stamp}, PAGE

    site.routes["/news.html"] = route
    with Fetcher(FAST) as fetcher:
        first = fetcher.get(site.url("/news.html"))
        again = fetcher.get(site.url("/news.html"), last_modified=first.last_modified)
    assert first.last_modified == stamp
    assert (again.status, again.content) == (304, b"")


def test_retries_and_redirect_hops_keep_the_host_delay(site: Site) -> None:
    site.routes["/old"] = (301, {"Location": "/flaky.html"}, b"")
    site.routes["/flaky.html"] = fails_then(500)
    policy = FetchPolicy(delay=0.3, backoff=0.01, allow_private=True)
    with Fetcher(policy) as fetcher:
        fetcher.get(site.url("/old"))
    assert site.paths() == ["/robots.txt", "/old", "/flaky.html", "/flaky.html"]
    assert min(site.gaps()) >= 0.3 - SLACK


def test_threads_share_the_spacing_of_one_host(site: Site) -> None:
    site.routes["/news.html"] = (200, HTML, PAGE)
    policy = FetchPolicy(delay=0.2, allow_private=True)
    with Fetcher(policy) as fetcher:
        threads = [
            threading.Thread(target=fetcher.get, args=(site.url("/news.html"),)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert site.paths() == ["/robots.txt"] + ["/news.html"] * 4
    assert min(site.gaps()) >= 0.2 - SLACK


def test_two_hosts_are_fetched_side_by_side(site: Site) -> None:
    site.routes["/news.html"] = (200, HTML, PAGE)
    policy = FetchPolicy(delay=0.3, allow_private=True)
    with Fetcher(policy) as fetcher:

        def crawl(host: str) -> None:
            for _ in range(3):
                fetcher.get(site.url("/news.html", host=host))

        threads = [
            threading.Thread(target=crawl, args=(host,)) for host in ("127.0.0.1", "localhost")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    hosts = [visit.headers["host"].split(":")[0] for visit in site.log]
    for host in ("127.0.0.1", "localhost"):
        times = [visit.time for visit, name in zip(site.log, hosts, strict=True) if name == host]
        assert len(times) == 4  # robots.txt and three pages
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3 - SLACK
    # neither host waited for the other: their requests interleave
    assert hosts[:2] in (["127.0.0.1", "localhost"], ["localhost", "127.0.0.1"])
    assert site.log[-1].time - site.log[0].time < 4 * 0.3 + 0.3
