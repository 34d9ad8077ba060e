"""The article store: every extracted article as JSON in SQLite, the archive's source of truth.

The Whoosh index can always be rebuilt from it (`newsarchive reindex`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from crawler import Article

STORE_FILE = "articles.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    data TEXT NOT NULL,
    stored_at TEXT NOT NULL
)
"""


class ArticleStore:
    """Articles by id in an SQLite file; one connection per thread (read-only ones with
    `readonly`, which SQLite itself keeps from writing)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        if not readonly:
            with self._connect() as conn:
                conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                # On a read-only file system SQLite cannot make the WAL's shared-memory file:
                # the store is opened as immutable there, which it is.
                frozen = os.statvfs(self.path).f_flag & os.ST_RDONLY
                uri = f"{self.path.resolve().as_uri()}?{'immutable=1' if frozen else 'mode=ro'}"
                conn = sqlite3.connect(uri, uri=True, timeout=30)
            else:
                conn = sqlite3.connect(self.path, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def put(self, articles: Iterable[Article]) -> tuple[int, int]:
        """Store `articles` in one transaction; return (new, replaced) counts."""
        now = datetime.now(UTC).isoformat()
        new = replaced = 0
        conn = self._connect()
        with conn:
            for article in articles:
                exists = conn.execute(
                    "SELECT 1 FROM articles WHERE id = ?", (article.id,)
                ).fetchone()
                conn.execute(
                    "INSERT OR REPLACE INTO articles (id, url, data, stored_at) "
                    "VALUES (?, ?, ?, ?)",
                    (article.id, article.url, json.dumps(article.to_dict()), now),
                )
                if exists:
                    replaced += 1
                else:
                    new += 1
        return new, replaced

    def ids(self) -> set[str]:
        """Return the id of every stored article."""
        return {row[0] for row in self._connect().execute("SELECT id FROM articles")}

    def get(self, article_id: str) -> Article | None:
        """Return the article with `article_id`, or None."""
        row = (
            self._connect()
            .execute("SELECT data FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        return Article.from_dict(json.loads(row[0])) if row else None

    def texts(self, ids: list[str]) -> dict[str, str]:
        """Return the body text of each stored id in `ids`."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._connect().execute(
            f"SELECT id, json_extract(data, '$.text') FROM articles WHERE id IN ({marks})", ids
        )
        return dict(rows.fetchall())

    def delete(self, article_id: str) -> bool:
        """Remove the article with `article_id`; return whether it was there."""
        conn = self._connect()
        with conn:
            return conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

    def __iter__(self) -> Iterator[Article]:
        rows = self._connect().execute("SELECT data FROM articles ORDER BY rowid")
        for (data,) in rows:
            yield Article.from_dict(json.loads(data))

    def __len__(self) -> int:
        return self._connect().execute("SELECT count(*) FROM articles").fetchone()[0]

    def counts(self, field: str) -> dict[str, int]:
        """Return how many articles have each value of a single-valued metadata `field`."""
        if field not in {"source", "section", "language"}:
            raise ValueError(f"cannot count by {field!r}")
        rows = self._connect().execute(
            f"SELECT json_extract(data, '$.{field}') AS v, count(*) FROM articles "
            "GROUP BY v ORDER BY count(*) DESC, v"
        )
        return {value or "(none)": n for value, n in rows}

    def year_counts(self) -> dict[str, int]:
        """Return how many articles were published in each year ("(undated)" for none)."""
        rows = self._connect().execute(
            "SELECT substr(json_extract(data, '$.published'), 1, 4) AS y, count(*) "
            "FROM articles GROUP BY y ORDER BY y"
        )
        return {year or "(undated)": n for year, n in rows}

    def last_stored(self) -> datetime | None:
        """Return when an article was last stored (None for an empty store)."""
        (stored,) = self._connect().execute("SELECT max(stored_at) FROM articles").fetchone()
        return datetime.fromisoformat(stored) if stored else None

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
