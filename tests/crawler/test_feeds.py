"""Feeds: RSS 0.91, 1.0 and 2.0, Atom 1.0 and JSON Feed entries as `Link`s."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import feeds
from crawler.errors import FeedError
from crawler.feeds import is_feed, parse_feed
from crawler.links import Link

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
GAZETTE = "https://www.harbourgazette.example"


def load(name: str) -> bytes:
    """Return the bytes of a feed fixture."""
    return (FIXTURES / name).read_bytes()


def test_rss20_items_with_relative_links_guids_and_zoned_dates() -> None:
    assert parse_feed(load("rss20.xml"), f"{GAZETTE}/world/rss.xml") == [
        Link(
            f"{GAZETTE}/world/2024/05/14/ceasefire-talks-resume-in-cairo?utm_source=rss",
            published=datetime(2024, 5, 14, 8, 30, tzinfo=UTC),
            title="Ceasefire talks resume in Cairo as envoys arrive",
        ),
        # A relative <link>, resolved against the feed's URL; the title's whitespace folded.
        Link(
            f"{GAZETTE}/world/2024/05/13/floods-force-thousands-from-homes",
            published=datetime(2024, 5, 13, 22, 15, tzinfo=UTC),
            title="Floods force thousands from homes in Porto Alegre",
        ),
        # No <link>: the permalink <guid> is the address; "EST" is UTC-5.
        Link(
            f"{GAZETTE}/world/2024/05/12/analysis-election-result-region",
            published=datetime(2024, 5, 12, 12, 0, tzinfo=UTC),
            title="Analysis: what the election result means for the region",
        ),
        # isPermaLink="false", but the guid is a full URL and there is nothing better.
        Link(f"{GAZETTE}/world/live/europe-votes-2024", title="Live: Europe votes"),
        # The item whose guid is no URL has no address and is left out.
    ]


def test_rss10_rdf_items_with_dublin_core_dates_and_latin1_titles() -> None:
    links = parse_feed(load("rss10.rdf"), "https://www.valleytimes.example/rss/local.rdf")
    assert links == [
        Link(
            "https://www.valleytimes.example/local/2024/05/14/bridge-closure-extended",
            lastmod=datetime(2024, 5, 14, 12, 45, tzinfo=UTC),
            title="Bridge closure extended through June",
        ),
        Link(
            "https://www.valleytimes.example/local/2024/05/13/caf-reopens-after-fire",
            lastmod=datetime(2024, 5, 13, tzinfo=UTC),
            title="Café Lumière reopens after fire",
        ),
    ]


def test_rss091_items_without_dates() -> None:
    links = parse_feed(load("rss091.xml"), "http://www.northernledger.example/rss.xml")
    assert links == [
        Link(
            "http://www.northernledger.example/stories/2003/02/11/mill-town-post-office.html",
            title="Mill town votes to keep its last post office",
        ),
        Link(
            "http://www.northernledger.example/stories/2003/02/10/snowplough-budget.html",
            title="Snowplough budget runs dry in February",
        ),
    ]


def test_atom_entries_resolve_against_xml_base_and_prefer_the_alternate_link() -> None:
    links = parse_feed(load("atom.xml"), "https://feeds.lecourrier.example/atom.xml")
    assert links == [
        Link(
            "https://www.lecourrier.example/environnement/2024/05/14/niveau-du-lac-record",
            lastmod=datetime(2024, 5, 14, 7, 12, tzinfo=UTC),
            published=datetime(2024, 5, 14, 4, 30, tzinfo=UTC),
            title="Le lac atteint son niveau le plus bas depuis 1976",
        ),
        # The entry's own xml:base; rel="related" is not the article; a type="html" title's
        # tags are dropped.
        Link(
            "https://www.lecourrier.example/sport/2024/05/13/etape-du-jura-annulee",
            lastmod=datetime(2024, 5, 13, 18, 0, tzinfo=UTC),
            title="Cyclisme : l\u2019étape du Jura annulée",
        ),
    ]


def test_json_feed_items() -> None:
    assert parse_feed(load("feed.json"), "https://pacificwire.example/feed.json") == [
        Link(
            "https://pacificwire.example/2024/05/14/typhoon-ewiniar-makes-landfall",
            lastmod=datetime(2024, 5, 13, 20, 0, tzinfo=UTC),
            published=datetime(2024, 5, 13, 18, 10, tzinfo=UTC),
            title="Typhoon Ewiniar makes landfall",
        ),
        Link(
            "https://pacificwire.example/2024/05/13/fishing-quotas-cut-again",
            published=datetime(2024, 5, 13, 12, 0, tzinfo=UTC),
            title="Fishing quotas cut again",
        ),
    ]


def test_entries_over_the_cap_are_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(feeds, "MAX_ENTRIES", 2)
    with caplog.at_level(logging.WARNING, logger="crawler.feeds"):
        links = parse_feed(load("rss20.xml"), f"{GAZETTE}/world/rss.xml")
    assert [link.title for link in links] == [
        "Ceasefire talks resume in Cairo as envoys arrive",
        "Floods force thousands from homes in Porto Alegre",
    ]
    assert "over 2 entries" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        load("not_a_feed.html"),
        b"",
        # Never fetched nor opened: feedparser would read a str naming a URL or a file.
        b"https://www.harbourgazette.example/world/rss.xml",
        b"/etc/passwd",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "none"}',
        b'{"version": "https://jsonfeed.org/version/1.1", ',
    ],
)
def test_documents_that_are_not_feeds_raise(content: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(content, f"{GAZETTE}/world/rss.xml")


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("rss20.xml", "", True),
        ("rss10.rdf", "application/xml", True),
        ("rss091.xml", "text/xml", True),
        ("atom.xml", "", True),
        ("feed.json", "application/json", True),
        ("not_a_feed.html", "text/html", False),
        ("article_page.html", "", False),
        ("../sitemaps/sitemap.xml", "application/xml", False),
    ],
)
def test_is_feed_sniffs_the_content(name: str, content_type: str, expected: bool) -> None:
    assert is_feed(load(name), content_type) is expected


def test_is_feed_trusts_a_declared_feed_type() -> None:
    assert is_feed(b"<?xml version='1.0'?>\n<!-- long preamble -->", "application/atom+xml")
