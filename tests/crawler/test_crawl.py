"""Whole crawls of a news site on 127.0.0.1: what is fetched, in what order, what is stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawler import Article
from crawler.crawl import Crawler, CrawlOptions, Outcome
from crawler.fetch import FetchPolicy
from crawler.warc import archived_pages
from tests.conftest import Site
from tests.crawler.newssite import NewsSite, build

FAST = FetchPolicy(delay=0.0, backoff=0.05, read_timeout=2.0, allow_private=True)


@pytest.fixture
def news(site: Site) -> NewsSite:
    return build(site)


def crawl(
    archive: Path, sources: list[str], **options: object
) -> tuple[list[Article], list[Outcome]]:
    """Crawl `sources` into `archive`; return the committed articles and every outcome."""
    committed: list[Article] = []
    settings = {"policy": FAST, "workers": 4, **options}
    with Crawler(archive, CrawlOptions(**settings)) as crawler:  # type: ignore[arg-type]
        outcomes = list(crawler.run(sources, committed.extend))
    return committed, outcomes


def fetched(news: NewsSite, path: str) -> int:
    return news.site.paths().count(path)


def test_a_site_crawl_finds_articles_through_links_sitemaps_and_feeds(
    news: NewsSite, tmp_path: Path
) -> None:
    articles, outcomes = crawl(tmp_path, [news.url("/")])
    assert news.site.paths()[0] == "/robots.txt"
    assert fetched(news, "/robots.txt") == 1
    assert {"/sitemap_index.xml", "/news_sitemap.xml", "/rss.xml", "/atom.xml"} <= set(
        news.site.paths()
    )
    for path in news.articles:
        assert fetched(news, path) == 1, path
    assert len({a.id for a in articles}) == len(news.articles) + 1  # and the flaky story
    assert news.private not in news.site.paths()  # robots.txt disallows it
    errors = {o.location: o.error for o in outcomes if o.error}
    assert "HTTP 404" in errors[news.url("/gone-2024.html")]
    assert news.url("/loop-2024.html") in errors
    skipped = {o.location: o.skipped for o in outcomes if o.skipped}
    assert "robots.txt forbids" in skipped[news.url(news.private)]
    assert "not an HTML page" in skipped[news.url(news.pdf)]
    assert "/report.pdf" not in news.site.paths()  # not an article by its URL: never fetched
    assert "no article text" in skipped[news.url("/")]  # the front page
    assert fetched(news, "/flaky-story-2024.html") == 2  # 500, then 200 on the retry


def test_single_fetches_only_the_given_pages(news: NewsSite, tmp_path: Path) -> None:
    articles, _ = crawl(tmp_path, [news.url(news.linked[0])], single=True)
    assert len(articles) == 1
    assert news.site.paths() == ["/robots.txt", news.linked[0]]


def test_max_pages_caps_the_article_fetches(news: NewsSite, tmp_path: Path) -> None:
    articles, _ = crawl(tmp_path, [news.url("/")], max_pages=3)
    assert len(articles) == 3
    assert sum(fetched(news, p) for p in news.articles) == 3


def test_recrawl_revisits_listings_conditionally_and_skips_what_is_fresh(
    news: NewsSite, tmp_path: Path
) -> None:
    first, _ = crawl(tmp_path, [news.url("/")])
    before = len(news.site.log)
    again, outcomes = crawl(tmp_path, [news.url("/")])
    second_run = news.site.paths()[before:]
    assert again == []  # nothing new, nothing changed
    assert "/" in second_run and "/news_sitemap.xml" in second_run
    assert not set(news.articles) & set(second_run)  # fresh pages are not fetched again
    # A week later every page is revisited, conditionally: unchanged ones answer 304.
    before = len(news.site.log)
    again, outcomes = crawl(tmp_path, [news.url("/")], revisit_after=timedelta(0))
    revisits = [v for v in news.site.log[before:] if v.path in news.linked]
    assert revisits and all("if-none-match" in v.headers for v in revisits)
    assert again == [] and first


def test_a_changed_page_is_fetched_and_updated_not_duplicated(
    news: NewsSite, tmp_path: Path
) -> None:
    first, _ = crawl(tmp_path, [news.url("/")])
    story = news.linked[0]
    news.site.routes[story] = (200, {"Content-Type": "text/html"}, news.bodies[news.linked[1]])
    again, _ = crawl(tmp_path, [news.url("/")], revisit_after=timedelta(0))
    assert len(again) == 1  # only the changed page gives an article


def test_every_page_read_is_kept_as_warc(news: NewsSite, tmp_path: Path) -> None:
    crawl(tmp_path, [news.url("/")])
    kept = {page.url for page in archived_pages(tmp_path / "warc")}
    assert {news.url(p) for p in news.articles} <= kept


def test_folders_and_warc_files_are_sources_too(news: NewsSite, tmp_path: Path) -> None:
    crawl(tmp_path / "web", [news.url("/")])
    warc_file = next((tmp_path / "web" / "warc").glob("*.warc.gz"))
    articles, _ = crawl(tmp_path / "from-warc", [str(warc_file)])
    assert len(articles) == len(news.articles) + 1
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "story.html").write_bytes(news.bodies[news.linked[0]])
    articles, _ = crawl(tmp_path / "from-folder", [str(folder)])
    assert len(articles) == 1


@pytest.mark.parametrize(
    ("path", "found"), [("/sitemap_index.xml", "in_sitemap"), ("/rss.xml", "in_feeds")]
)
def test_a_sitemap_or_a_feed_can_be_the_seed(
    news: NewsSite, tmp_path: Path, path: str, found: str
) -> None:
    articles, _ = crawl(tmp_path, [news.url(path)])
    listed = getattr(news, found) if path != "/rss.xml" else news.in_feeds[:2]
    assert {a.fetched_at is not None for a in articles} == {True}
    assert len(articles) == len(listed)
    assert not set(news.linked) & set(news.site.paths())  # the front page was not crawled


REFUSED = Path(__file__).parent / "fixtures" / "refused" / "short_stub_with_text.html"


def captures_of(archive: Path, url: str) -> int:
    return sum(page.url == url for page in archived_pages(archive / "warc"))


def test_a_page_fetched_again_unchanged_is_not_kept_twice(news: NewsSite, tmp_path: Path) -> None:
    path = "/plain-story-2024.html"  # no ETag: every revisit is a full 200
    news.site.routes[path] = (200, {"Content-Type": "text/html"}, news.bodies[news.linked[0]])
    first, _ = crawl(tmp_path, [news.url(path)], single=True, processes=0)
    again, outcomes = crawl(
        tmp_path, [news.url(path)], single=True, processes=0, revisit_after=timedelta(0)
    )
    assert len(first) == 1 and again == []
    assert [o.skipped for o in outcomes] == ["unchanged since the last crawl"]
    assert fetched(news, path) == 2
    assert captures_of(tmp_path, news.url(path)) == 1


def test_keep_refused_reads_again_a_page_left_out_before(news: NewsSite, tmp_path: Path) -> None:
    path = "/stub-2024.html"
    news.site.routes[path] = (200, {"Content-Type": "text/html"}, REFUSED.read_bytes())
    url = news.url(path)
    articles, outcomes = crawl(tmp_path, [url], single=True, processes=0)
    assert articles == [] and "only 50 characters" in outcomes[0].skipped

    kept, _ = crawl(tmp_path, [url], single=True, processes=0, keep_refused=True)

    assert [a.title for a in kept] == ["Council approves new bus lanes"]
    assert fetched(news, path) == 2  # fresh, but left out: fetched again in full
    assert captures_of(tmp_path, url) == 1
