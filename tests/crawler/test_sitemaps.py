"""Sitemaps: urlsets, indexes, Google News, plain text, gzip, broken and hostile files."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import sitemaps
from crawler.errors import SitemapError
from crawler.links import Link
from crawler.sitemaps import is_sitemap, parse_sitemap

FIXTURES = Path(__file__).parent / "fixtures" / "sitemaps"
FEEDS = Path(__file__).parent / "fixtures" / "feeds"
GAZETTE = "https://www.harbourgazette.example"


def load(name: str) -> bytes:
    """Return the bytes of a sitemap fixture."""
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """Return 60 MB of zeros gzipped (about 60 KB), over the 50 MB decompression cap."""
    return gzip.compress(bytes(60 * 1024 * 1024), compresslevel=1)


def test_urlset_reads_locs_and_lastmods() -> None:
    links, children = parse_sitemap(load("sitemap.xml"), f"{GAZETTE}/sitemap.xml")
    assert children == []
    assert links == [
        # Whitespace around <loc> is dropped; the repeated URL keeps its first entry.
        Link(
            f"{GAZETTE}/world/2024/05/14/ceasefire-talks-resume-in-cairo",
            lastmod=datetime(2024, 5, 14, 8, 30, tzinfo=UTC),
        ),
        Link(
            f"{GAZETTE}/business/markets-rally-as-inflation-eases?ref=home&lang=en",
            lastmod=datetime(2024, 5, 13, tzinfo=UTC),
        ),
        # A relative <loc> is resolved against the sitemap's URL.
        Link(
            f"{GAZETTE}/science/2024/05/12/the-quiet-return-of-the-sea-otters",
            lastmod=datetime(2024, 5, 12, 18, 45, 10, tzinfo=UTC),
        ),
        # ftp: and javascript: locs are skipped; an unreadable <lastmod> is None.
        Link(f"{GAZETTE}/opinion/letters-to-the-editor-may-11"),
    ]


def test_image_video_and_alternate_language_urls_are_not_pages() -> None:
    links, _ = parse_sitemap(load("sitemap.xml"), f"{GAZETTE}/sitemap.xml")
    urls = " ".join(link.url for link in links)
    assert "cdn." not in urls and "/embed/" not in urls and "/fr/" not in urls


def test_sitemap_index_lists_child_sitemaps() -> None:
    links, children = parse_sitemap(load("sitemap_index.xml"), f"{GAZETTE}/sitemap_index.xml")
    assert links == []
    assert children == [
        f"{GAZETTE}/sitemaps/2024-05.xml",
        f"{GAZETTE}/sitemaps/2024-04.xml.gz",
        f"{GAZETTE}/sitemaps/news.xml",
    ]


def test_gzipped_sitemap_reads_like_the_plain_one() -> None:
    plain = load("sitemap.xml")
    url = f"{GAZETTE}/sitemaps/2024-04.xml.gz"
    assert parse_sitemap(gzip.compress(plain), url) == parse_sitemap(plain, url)


def test_gzip_bomb_is_refused(gzip_bomb: bytes) -> None:
    with pytest.raises(SitemapError, match="cap"):
        parse_sitemap(gzip_bomb, f"{GAZETTE}/sitemap.xml.gz")


def test_corrupt_gzip_is_refused() -> None:
    truncated = gzip.compress(load("sitemap.xml"))[:200]
    with pytest.raises(SitemapError, match="gzip"):
        parse_sitemap(truncated, f"{GAZETTE}/sitemap.xml.gz")


def test_uncompressed_sitemap_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "MAX_BYTES", 1000)
    with pytest.raises(SitemapError, match="cap"):
        parse_sitemap(load("sitemap.xml"), f"{GAZETTE}/sitemap.xml")


def test_google_news_sitemap_gives_publication_dates_in_utc_and_titles() -> None:
    base = "https://www.rheinpost.example/news-sitemap.xml"
    links, _ = parse_sitemap(load("news_sitemap.xml"), base)
    assert links == [
        Link(
            "https://www.rheinpost.example/politik/2024-05-14/bundestag-beschliesst-haushalt-2025",
            published=datetime(2024, 5, 14, 6, 15, tzinfo=UTC),
            title="Bundestag beschließt Haushalt 2025 & Schuldenbremse",
        ),
        Link(
            "https://www.rheinpost.example/sport/2024-05-13/pokalfinale-in-berlin-ausverkauft",
            lastmod=datetime(2024, 5, 13, 21, 40, tzinfo=UTC),
            published=datetime(2024, 5, 13, 19, 5, tzinfo=UTC),
            title="Pokalfinale in Berlin ausverkauft",
        ),
    ]


def test_plain_text_sitemap_keeps_full_http_urls_once() -> None:
    links, children = parse_sitemap(load("sitemap.txt"), "https://www.valleytimes.example/s.txt")
    assert children == []
    assert [link.url for link in links] == [
        "https://www.valleytimes.example/local/2024/05/14/bridge-closure-extended-through-june",
        "https://www.valleytimes.example/local/2024/05/13/school-board-approves-new-budget",
        "https://www.valleytimes.example/sports/2024/05/12/tigers-clinch-division-title",
        "http://valleytimes.example/archive/story.php?id=48213",
    ]


def test_malformed_sitemap_is_recovered() -> None:
    links, _ = parse_sitemap(load("malformed_sitemap.xml"), "https://www.coastnews.example/")
    assert [link.url for link in links] == [
        "https://www.coastnews.example/2024/05/14/storm-warning-issued-for-coast",
        "https://www.coastnews.example/2024/05/13/ferry-service-suspended-amid-high-winds",
        # A bare "&" and "&amp;" both survive the parser's recovery; CDATA is kept as written.
        "https://www.coastnews.example/events/harbour-festival.php?id=48213&day=sunday&lang=en",
        "https://www.coastnews.example/search.php?q=tides&sort=date",
        "https://www.coastnews.example/2024/05/11/lifeboat-crew-honoured",
        "https://www.coastnews.example/2024/05/10/lighthouse-keeper-retires-after-40-years",
    ]
    assert links[0].lastmod == datetime(2024, 5, 14, 6, 0, tzinfo=UTC)


def test_external_entities_are_never_expanded() -> None:
    links, children = parse_sitemap(load("xxe_sitemap.xml"), "https://www.example.com/")
    # The locs holding entities are dropped, not truncated before the entity or expanded.
    assert links == [Link("https://www.example.com/news/2024/05/14/plain-story-survives")]
    assert children == []
    assert "root:" not in repr(links) and "lol" not in repr(links)


def test_only_the_first_50000_urls_are_read(caplog: pytest.LogCaptureFixture) -> None:
    entries = "".join(f"<url><loc>/a/{n}</loc></url>" for n in range(50_003))
    content = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    with caplog.at_level(logging.WARNING, logger="crawler.sitemaps"):
        links, _ = parse_sitemap(content.encode(), "https://big.example/sitemap.xml")
    assert len(links) == 50_000
    assert links[-1].url == "https://big.example/a/49999"
    assert "over 50000 URLs" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        (FEEDS / "rss20.xml").read_bytes(),
        (FEEDS / "not_a_feed.html").read_bytes(),
        b"<?xml version='1.0'?><!-- nothing else -->",
    ],
)
def test_documents_that_are_not_sitemaps_raise(content: bytes) -> None:
    with pytest.raises(SitemapError, match="not a sitemap"):
        parse_sitemap(content, "https://www.example.com/sitemap.xml")


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("sitemap.xml", "application/xml", True),
        ("sitemap_index.xml", "text/xml", True),
        ("news_sitemap.xml", "", True),
        ("malformed_sitemap.xml", "", True),
        ("sitemap.txt", "text/plain; charset=utf-8", True),
        ("sitemap.txt", "", True),
        ("sitemap.txt", "text/html", False),
        ("../feeds/rss20.xml", "application/rss+xml", False),
        ("../feeds/not_a_feed.html", "text/html", False),
    ],
)
def test_is_sitemap(name: str, content_type: str, expected: bool) -> None:
    assert is_sitemap(load(name), content_type) is expected


def test_is_sitemap_looks_inside_gzip(gzip_bomb: bytes) -> None:
    assert is_sitemap(gzip.compress(load("sitemap_index.xml")))
    assert not is_sitemap(gzip_bomb)
    assert not is_sitemap(b"\x1f\x8bnot gzip at all")
