"""Crawl and re-extraction jobs: pages from the crawler, articles into the index."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crawler import Article
from crawler.crawl import WARC_DIR, Crawler, CrawlOptions, CrawlStats, Outcome
from crawler.warc import archived_pages
from crawler.workers import PROCESSES, Extractors
from indexer import AddCounts, NewsIndex

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class CrawlReport:
    """What a crawl did: articles stored, and the pages it skipped or failed on (with why)."""

    counts: AddCounts = field(default_factory=AddCounts)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    stats: CrawlStats = field(default_factory=CrawlStats)


def crawl(
    sources: list[str],
    index: NewsIndex,
    options: CrawlOptions | None = None,
    on_outcome: Callable[[Outcome, CrawlStats], None] | None = None,
) -> CrawlReport:
    """Crawl `sources` into `index`; `on_outcome` hears about every page as it is done."""
    report = CrawlReport()

    def commit(articles: list[Article]) -> None:
        report.counts += index.add(articles)

    with Crawler(index.path, options) as crawler:
        report.stats = crawler.stats
        for outcome in crawler.run(sources, commit):
            _note(report, outcome)
            if on_outcome:
                on_outcome(outcome, crawler.stats)
    return report


def reextract(
    index: NewsIndex,
    on_outcome: Callable[[Outcome], None] | None = None,
    processes: int = PROCESSES,
) -> CrawlReport:
    """Extract every page kept in the archive's WARC files again, replacing stored articles."""
    report = CrawlReport()
    batch: list[Article] = []
    for outcome in _outcomes(index.path / WARC_DIR, processes):
        _note(report, outcome)
        if outcome.article is not None:
            batch.append(outcome.article)
            if len(batch) >= BATCH_SIZE:
                report.counts += index.add(batch)
                batch = []
        if on_outcome:
            on_outcome(outcome)
    report.counts += index.add(batch)
    return report


def _outcomes(folder: Path, processes: int) -> Iterator[Outcome]:
    if not folder.is_dir():
        return
    extractors = Extractors(processes)
    try:
        yield from extractors.extract_all(archived_pages(folder))
    finally:
        extractors.close()


def _note(report: CrawlReport, outcome: Outcome) -> None:
    if outcome.error:
        logger.info("failed %s: %s", outcome.location, outcome.error)
        report.errors.append((outcome.location, outcome.error))
    elif outcome.article is None:
        report.skipped.append((outcome.location, outcome.skipped))
