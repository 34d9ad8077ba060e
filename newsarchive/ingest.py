"""Crawl and re-extraction jobs: pages from the crawler, articles into the index."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crawler import Article
from crawler.crawl import WARC_DIR, Crawler, CrawlOptions, CrawlStats, Outcome
from crawler.frontier import FRONTIER_FILE
from crawler.skiplog import SkipLog
from crawler.warc import archived_pages
from crawler.workers import PROCESSES, Extractors
from indexer import AddCounts, NewsIndex

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class CrawlReport:
    """What a crawl did: articles stored, and the pages it left out or failed on (with why)."""

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
    extractors = (
        _dask_extractors(client, options.processes, options.keep_refused)
        if client is not None
        else None
    )
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
    keep_refused: bool = False,
) -> CrawlReport:
    """Extract every page kept in the archive's WARC files again, replacing stored articles
    (in `processes` local worker processes, or on the cluster of a Dask `client`); with
    `keep_refused`, pages refused as not articles give their article anyway."""
    report = CrawlReport()
    batch: list[Outcome] = []
    extractors = (
        _dask_extractors(client, 0, keep_refused)
        if client is not None
        else Extractors(processes, keep_refused)
    )
    if not (index.path / WARC_DIR).is_dir():
        extractors.close()
        return report
    skips = SkipLog(index.path / FRONTIER_FILE)

    def commit() -> None:
        report.counts += index.add([o.article for o in batch if o.article is not None])
        skips.note(batch)  # after the commit: a page unlisted is in the index
        batch.clear()

    try:
        for outcome in _outcomes(index.path / WARC_DIR, extractors):
            _note(report, outcome)
            batch.append(outcome)
            if len(batch) >= BATCH_SIZE:
                commit()
            if on_outcome:
                on_outcome(outcome)
        commit()
    finally:
        skips.close()
    return report


def _outcomes(folder: Path, extractors: Extractors) -> Iterator[Outcome]:
    """Yield the Outcome of every page kept in `folder`'s WARC files; close `extractors`."""
    try:
        yield from extractors.extract_all(archived_pages(folder))
    finally:
        extractors.close()


def _dask_extractors(client: Client, processes: int, keep_refused: bool) -> Extractors:
    """Return Extractors reading local pages on `client`'s cluster, web pages in `processes`."""
    from crawler.dask_workers import DaskExtractors  # Dask is an optional dependency

    return DaskExtractors(client, processes, keep_refused)


def _note(report: CrawlReport, outcome: Outcome) -> None:
    if outcome.error:
        logger.info("failed %s: %s", outcome.location, outcome.error)
        report.errors.append((outcome.location, outcome.error))
    elif outcome.left_out:
        logger.info("skipped %s: %s", outcome.location, outcome.skipped)
        report.skipped.append((outcome.location, outcome.skipped))
