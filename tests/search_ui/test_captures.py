"""The archived capture page: an article's page as crawled, served inert and sandboxed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article, extract_article
from crawler.crawl import WARC_DIR, CrawlOptions
from crawler.fetch import FetchPolicy
from indexer import NewsIndex
from newsarchive import ingest
from search_ui import captures
from tests.conftest import Site
from tests.crawler.conftest import FIXTURES
from tests.crawler.newssite import HTML, PAGES

FAST = FetchPolicy(delay=0.0, backoff=0.05, read_timeout=2.0, allow_private=True)
CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
STORY = "/news/story.html"
CYRILLIC = "/news/cyrillic.html"
UNCAPTURED = Article(
    url="https://news.example.org/2024/05/01/never-crawled",
    title="A story added without a crawl",
    text="Stories added straight to the index have no capture.",
)


@pytest.fixture
def crawled(site: Site, tmp_path: Path) -> tuple[Path, dict[str, Article]]:
    """An archive crawled from a local site (two pages), plus one article added uncrawled."""
    site.routes["/robots.txt"] = (404, {"Content-Type": "text/plain"}, b"")
    site.routes[STORY] = (200, {"Content-Type": HTML}, PAGES[0].read_bytes())
    cyrillic = (FIXTURES / "windows1251_cyrillic_meta_charset.html").read_bytes()
    site.routes[CYRILLIC] = (200, {"Content-Type": "text/html"}, cyrillic)  # <meta> charset
    archive = tmp_path / "archive"
    options = CrawlOptions(single=True, policy=FAST, processes=0)
    with NewsIndex.open(archive, create=True) as index:
        report = ingest.crawl([site.url(STORY), site.url(CYRILLIC)], index, options)
        assert report.counts.new == 2, report.errors + report.skipped
        index.add([UNCAPTURED])
        stored = {
            path: index.get(extract_article(site.routes[path][2], url=site.url(path)).id)
            for path in (STORY, CYRILLIC)
        }
    return archive, stored


@pytest.fixture
def client(make_app: Callable[..., Flask], crawled: tuple[Path, dict[str, Article]]) -> FlaskClient:
    """A test client of an app over the crawled archive."""
    app = make_app(crawled[0])
    return app.test_client()


def test_the_capture_is_the_fetched_page_served_sandboxed(
    client: FlaskClient, crawled: tuple[Path, dict[str, Article]]
) -> None:
    article = crawled[1][STORY]
    response = client.get(f"/article/{article.id}/capture")
    assert response.status_code == 200
    assert response.data == PAGES[0].read_bytes()
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_article_page_links_to_its_capture(
    client: FlaskClient, crawled: tuple[Path, dict[str, Article]]
) -> None:
    article = crawled[1][STORY]
    html = client.get(f"/article/{article.id}").get_data(as_text=True)
    assert f'href="/article/{article.id}/capture"' in html
    assert "View the archived capture (as fetched on" in html


def test_a_page_without_an_http_charset_keeps_its_meta_charset(
    client: FlaskClient, crawled: tuple[Path, dict[str, Article]]
) -> None:
    response = client.get(f"/article/{crawled[1][CYRILLIC].id}/capture")
    assert response.status_code == 200
    assert response.data == (FIXTURES / "windows1251_cyrillic_meta_charset.html").read_bytes()
    assert response.headers["Content-Type"].lower() == "text/html; charset=windows-1251"


def test_latest_capture_tells_crawled_articles_from_others(
    client: FlaskClient, crawled: tuple[Path, dict[str, Article]]
) -> None:
    with client.application.app_context():
        assert captures.latest_capture(crawled[1][STORY]) is not None
        assert captures.latest_capture(UNCAPTURED) is None
        entry = captures.latest_capture(crawled[1][STORY])
        assert entry is not None and entry.captured_at == crawled[1][STORY].fetched_at


@pytest.mark.parametrize(
    ("article_id", "message"),
    [
        (UNCAPTURED.id, "holds no capture of"),
        ("0123456789abcdef", "There is no article"),
    ],
)
def test_no_capture_or_no_article_is_a_404_page(
    client: FlaskClient, article_id: str, message: str
) -> None:
    response = client.get(f"/article/{article_id}/capture")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)
    assert "sandbox" not in response.headers["Content-Security-Policy"]


def test_a_capture_whose_warc_file_is_gone_is_a_404(
    client: FlaskClient, crawled: tuple[Path, dict[str, Article]]
) -> None:
    for path in (crawled[0] / WARC_DIR).iterdir():
        path.unlink()
    response = client.get(f"/article/{crawled[1][STORY].id}/capture")
    assert response.status_code == 404
    assert "missing or damaged" in response.get_data(as_text=True)


def test_an_archive_without_a_capture_index_has_no_captures(
    make_app: Callable[..., Flask], archive_path: Path, articles: list[Article]
) -> None:
    app = make_app(archive_path)
    response = app.test_client().get(f"/article/{articles[0].id}/capture")
    assert response.status_code == 404
    with app.app_context():
        assert captures.latest_capture(articles[0]) is None
