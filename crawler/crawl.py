"""The crawl: sources in, articles out; polite, resumable, incremental, keeping the originals.

Sources are folders of saved pages, WARC/ARC files, and http(s) URLs. A URL is the seed of
a site crawl (its robots.txt sitemaps, /sitemap.xml, the feeds it links to, then same-site
article links up to `depth`), or a sitemap or feed itself; with `single`, just that page.
Web URLs go through the frontier in the archive, so a stopped crawl resumes and a finished
one, run again, revisits only what may have changed. Every page read is kept in the
archive's WARC files, once (a page read again with the same bytes is not written again), so
`reindex --reextract` can redo extraction without the network, and the capture index records
where, under the page's URL and its article's canonical URL. Pages left out of the index are
listed with their reasons in the skip log.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from crawler.article import Article
from crawler.captures import CAPTURES_FILE, CaptureEntry, CaptureIndex
from crawler.crawllock import CrawlLock
from crawler.errors import (
    FetchError,
    RobotsDisallowed,
    RobotsUnavailable,
    SourceError,
)
from crawler.feeds import is_feed, parse_feed
from crawler.fetch import Fetcher, FetchPolicy, Response, check_url
from crawler.frontier import FRONTIER_FILE, Entry, Frontier
from crawler.links import Link, feed_urls, looks_like_article_url, same_site
from crawler.page import Page
from crawler.sitemaps import is_sitemap, parse_sitemap
from crawler.skiplog import SkipLog
from crawler.sources import is_url, read_saved_page, saved_pages
from crawler.warc import WarcWriter, count_records, is_warc, warc_pages
from crawler.workers import FEED, PROCESSES, SITEMAP, UNCHANGED, Extractors, Outcome

logger = logging.getLogger(__name__)

WARC_DIR = "warc"


@dataclass(frozen=True)
class CrawlOptions:
    """How far and how fast to crawl; the defaults suit a polite crawl of a news site."""

    depth: int = 2
    max_pages: int = 10_000
    single: bool = False
    revisit_after: timedelta = timedelta(days=7)
    workers: int = 4  # fetches at once, overlapping network waits
    processes: int = PROCESSES  # extraction worker processes (0: extract in the fetch threads)
    date_from: datetime | None = None  # WARC capture dates, inclusive
    date_to: datetime | None = None
    keep_refused: bool = False  # index pages the extractor refuses as not articles anyway
    policy: FetchPolicy = field(default_factory=FetchPolicy)


@dataclass
class CrawlStats:
    """Live counters of a crawl, for progress lines and the final summary."""

    started: float = field(default_factory=time.monotonic)
    fetched: int = 0
    articles: int = 0
    unchanged: int = 0
    skipped: int = 0  # left out: not articles, forbidden by robots.txt, not HTML
    errors: int = 0
    listings: int = 0  # sitemaps and feeds read
    queued: int = 0
    host_waits: float = 0.0  # seconds fetches spent waiting on per-host politeness
    recrawl: bool = False  # every web seed was crawled before: finding nothing new is fine

    @property
    def pages(self) -> int:
        """Pages done so far, whatever became of them."""
        return self.articles + self.unchanged + self.skipped + self.errors + self.listings

    @property
    def rate(self) -> float:
        """Pages done per second since the crawl started."""
        return self.pages / max(time.monotonic() - self.started, 1e-9)

    def count(self, outcome: Outcome) -> None:
        """Add one page's outcome to the counters."""
        if outcome.article is not None:
            self.articles += 1
        elif outcome.error:
            self.errors += 1
        elif outcome.skipped == UNCHANGED:
            self.unchanged += 1
        elif outcome.listing:
            self.listings += 1
        else:
            self.skipped += 1


BATCH_ARTICLES = 500
BATCH_SECONDS = 5.0


@dataclass(frozen=True)
class FetchRecord:
    """What the frontier keeps of one fetch, written once the page's article is committed."""

    url: str
    status: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class LocalRead:
    """A page of a folder or WARC file read: its URL, digest, and where it was kept (None:
    the archive held these bytes already)."""

    url: str
    content_hash: str
    kept: CaptureEntry | None


# A discovered URL and what it is to the crawl: "sitemap", "feed" or "page".
Found = tuple[str, Link]
# Stores a batch of articles durably (the index's add) before the crawl moves on.
Commit = Callable[[list[Article]], object]


@dataclass(frozen=True)
class Visit:
    """The result of fetching one frontier URL: outcome, links found, and the fetch record."""

    outcome: Outcome
    found: list[Found] = field(default_factory=list)
    record: FetchRecord | None = None


