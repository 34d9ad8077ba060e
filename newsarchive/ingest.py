"""Crawl and re-extraction jobs: pages from the crawler, articles into the index."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crawler import Article
from crawler.crawl import WARC_DIR, Crawler, CrawlOptions, CrawlStats, Outcome
from crawler.warc import archived_pages
from crawler.workers import PROCESSES, Extractors
from indexer import AddCounts, NewsIndex

if TYPE_CHECKING:
    from distributed import Client

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
    client: Client | None = None,
) -> CrawlReport:
    """Crawl `sources` into `index`; `on_outcome` hears about every page as it is done.

    With a Dask `client`, pages of folders and WARC files are read on its cluster (in order,
    so the index ends as after a serial run); pages of live sites are still read locally.
    """
    report = CrawlReport()

    def commit(articles: list[Article]) -> None:
        report.counts += index.add(articles)

    options = options or CrawlOptions()
    extractors = _dask_extractors(client, options.processes) if client is not None else None
    with Crawler(index.path, options, extractors) as crawler:
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
    client: Client | None = None,
) -> CrawlReport:
    """Extract every page kept in the archive's WARC files again, replacing stored articles
    (in `processes` local worker processes, or on the cluster of a Dask `client`)."""
    report = CrawlReport()
    batch: list[Article] = []
    extractors = _dask_extractors(client, 0) if client is not None else Extractors(processes)
    for outcome in _outcomes(index.path / WARC_DIR, extractors):
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


def _outcomes(folder: Path, extractors: Extractors) -> Iterator[Outcome]:
    """Yield the Outcome of every page kept in `folder`'s WARC files; close `extractors`."""
    try:
        if folder.is_dir():
            yield from extractors.extract_all(archived_pages(folder))
    finally:
        extractors.close()


def _dask_extractors(client: Client, processes: int) -> Extractors:
    """Return Extractors reading local pages on `client`'s cluster, web pages in `processes`."""
    from crawler.dask_workers import DaskExtractors  # Dask is an optional dependency

    return DaskExtractors(client, processes)


def _note(report: CrawlReport, outcome: Outcome) -> None:
    if outcome.error:
        logger.info("failed %s: %s", outcome.location, outcome.error)
        report.errors.append((outcome.location, outcome.error))
    elif outcome.article is None:
        report.skipped.append((outcome.location, outcome.skipped))
