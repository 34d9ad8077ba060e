"""Extraction off the crawl's GIL: pages are read in worker processes that die with the crawl.

Parsing a page holds the GIL for milliseconds, so fetch threads, WARC writing and indexing in
the crawl's own process would wait on it. `Extractors` hands each page to a pool of worker
processes instead. Workers are forked from a small server process that preloads the
extractor, so a pool starts in a few milliseconds; each worker watches its parent and exits
as soon as the crawl is gone, even after `kill -9`. As with any multiprocessing code, a
script that starts a pool must guard its entry point with `if __name__ == "__main__":`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from crawler.article import Article
from crawler.errors import ExtractionError, NotAnArticle
from crawler.extract import extract_article
from crawler.links import page_links
from crawler.page import Page

PROCESSES = os.cpu_count() or 1

# Skip reasons of pages that are not left out: nothing new to read, or listings of articles.
UNCHANGED = "unchanged since the last crawl"
SITEMAP = "a sitemap"
FEED = "a feed"


@dataclass(frozen=True)
class Outcome:
    """What became of one page: an article, or the reason it gave none."""

    location: str
    article: Article | None = None
    skipped: str = ""  # readable, but not a (changed) article
    error: str = ""  # could not be fetched or read
    url: str | None = None  # the page's own URL, where known (the location may be a file)

    @property
    def listing(self) -> bool:
        """Return whether the page was a sitemap or a feed, read for the articles it lists."""
        return self.skipped in (SITEMAP, FEED)

    @property
    def left_out(self) -> bool:
        """Return whether the page was skipped as no article (not as unchanged or a listing)."""
        return bool(self.skipped) and self.skipped != UNCHANGED and not self.listing

    @property
    def key(self) -> str:
        """Return what names the page across crawls and re-extractions: its URL, or location."""
        return self.url or self.location


def extract_page(page: Page, keep_refused: bool = False) -> Outcome:
    """Extract the article of `page`; a page that holds none gives an Outcome saying why.

    With `keep_refused`, a page with body text that the extractor refuses as not an article
    gives its article anyway.
    """
    where = {"location": page.location, "url": page.url}
    try:
        article = extract_article(
            page.content, url=page.url, charset=page.charset, keep_refused=keep_refused
        )
    except NotAnArticle as exc:
        return Outcome(**where, skipped=str(exc))
    except ExtractionError as exc:
        return Outcome(**where, error=str(exc))
    return Outcome(**where, article=replace(article, fetched_at=page.fetched_at))


def read_page(page: Page, links: bool, keep_refused: bool = False) -> tuple[Outcome, list[str]]:
    """Extract `page` and, when `links` is set, list the links it holds."""
    outcome = extract_page(page, keep_refused)
    return outcome, page_links(page.content, page.url or page.location) if links else []


class Extractors:
    """Reads pages in `processes` worker processes (0: in the calling thread); with
    `keep_refused`, pages refused as not articles give their article anyway."""

    def __init__(self, processes: int = PROCESSES, keep_refused: bool = False) -> None:
        self.processes = processes
        self.keep_refused = keep_refused
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            context = _context()
            # Workers wait on the read end; only this process holds the write end.
            self._lifeline, alive = context.Pipe(duplex=False)
            self._pool = ProcessPoolExecutor(
                processes, context, initializer=_start_worker, initargs=(self._lifeline,)
            )
            self._alive = alive

    def read(self, page: Page, links: bool = False) -> tuple[Outcome, list[str]]:
        """Return `read_page(page, links)`, computed in a worker; safe to call from threads."""
        if self._pool is None:
            return read_page(page, links, self.keep_refused)
        return self._pool.submit(read_page, page, links, self.keep_refused).result()

    def extract_all(self, pages: Iterable[Page | Outcome]) -> Iterator[Outcome]:
        """Yield each page's Outcome in order (an Outcome given in place of a page passes)."""
        if self._pool is None:
            yield from (
                page if isinstance(page, Outcome) else extract_page(page, self.keep_refused)
                for page in pages
            )
            return
        window: deque[Future[Outcome] | Outcome] = deque()
        for page in pages:
            passed = isinstance(page, Outcome)
            window.append(
                page if passed else self._pool.submit(extract_page, page, self.keep_refused)
            )
            # Two pages per worker keep every worker busy and memory bounded.
            if len(window) > 2 * self.processes:
                yield _result(window.popleft())
        while window:
            yield _result(window.popleft())

    def close(self) -> None:
        """Stop the workers (pages being read are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._alive.close()
            self._lifeline.close()


def _result(item: Future[Outcome] | Outcome) -> Outcome:
    return item if isinstance(item, Outcome) else item.result()


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.workers"])
    return context


def _start_worker(lifeline: Connection) -> None:
    # Ctrl-C reaches the whole process group; the crawl handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_crawl, args=(lifeline,), daemon=True).start()


def _exit_with_crawl(lifeline: Connection) -> None:
    # Nothing is ever sent: the read ends when the crawl closes the pipe or dies, even by kill -9.
    # (The forkserver cannot tell us: every worker keeps it alive.)
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(1)