class _Batch:
    """Articles waiting for one commit, and the fetches and reads to log once it lands."""

    def __init__(self, commit: Commit, frontier: Frontier, skips: SkipLog) -> None:
        self.commit = commit
        self.frontier = frontier
        self.skips = skips
        self.outcomes: list[Outcome] = []
        self.records: list[FetchRecord] = []
        self.reads: list[tuple[str, str, bool]] = []
        self.articles = 0
        self.since = time.monotonic()

    def add(
        self, outcome: Outcome, record: FetchRecord | None = None, read: LocalRead | None = None
    ) -> None:
        """Hold `outcome` and its fetch `record` or local `read` until the next commit; commit
        when due."""
        self.outcomes.append(outcome)
        if record is not None:
            self.records.append(record)
        if read is not None:
            self.reads.append((read.url, read.content_hash, outcome.article is not None))
        self.articles += outcome.article is not None
        due = time.monotonic() - self.since >= BATCH_SECONDS
        if self.articles >= BATCH_ARTICLES or due:
            self.flush()

    def flush(self) -> None:
        """Commit the held articles, then log their fetches and reads, done."""
        articles = [o.article for o in self.outcomes if o.article is not None]
        if articles:
            self.commit(articles)
        self.skips.note(self.outcomes)
        self.frontier.note_local_reads(self.reads)
        self.frontier.done_many(
            [
                (
                    r.url,
                    r.status,
                    {
                        "etag": r.etag,
                        "last_modified": r.last_modified,
                        "content_hash": r.content_hash,
                        "fetched_at": r.fetched_at,
                    },
                )
                for r in self.records
            ]
        )
        self.outcomes, self.records, self.reads, self.articles = [], [], [], 0
        self.since = time.monotonic()


