"""Fetching single pages from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from crawler import FetchError
from crawler.fetch import fetch_page
from tests.conftest import Site

HTML = {"Content-Type": "text/html; charset=windows-1252"}
PAGE = "<html><body><p>Caf\u00e9 news</p></body></html>".encode("cp1252")


def test_fetches_html_with_declared_charset(site: Site) -> None:
    site.routes["/news.html"] = (200, HTML, PAGE)
    page = fetch_page(site.url("/news.html"))
    assert page.content == PAGE
    assert page.charset == "windows-1252"
    assert page.url == site.url("/news.html")


def test_follows_redirects_to_the_final_url(site: Site) -> None:
    site.routes["/old"] = (301, {"Location": "/new"}, b"")
    site.routes["/new"] = (302, {"Location": site.url("/news.html")}, b"")
    site.routes["/news.html"] = (200, HTML, PAGE)
    assert fetch_page(site.url("/old")).url == site.url("/news.html")


def test_redirect_loops_are_capped(site: Site) -> None:
    site.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        fetch_page(site.url("/loop"), max_redirects=3)


def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    site.routes["/away"] = (302, {"Location": "file:///etc/passwd"}, b"")
    with pytest.raises(FetchError, match="Not an http"):
        fetch_page(site.url("/away"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:x", "/x"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="Not an http"):
        fetch_page(url)


def test_pages_over_the_size_cap_are_refused(site: Site) -> None:
    site.routes["/big.html"] = (200, HTML, b"<p>" + b"x" * 5000 + b"</p>")
    with pytest.raises(FetchError, match="over the 1,000-byte cap"):
        fetch_page(site.url("/big.html"), max_bytes=1000)


def test_non_html_content_is_refused(site: Site) -> None:
    site.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    with pytest.raises(FetchError, match="application/pdf, not an HTML page"):
        fetch_page(site.url("/report.pdf"))


def test_http_errors_name_the_status(site: Site) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_page(site.url("/missing"))


def test_unreachable_host_is_a_fetch_error(site: Site) -> None:
    url = site.url("/")
    site.server.shutdown()
    site.server.server_close()
    with pytest.raises(FetchError, match="Could not fetch"):
        fetch_page(url, timeout=2)
