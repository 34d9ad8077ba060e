"""The skip log: pages an archive keeps but does not index, and why, in `crawl.sqlite`.

Crawls and re-extractions note every page's outcome: a page left out (refused as not an
article, forbidden by robots.txt, not HTML) is listed with its reason, under its URL; a page
that gives an article later leaves the list. So the list stays what the index lacks, across
runs (an unchanged page keeps its entry), and `newsarchive skipped` prints it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from crawler.workers import Outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS skipped (
    key TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    reason TEXT NOT NULL,
    skipped_at TEXT NOT NULL
)
"""


class SkipLog:
    """Pages left out of an archive's index with their reasons; safe to use from threads.

    It has its own connection to the crawl database, so a re-extraction may note outcomes
    while the frontier is closed (opening a frontier would release a running crawl's claims).
    """

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        if readonly:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        else:
            self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)

    def note(self, outcomes: Iterable[Outcome]) -> None:
        """List the pages of `outcomes` left out; unlist those that gave an article."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        outcomes = list(outcomes)
        with self._lock, self._conn:
            # A page keeps the location it was first listed under (a re-extraction reads it
            # from the archive's WARC files, a less telling place than the crawled file).
            self._conn.executemany(
                "INSERT INTO skipped (key, location, reason, skipped_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET reason = excluded.reason,"
                " skipped_at = excluded.skipped_at",
                [(o.key, o.location, o.skipped, now) for o in outcomes if o.left_out],
            )
            self._conn.executemany(
                "DELETE FROM skipped WHERE key = ?",
                [(o.key,) for o in outcomes if o.article is not None],
            )

    def entries(self) -> list[tuple[str, str]]:
        """Return (location, reason) of every page left out, oldest first."""
        with self._lock:
            try:
                rows = self._conn.execute(
                    "SELECT location, reason FROM skipped ORDER BY skipped_at, rowid"
                ).fetchall()
            except sqlite3.OperationalError as exc:  # a read-only look before any crawl logged
                if "no such table" in str(exc):
                    return []
                raise
        return [(location, reason) for location, reason in rows]

    def keys(self) -> set[str]:
        """Return the URL (or location) of every page left out."""
        with self._lock:
            return {key for (key,) in self._conn.execute("SELECT key FROM skipped")}

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()
