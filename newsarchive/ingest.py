"""The crawl job: read every page of the given sources, extract articles, store and index them."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crawler import Article, CrawlerError, extract_article
from crawler.sources import page_locations, read_page
from indexer import AddCounts, NewsIndex

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class CrawlReport:
    """What a crawl did: articles stored, and the pages it skipped (with why)."""

    counts: AddCounts = field(default_factory=AddCounts)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def plan(sources: list[str]) -> list[str]:
    """Return every page location the crawl `sources` (folders or URLs) hold, in order."""
    return [location for source in sources for location in page_locations(source)]


def crawl_pages(
    locations: list[str],
    index: NewsIndex,
    on_progress: Callable[[int], None] | None = None,
) -> CrawlReport:
    """Read, extract and index the pages at `locations`, one commit per batch."""
    report = CrawlReport()
    batch: list[Article] = []
    for done, location in enumerate(locations, 1):
        try:
            batch.append(_article_at(location))
        except CrawlerError as exc:
            logger.info("skipped %s: %s", location, exc)
            report.skipped.append((location, str(exc)))
        if len(batch) >= BATCH_SIZE or done == len(locations):
            report.counts += index.add(batch)
            batch = []
        if on_progress:
            on_progress(done)
    return report


def _article_at(location: str) -> Article:
    page = read_page(location)
    # A saved page without a canonical link is known by its file's address.
    url = page.url or Path(location).resolve().as_uri()
    article = extract_article(page.content, url=url, charset=page.charset)
    return dataclasses.replace(article, fetched_at=page.fetched_at)
