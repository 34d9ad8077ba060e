"""Progress lines for long jobs: pages done and what became of them, rate, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from crawler.crawl import CrawlStats


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class CrawlProgress:
    """A crawl's progress line: pages done and what became of them, queue, rate."""

    def __init__(
        self,
        total: int | None = None,
        enabled: bool = True,
        stream: TextIO | None = None,
        interval: float = 1.0,
    ) -> None:
        self.total = total  # known for folders and WARC files, not for the web
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0

    def update(self, stats: CrawlStats) -> None:
        """Print the line for `stats` if one is due."""
        now = time.monotonic()
        if self.enabled and now - self._last >= self.interval:
            self._last = now
            print(self.line(stats), file=self.stream, flush=True)

    def finish(self, stats: CrawlStats) -> None:
        """Print the final line."""
        if self.enabled:
            print(self.line(stats), file=self.stream, flush=True)

    def line(self, stats: CrawlStats) -> str:
        """Return the progress line for `stats`."""
        done = f"{stats.pages:,}/{self.total:,}" if self.total else f"{stats.pages:,}"
        text = (
            f"{done} pages ({stats.articles:,} articles, {stats.unchanged:,} unchanged,"
            f" {stats.skipped:,} skipped, {stats.errors:,} failed)"
        )
        if not self.total:
            text += f", {stats.listings:,} sitemaps and feeds read"
            text += f", {stats.queued:,} queued, {stats.fetched:,} fetched"
            text += f", {stats.host_waits:,.0f} s waiting on hosts"
        text += f", {stats.rate:,.1f} pages/s"
        if self.total and 0 < stats.pages < self.total and stats.rate > 0:
            text += f", ETA {_clock((self.total - stats.pages) / stats.rate)}"
        return text
