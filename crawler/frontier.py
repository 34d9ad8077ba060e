"""The crawl frontier and fetch log: every URL a crawl knows, in SQLite inside the archive.

It is what makes crawls resumable (a killed crawl restarts where it stopped) and incremental
(a finished crawl run again revisits only what may have changed). Pages of folders and WARC
files are not queued; their log (`local_reads`) holds the digest of each page kept, so a
re-read finds what the archive already holds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

FRONTIER_FILE = "crawl.sqlite"

# What a URL is to the crawl; listings (seeds, sitemaps, feeds) are always revisited first.
KINDS = ("seed", "sitemap", "feed", "page")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    site TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    priority INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    lastmod TEXT,
    fetched_at TEXT,
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS urls_queue ON urls (state, priority, seq);
CREATE TABLE IF NOT EXISTS local_reads (
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (url, content_hash)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Entry:
    """One URL of the frontier and what the last fetch of it found."""

    url: str
    kind: str
    depth: int
    site: str
    state: str
    lastmod: datetime | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


class Frontier:
    """Queued, done and failed URLs of an archive's crawls; safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL sync survives a killed process; only a power cut may lose the last
        # commits, and those pages are simply fetched again.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # Every change is its own committed transaction: a kill -9 loses at most the URL in hand.
        self._conn.executescript(_SCHEMA)
        self._release_claims()
        self._seq = self._conn.execute("SELECT coalesce(max(seq), 0) FROM urls").fetchone()[0]

    def add(
        self, url: str, *, kind: str, depth: int, site: str, lastmod: datetime | None = None
    ) -> bool:
        """Queue `url` if it is new, or if `lastmod` says it changed since its last fetch."""
        return self.add_many([(url, kind, depth, site, lastmod)]) == 1

    def add_many(self, urls: list[tuple[str, str, int, str, datetime | None]]) -> int:
        """Queue each new or changed (url, kind, depth, site, lastmod), in one transaction."""
        queued = 0
        with self._lock, self._conn:
            for url, kind, depth, site, lastmod in urls:
                row = self._conn.execute(
                    "SELECT state, fetched_at FROM urls WHERE url = ?", (url,)
                ).fetchone()
                if row is None:
                    self._seq += 1
                    self._conn.execute(
                        "INSERT INTO urls (url, kind, depth, site, priority, seq, lastmod)"
                        " VALUES (?,?,?,?,?,?,?)",
                        (url, kind, depth, site, kind == "page", self._seq, _iso(lastmod)),
                    )
                    queued += 1
                    continue
                state, fetched_at = row
                finished = state in ("done", "failed")
                if finished and lastmod and fetched_at and lastmod > _parse(fetched_at):
                    self._requeue("url = ?", (url,), lastmod=lastmod)
                    queued += 1
        return queued

    def queued(self, limit: int) -> list[Entry]:
        """Return up to `limit` queued URLs: listings first, then pages in discovery order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM urls WHERE state = 'queued' ORDER BY priority, seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [_entry(row) for row in rows]

    def claim(self, limit: int, pages: int | None = None) -> list[Entry]:
        """Take up to `limit` queued URLs (at most `pages` of them pages) for fetching.

        Claimed URLs leave the queue until `done` or `failed` records them; claims still open
        when the frontier is closed or reopened (after a crash) return to the queue.
        """
        only_listings = " AND kind != 'page'" if pages == 0 else ""
        with self._lock, self._conn:
            rows = self._conn.execute(
                f"SELECT * FROM urls WHERE state = 'queued'{only_listings}"
                " ORDER BY priority, seq LIMIT ?",
                (limit,),
            ).fetchall()
            entries = [_entry(row) for row in rows]
            if pages is not None:  # leave the pages past the budget queued
                surplus = {e.url for e in [e for e in entries if e.kind == "page"][pages:]}
                entries = [e for e in entries if e.url not in surplus]
            self._conn.executemany(
                "UPDATE urls SET state = 'claimed' WHERE url = ?", [(e.url,) for e in entries]
            )
        return entries

    def done(self, url: str, *, status: int, **fetch: object) -> None:
        """Record a finished fetch of `url` (304s keep the previous content hash)."""
        self.done_many([(url, status, fetch)])

    def done_many(self, fetches: list[tuple[str, int, dict]]) -> None:
        """Record finished fetches (url, status, {etag, last_modified, content_hash,
        fetched_at}) in one transaction."""
        with self._lock, self._conn:
            self._conn.executemany(
                "UPDATE urls SET state = 'done', http_status = ?, fetched_at = ?, error = NULL,"
                " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
                " content_hash = coalesce(?, content_hash) WHERE url = ?",
                [
                    (
                        status,
                        _iso(fetch.get("fetched_at") or datetime.now(UTC)),
                        fetch.get("etag"),
                        fetch.get("last_modified"),
                        fetch.get("content_hash"),
                        url,
                    )
                    for url, status, fetch in fetches
                ],
            )

    def failed(self, url: str, error: str) -> None:
        """Record that fetching or reading `url` failed, and why."""
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE urls SET state = 'failed', fetched_at = ?, error = ? WHERE url = ?",
                (_iso(datetime.now(UTC)), error, url),
            )

    def requeue(self, urls: Iterable[str]) -> int:
        """Queue again each of `urls` the frontier has finished with; return how many."""
        with self._lock, self._conn:
            return sum(
                self._requeue("url = ? AND state IN ('done', 'failed')", (url,)) for url in urls
            )

    def local_read(self, url: str, content_hash: str) -> bool | None:
        """Return whether a local page of these bytes at `url` gave an article when it was
        last read (None: never read, so not kept in the archive yet)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT article FROM local_reads WHERE url = ? AND content_hash = ?",
                (url, content_hash),
            ).fetchone()
        return bool(row[0]) if row else None

    def note_local_reads(self, reads: list[tuple[str, str, bool]]) -> None:
        """Record local pages read and kept: (url, content_hash, gave an article)."""
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO local_reads (url, content_hash, article) VALUES (?,?,?)",
                reads,
            )

    def revisit(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Requeue every seed, sitemap and feed, and pages last fetched before `older_than`."""
        cutoff = _iso((now or datetime.now(UTC)) - older_than)
        with self._lock, self._conn:
            return self._requeue(
                "state IN ('done', 'failed')"
                " AND (kind != 'page' OR fetched_at < ? OR state = 'failed')",
                (cutoff,),
            )

    def get(self, url: str) -> Entry | None:
        """Return what the frontier knows of `url`."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()
        return _entry(row) if row else None

    def counts(self) -> dict[str, int]:
        """Return how many URLs are queued (claimed ones included), done and failed."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT CASE state WHEN 'claimed' THEN 'queued' ELSE state END AS s, count(*)"
                " FROM urls GROUP BY s"
            )
            return dict(rows.fetchall())

    def queue_size(self) -> int:
        """Return how many URLs wait to be fetched (claimed ones included)."""
        with self._lock:
            return self._conn.execute(
                "SELECT count(*) FROM urls WHERE state IN ('claimed', 'queued')"
            ).fetchone()[0]

    def __iter__(self) -> Iterator[Entry]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM urls ORDER BY seq").fetchall()
        return iter([_entry(row) for row in rows])

    def close(self) -> None:
        """Return open claims to the queue and close the database."""
        with self._lock:
            self._release_claims()
        self._conn.close()

    def _release_claims(self) -> None:
        with self._conn:
            self._conn.execute("UPDATE urls SET state = 'queued' WHERE state = 'claimed'")

    def _requeue(self, where: str, params: tuple, lastmod: datetime | None = None) -> int:
        # The caller holds the lock and the transaction.
        cursor = self._conn.execute(
            f"UPDATE urls SET state = 'queued', lastmod = coalesce(?, lastmod) WHERE {where}",
            (_iso(lastmod), *params),
        )
        return cursor.rowcount


def _entry(row: tuple) -> Entry:
    url, kind, depth, site, state, _priority, _seq, lastmod, fetched_at = row[:9]
    _status, etag, last_mod, hash_ = row[9:13]
    return Entry(
        url=url,
        kind=kind,
        depth=depth,
        site=site,
        state=state,
        lastmod=_parse(lastmod),
        fetched_at=_parse(fetched_at),
        etag=etag,
        last_modified=last_mod,
        content_hash=hash_,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
