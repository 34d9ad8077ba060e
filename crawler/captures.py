"""The capture index: where in the archive's WARC files the latest capture of each URL lies.

The crawl records every response it keeps (URL, WARC file name, offset, length, capture time)
in SQLite inside the archive, so one capture is found and read back without scanning WARC
files. A URL's latest capture wins; an older one written later (a re-read WARC) is ignored.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from crawler.errors import WarcError
from crawler.warc import OPEN_SUFFIX, WARC_SUFFIXES, ArchivedResponse, Capture, read_response

CAPTURES_FILE = "captures.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    captured_at TEXT NOT NULL
)
"""

# Fixed-width UTC timestamps compare as text in the order of time.
_UPSERT = """
INSERT INTO captures (url, filename, offset, length, captured_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    filename = excluded.filename,
    offset = excluded.offset,
    length = excluded.length,
    captured_at = excluded.captured_at
WHERE excluded.captured_at >= captures.captured_at
"""


@dataclass(frozen=True)
class CaptureEntry:
    """One URL's capture: where its response record lies and when it was fetched."""

    url: str
    capture: Capture
    captured_at: datetime


class CaptureIndex:
    """The latest capture of each URL, in an SQLite file; safe to use from several threads.

    With `readonly`, SQLite itself refuses writes (for the web app).
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
            self._conn.execute("PRAGMA synchronous=NORMAL")  # a power cut may lose the last few
            self._conn.execute(_SCHEMA)

    def add(self, entry: CaptureEntry) -> None:
        """Record `entry` unless its URL already has a later capture."""
        capture = entry.capture
        with self._lock, self._conn:
            self._conn.execute(
                _UPSERT,
                (
                    entry.url,
                    capture.filename,
                    capture.offset,
                    capture.length,
                    _iso(entry.captured_at),
                ),
            )

    def latest(self, url: str) -> CaptureEntry | None:
        """Return the latest capture of `url`, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT filename, offset, length, captured_at FROM captures WHERE url = ?", (url,)
            ).fetchone()
        if row is None:
            return None
        filename, offset, length, captured_at = row
        return CaptureEntry(
            url, Capture(filename, offset, length), datetime.fromisoformat(captured_at)
        )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CaptureIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def read_capture(folder: Path, capture: Capture) -> ArchivedResponse:
    """Return the response `capture` locates among the WARC files in `folder`.

    A file still being written is read under its `.open` name. Raises `WarcError` if the
    capture's file name is not a plain WARC file name (no path may leave `folder`), or if the
    record cannot be read.
    """
    path = capture_path(folder, capture.filename)
    if not path.exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    return read_response(path, capture)


def capture_path(folder: Path, filename: str) -> Path:
    """Return the path of WARC file `filename` in `folder`; WarcError unless a plain name."""
    plain = (
        filename == Path(filename).name
        and "\\" not in filename
        and "\0" not in filename
        and not filename.startswith(".")
        and filename.lower().endswith(WARC_SUFFIXES)
    )
    if not plain:
        raise WarcError(f"{filename!r} is not the name of a WARC file in {folder}.")
    return folder / filename


def _iso(moment: datetime) -> str:
    """Return `moment` as fixed-width ISO 8601 UTC (a naive one is taken as UTC)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds")