class Crawler:
    """Runs crawls into one archive folder (frontier, fetch log, WARC files and the capture
    index live there)."""

    def __init__(
        self,
        archive: Path,
        options: CrawlOptions | None = None,
        extractors: Extractors | None = None,
    ) -> None:
        self.archive = Path(archive)
        self.options = options or CrawlOptions()
        self.stats = CrawlStats()
        self.archive.mkdir(parents=True, exist_ok=True)
        self.lock = CrawlLock(self.archive)
        self.frontier = Frontier(self.archive / FRONTIER_FILE)
        self.warc = WarcWriter(self.archive / WARC_DIR)
        self.captures = CaptureIndex(self.archive / CAPTURES_FILE)
        self.skips = SkipLog(self.archive / FRONTIER_FILE)
        # Others (a Dask cluster's) may read the pages; by default, local worker processes.
        self.extractors = extractors or Extractors(
            self.options.processes, self.options.keep_refused
        )
        self._refetch: set[str] = set()  # left-out web pages to read again (keep_refused)
        self._fetcher: Fetcher | None = None

    def run(self, sources: list[str], commit: Commit) -> Iterator[Outcome]:
        """Crawl `sources`, yielding each page's outcome; articles go to `commit` in batches.

        A web page counts as done in the frontier only once `commit` has returned for its
        article, so a crawl killed at any point resumes without losing an article.
        """
        checked = [check_source(source) for source in sources]  # fail before any work
        batch = _Batch(commit, self.frontier, self.skips)
        try:
            for source in checked:
                if not is_url(source):
                    yield from self._local(source, batch)
            urls = [source for source in checked if is_url(source)]
            if urls:
                yield from self._web(urls, batch)
        finally:
            batch.flush()

    def close(self) -> None:
        """Finish the WARC file; stop the workers; release the network client and the databases."""
        self.extractors.close()
        self.warc.close()
        if self._fetcher is not None:
            self._fetcher.close()
        self.captures.close()
        self.skips.close()
        self.frontier.close()
        self.lock.release()

    def __enter__(self) -> Crawler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Local sources: saved pages and WARC files.

    def _local(self, source: str, batch: _Batch) -> Iterator[Outcome]:
        path = Path(source)
        pages = (
            warc_pages(path, date_from=self.options.date_from, date_to=self.options.date_to)
            if is_warc(path)
            else (self._saved(file) for file in saved_pages(path))
        )
        reads: dict[str, LocalRead] = {}  # by page location, until the page's outcome is in
        for outcome in self.extractors.extract_all(self._keep(page, reads) for page in pages):
            read = reads.pop(outcome.location, None)
            self._index_article_capture(outcome, read.kept if read else None)
            batch.add(outcome, read=read)
            self.stats.count(outcome)
            yield outcome

    def _saved(self, path: Path) -> Page | Outcome:
        try:
            page = read_saved_page(path)
        except (OSError, EOFError, SourceError) as exc:
            return Outcome(str(path), error=f"cannot read {path}: {exc}")
        # A saved page that names no URL of its own is known by its file's address.
        return replace(page, url=page.url or path.resolve().as_uri())

    def _keep(self, page: Page | Outcome, reads: dict[str, LocalRead]) -> Page | Outcome:
        """Write `page` to the archive's WARC files unless they hold its bytes already, noting
        the read in `reads` by location; return the page to extract, or an Outcome if it gave
        an article when these bytes were last read (an Outcome passes untouched)."""
        if isinstance(page, Outcome):
            return page
        url = page.url or page.location
        digest = hashlib.sha256(page.content).hexdigest()
        known = self.frontier.local_read(url, digest)
        if known:
            return Outcome(page.location, skipped=UNCHANGED, url=page.url)
        kept = None
        if known is None:  # read before without an article: kept already, read again
            kind = f"text/html; charset={page.charset}" if page.charset else "text/html"
            headers = {"Content-Type": kind}
            kept = self._archive(url, 200, headers, page.content, page.fetched_at)
        reads[page.location] = LocalRead(url, digest, kept)
        return page

    def _archive(
        self,
        url: str,
        status: int,
        headers: dict[str, str] | list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
    ) -> CaptureEntry:
        """Write a response to the WARC files and record its capture under `url`."""
        capture = self.warc.write_response(url, status, headers, body, fetched_at)
        entry = CaptureEntry(url, capture, fetched_at)
        self.captures.add(entry)
        return entry

    def _index_article_capture(self, outcome: Outcome, entry: CaptureEntry | None) -> None:
        """Record the capture an article came from under the article's canonical URL too."""
        article = outcome.article
        if entry is not None and article is not None and article.url != entry.url:
            self.captures.add(replace(entry, url=article.url))

    # The web: a frontier of URLs fetched by a pool of threads.

    def _web(self, urls: list[str], batch: _Batch) -> Iterator[Outcome]:
        self.stats.recrawl = all(self._crawled_before(url) for url in urls)
        revisited = self.frontier.revisit(self.options.revisit_after)
        if revisited:
            logger.info("revisiting %d listings and stale pages", revisited)
        if self.options.keep_refused:
            self._refetch = self.skips.keys()
            refetched = self.frontier.requeue(self._refetch)
            logger.info("reading again %d pages left out before (--keep-refused)", refetched)
        for url in urls:
            self.frontier.add(
                url, kind="page" if self.options.single else "seed", depth=0, site=url
            )
        self._fetcher = self._fetcher or Fetcher(self.options.policy)
        page_budget = self.options.max_pages
        running: dict[Future[Visit], Entry] = {}
        counted = 0.0
        with ThreadPoolExecutor(self.options.workers, thread_name_prefix="crawl") as pool:
            while True:
                # A claimed URL is marked done only once its article's batch is committed.
                # Refilled in chunks (a claim is a transaction); two URLs per thread keep all busy.
                room = 2 * self.options.workers - len(running)
                ready = room >= self.options.workers or not running
                for entry in self.frontier.claim(room, pages=page_budget) if ready else []:
                    page_budget -= entry.kind == "page"
                    running[pool.submit(self._visit, entry)] = entry
                if time.monotonic() - counted > 1.0:  # a count scans the queue: once a second
                    self.stats.queued = self.frontier.queue_size()
                    self.stats.host_waits = self._fetcher.host_waits
                    counted = time.monotonic()
                if not running:
                    return
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    entry = running.pop(future)
                    visit = future.result()
                    self._enqueue(entry, visit.found)
                    batch.add(visit.outcome, visit.record)
                    self.stats.fetched += visit.record is not None
                    self.stats.count(visit.outcome)
                    yield visit.outcome

    def _crawled_before(self, url: str) -> bool:
        entry = self.frontier.get(url)
        return entry is not None and entry.fetched_at is not None

    def _visit(self, entry: Entry) -> Visit:
        """Fetch one frontier URL and read it (runs on a pool thread); no page stops the crawl."""
        try:
            return self._fetch_and_read(entry)
        except (BrokenExecutor, OSError, sqlite3.Error):
            raise  # the crawl's own machinery failed: every page after this one would too
        except Exception as exc:  # one page's data tripping a bug must not end the whole crawl
            reason = (
                f"unexpected {type(exc).__name__} ({exc}); this is a crawler bug, please report "
                "it with this message and its traceback; the crawl went on without this page"
            )
            logger.exception("%s: %s", entry.url, reason)
            self.frontier.failed(entry.url, reason)
            return Visit(Outcome(entry.url, error=reason))

    def _fetch_and_read(self, entry: Entry) -> Visit:
        """Fetch one frontier URL and read it."""
        assert self._fetcher is not None
        # A page left out before is read again (keep_refused): asked for in full, not a 304.
        again = entry.url in self._refetch
        try:
            response = self._fetcher.get(
                entry.url,
                etag=None if again else entry.etag,
                last_modified=None if again else entry.last_modified,
            )
        except FetchError as exc:
            self.frontier.failed(entry.url, str(exc))  # revisits ask again
            # A page robots.txt forbids is left out on purpose: skipped, not failed.
            forbidden = isinstance(exc, RobotsDisallowed) and not isinstance(exc, RobotsUnavailable)
            if not forbidden:
                logger.info("%s", exc)
            return Visit(Outcome(entry.url, **{"skipped" if forbidden else "error": str(exc)}))
        record = FetchRecord(
            entry.url,
            response.status,
            response.etag,
            response.last_modified,
            entry.content_hash,
            response.fetched_at,
        )
        if response.status == 304:
            return Visit(Outcome(entry.url, skipped=UNCHANGED), record=record)
        record = replace(record, content_hash=hashlib.sha256(response.content).hexdigest())
        unchanged = record.content_hash == entry.content_hash
        if unchanged and not again:
            return Visit(Outcome(entry.url, skipped=UNCHANGED), record=record)
        kept = None
        if not unchanged:  # the archive's WARC files hold the bytes already otherwise
            kept = self._archive(
                response.url,
                response.status,
                response.headers,
                response.content,
                response.fetched_at,
            )
        outcome, found = self._read(entry, response)
        self._index_article_capture(outcome, kept)
        return Visit(outcome, found, record)

    def _read(self, entry: Entry, response: Response) -> tuple[Outcome, list[Found]]:
        content, kind = response.content, response.content_type
        try:
            if entry.kind in ("seed", "sitemap") and is_sitemap(content, kind):
                pages, children = parse_sitemap(content, response.url)
                found = [("sitemap", Link(url)) for url in children]
                return Outcome(entry.url, skipped=SITEMAP), found + [("page", p) for p in pages]
            if entry.kind in ("seed", "feed") and is_feed(content, kind):
                pages = parse_feed(content, response.url)
                return Outcome(entry.url, skipped=FEED), [("page", link) for link in pages]
        except SourceError as exc:  # a corrupt sitemap or feed
            return Outcome(entry.url, error=str(exc)), []
        if not response.is_html:
            return Outcome(entry.url, skipped=f"not an HTML page ({kind})"), []
        follow = entry.depth < self.options.depth and not self.options.single
        outcome, links = self.extractors.read(response.page(), links=follow)
        found = [
            ("page", Link(url))
            for url in links
            if same_site(url, entry.site) and looks_like_article_url(url)
        ]
        if entry.kind == "seed" and not self.options.single:
            found += self._listings(response)
        return outcome, found

    def _listings(self, response: Response) -> list[Found]:
        """Return the sitemaps and feeds a seed announces (robots.txt, /sitemap.xml, <link>)."""
        assert self._fetcher is not None
        sitemaps = self._fetcher.robots_sitemaps(response.url)
        sitemaps = sitemaps or [urljoin(response.url, "/sitemap.xml")]
        found: list[Found] = [("sitemap", Link(url)) for url in sitemaps]
        return found + [("feed", Link(url)) for url in feed_urls(response.content, response.url)]

    def _enqueue(self, entry: Entry, found: list[Found]) -> None:
        self.frontier.add_many(
            [
                (
                    link.url,
                    kind,
                    entry.depth if kind != "page" else entry.depth + 1,
                    entry.site,
                    link.lastmod,
                )
                for kind, link in found
            ]
        )


def check_source(source: str) -> str:
    """Return `source` if it is an http(s) URL, a folder or a WARC file; else SourceError."""
    if is_url(source):
        return check_url(source)
    path = Path(source)
    if path.is_dir() or (path.is_file() and is_warc(path)):
        return source
    if path.exists():
        raise SourceError(
            f"{source} is neither a folder of saved pages nor a WARC/ARC file (.warc, .warc.gz)."
        )
    raise SourceError(f"{source} does not exist; give a folder, a WARC file or an http(s) URL.")


def local_page_count(sources: list[str]) -> int | None:
    """Return how many pages local `sources` hold, or None when one is a URL (unknown)."""
    if any(is_url(source) for source in sources):
        return None
    return sum(count_records(Path(s)) if is_warc(Path(s)) else len(saved_pages(s)) for s in sources)
