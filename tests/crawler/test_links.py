"""In-page link and feed discovery, the same-site test and the article URL filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.links import feed_urls, looks_like_article_url, page_links, same_site
from crawler.urls import absolute_url

PAGE = Path(__file__).parent / "fixtures" / "feeds" / "article_page.html"
PAGE_URL = "https://www.harbourgazette.example/world/2024/05/14/ceasefire-talks-resume-in-cairo"


def test_page_links_are_absolute_unique_in_order_and_honour_base_href() -> None:
    assert page_links(PAGE.read_bytes(), PAGE_URL) == [
        "https://www.harbourgazette.example/",
        # Relative to <base href=".../world/">, not to the page's own URL.
        "https://www.harbourgazette.example/world/2024/05/13/floods-force-thousands-from-homes",
        "https://www.harbourgazette.example/business/",
        "https://www.un.example/press/2024/05/14/statement",
        "https://live.harbourgazette.example/world/cairo-talks",
        "https://www.harbourgazette.example/about",
    ]


def test_page_links_without_base_href_resolve_against_the_page_url() -> None:
    html = '<p><a href="../13/story-two#c">two</a> <a href="story-three?x=1">three</a></p>'
    assert page_links(html, "https://news.example/2024/05/14/story-one") == [
        "https://news.example/2024/05/13/story-two",
        "https://news.example/2024/05/14/story-three?x=1",
    ]


@pytest.mark.parametrize("html", ["", "   ", b"", "<html></html>"])
def test_page_links_of_an_empty_page_are_none(html: str | bytes) -> None:
    assert page_links(html, PAGE_URL) == []


def test_feed_urls_lists_rss_atom_and_json_feeds_once() -> None:
    assert feed_urls(PAGE.read_bytes(), PAGE_URL) == [
        "https://www.harbourgazette.example/world/rss.xml",
        "https://www.harbourgazette.example/feeds/all.atom",
        "https://feeds.harbourgazette.example/world.json",
    ]


def test_feed_urls_of_a_page_without_feeds_are_none() -> None:
    html = '<html><head><link rel="stylesheet" href="/a.css"></head><body></body></html>'
    assert feed_urls(html, PAGE_URL) == []


@pytest.mark.parametrize(
    ("url", "seed", "expected"),
    [
        ("https://www.example.com/news/a", "https://example.com/", True),
        ("http://example.com/news/a", "https://www.example.com/", True),
        ("https://live.example.com/x", "https://www.example.com/", True),
        ("https://EXAMPLE.com:8443/x", "https://example.com/", True),
        ("https://example.co.uk/x", "https://example.com/", False),
        ("https://notexample.com/x", "https://example.com/", False),
        ("https://example.com.evil.test/x", "https://example.com/", False),
        ("https://www.example.com/x", "https://news.example.com/", False),
        ("mailto:desk@example.com", "https://example.com/", False),
        ("https://example.com/x", "not a url", False),
    ],
)
def test_same_site(url: str, seed: str, expected: bool) -> None:
    assert same_site(url, seed) is expected


ARTICLE_URLS = [
    "https://www.bbc.co.uk/news/world-europe-68912345",
    "https://www.theguardian.com/world/2024/may/14/ceasefire-talks-resume-cairo",
    "https://www.nytimes.com/2024/05/14/world/middleeast/gaza-ceasefire-talks.html",
    "https://www.lemonde.fr/international/article/2024/05/14/les-negociations_6233412_3210.html",
    "https://edition.cnn.com/2024/05/14/politics/senate-vote-border-bill/index.html",
    "https://www.reuters.com/world/europe/eu-agrees-new-sanctions-package-2024-05-14/",
    "https://www.asahi.com/articles/ASS5G3QWVS5GUTIL01X.html",
    "https://elpais.com/internacional/2024-05-14/las-negociaciones-de-paz-se-reanudan.html",
    "https://www.corriere.it/esteri/24_maggio_14/negoziati-cairo-ripresi-4f5e6a7b.shtml",
    "http://news.example.com/story.php?id=48213",
    "https://www.aljazeera.com/news/2024/5/14/ceasefire-talks-resume?utm_source=rss",
    "https://www.zeit.de/politik/2024-05/haushalt-bundestag-einigung",
    "https://www.welt.de/politik/article251234567/Haushalt-Einigung-im-Bundestag.html",
    "https://meduza.io/news/20240514/vlasti-obyavili-o-novyh-merah",
    "https://www.spiegel.de/politik/deutschland/bundestag-beschliesst-haushalt-a-1f2e3d4c",
]
NON_ARTICLE_URLS = [
    "https://www.bbc.co.uk/",
    "https://www.bbc.co.uk",
    "https://www.example-news.com/tag/climate-change/",
    "https://www.example-news.com/author/jane-doe-smith",
    "https://www.reuters.com/search/news?query=ceasefire",
    "https://www.example-news.com/category/politics/page/2/",
    "https://www.example-news.com/world/2024/05/?page=3",
    "https://www.example-news.com/feed/",
    "https://feeds.bbci.co.uk/news/world/rss.xml",
    "https://cdn.example-news.com/images/2024/05/14/cairo-talks-photo.jpg?w=800",
    "https://www.example-news.com/static/js/app-bundle-min.js",
    "https://www.example-news.com/documents/annual-report-2023.pdf",
    "https://www.example-news.com/podcasts/episode-112-the-week.mp3",
    "https://www.example-news.com/login?next=/2024/05/14/story",
    "https://www.example-news.com/subscribe",
    "https://www.example-news.com/about-us",
    "https://www.example-news.com/contact",
    "https://www.example-news.com/privacy-policy",
    "https://www.example-news.com/terms-of-service",
    "https://www.example-news.com/world/",
]


@pytest.mark.parametrize("url", ARTICLE_URLS)
def test_article_urls_look_like_articles(url: str) -> None:
    assert looks_like_article_url(url)


@pytest.mark.parametrize("url", NON_ARTICLE_URLS)
def test_listing_account_feed_and_media_urls_do_not(url: str) -> None:
    assert not looks_like_article_url(url)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/news/a.html", "https://news.example/news/a.html"),
        ("http://[YOUR-DOMAIN]/story", None),  # a template placeholder left in the page
        ("http://a]/x.html", None),
        ("javascript:alert(1)", None),
        ("mailto:desk@news.example", None),
        ("  ", None),
    ],
)
def test_links_resolve_to_http_urls_or_nothing(href: str, expected: str | None) -> None:
    assert absolute_url(href, "https://news.example/index.html") == expected
