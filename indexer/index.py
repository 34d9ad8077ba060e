"""`NewsIndex`: the archive (Whoosh index plus article store) and its Python query API."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import CLEAR

from crawler import Article
from indexer import snippets
from indexer.errors import (
    ArchiveLockedError,
    ArchiveNotFoundError,
    ArticleNotFoundError,
)
from indexer.query import parse_query
from indexer.results import Hit, SearchResults
from indexer.schema import article_fields, build_schema
from indexer.store import STORE_FILE, ArticleStore

logger = logging.getLogger(__name__)

INDEX_DIR = "index"
MAX_PER_PAGE = 100
WRITE_LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class AddCounts:
    """How many articles an `add` stored as new and how many replaced older versions."""

    new: int = 0
    replaced: int = 0

    def __add__(self, other: AddCounts) -> AddCounts:
        return AddCounts(self.new + other.new, self.replaced + other.replaced)


class NewsIndex:
    """A news archive folder: a Whoosh index over an SQLite article store.

    Searches may run from many threads at once; writes take the index lock.
    """

    def __init__(self, path: Path, ix: Any, store: ArticleStore) -> None:
        self.path = path
        self._ix = ix
        self._store = store
        self._local = threading.local()

    @classmethod
    def open(cls, path: str | Path, create: bool = False) -> NewsIndex:
        """Open the archive in folder `path`; with `create`, make it if it does not exist."""
        path = Path(path)
        index_dir = path / INDEX_DIR
        if whoosh_index.exists_in(index_dir):
            ix = whoosh_index.open_dir(index_dir)
        elif create:
            index_dir.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(index_dir, build_schema())
        elif cls.has_store(path):
            raise ArchiveNotFoundError(
                f"The search index in {path} is missing: run "
                f"`newsarchive reindex --archive {path}` to rebuild it from the article store."
            )
        else:
            raise ArchiveNotFoundError(
                f"No archive at {path}: run `newsarchive crawl SOURCE --archive {path}` first."
            )
        return cls(path, ix, ArticleStore(path / STORE_FILE))

    @staticmethod
    def has_store(path: str | Path) -> bool:
        """Return whether folder `path` holds an article store (the index may be rebuilt)."""
        return (Path(path) / STORE_FILE).is_file()

    # Writing

    def add(self, articles: Iterable[Article], batch_size: int = 500) -> AddCounts:
        """Add or replace (by id) `articles`, committing once per batch of `batch_size`."""
        total = AddCounts()
        iterator = iter(articles)
        while batch := list(islice(iterator, batch_size)):
            new, replaced = self._store.put(batch)
            with self._writer() as writer:
                for article in batch:
                    writer.update_document(**article_fields(article))
            total += AddCounts(new, replaced)
        return total

    def delete(self, article_id: str) -> None:
        """Remove the article with `article_id` from the index and the store."""
        if not self._store.delete(article_id):
            raise ArticleNotFoundError(f"No article with id {article_id!r} in {self.path}.")
        with self._writer() as writer:
            writer.delete_by_term("id", article_id)

    def rebuild(self, batch_size: int = 2000) -> int:
        """Rebuild the whole index from the article store; return the number indexed."""
        count = 0
        writer = self._writer(limitmb=256)
        try:
            for article in self._store:
                writer.add_document(**article_fields(article))
                count += 1
                if count % batch_size == 0:
                    logger.info("reindexed %d articles", count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)  # the new segments replace every old one at once
        return count

    def optimize(self) -> None:
        """Merge the index into one segment (faster searches, slow on big archives)."""
        self._ix.optimize()

    def _writer(self, **kwargs: Any) -> Any:
        try:
            return self._ix.writer(timeout=WRITE_LOCK_TIMEOUT, **kwargs)
        except LockError as exc:
            raise ArchiveLockedError(
                f"Another process has been writing to {self.path} for over "
                f"{WRITE_LOCK_TIMEOUT:.0f} s; wait for it to finish and try again."
            ) from exc

    # Reading

    def search(
        self, q: str, *, page: int = 1, per_page: int = 10, highlight: bool = True
    ) -> SearchResults:
        """Return page `page` of the articles matching `q`, best first."""
        if page < 1:
            raise ValueError("page must be >= 1")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        started = time.perf_counter()
        searcher = self._searcher()
        query = parse_query(q, self._ix.schema)
        found = searcher.search_page(query, page, pagelen=per_page)
        # Whoosh clamps a page past the end to the last page; a page past the end is empty.
        hits = self._hits(found, highlight) if page == found.pagenum else []
        return SearchResults(
            query=q,
            total=found.total,
            page=page,
            per_page=per_page,
            hits=hits,
            took=time.perf_counter() - started,
        )

    def _hits(self, found: Any, highlight: bool) -> list[Hit]:
        page_hits = list(found)
        if not page_hits:
            return []
        snippets.configure(found.results)
        bodies = self._store.texts([hit["id"] for hit in page_hits])
        hits = []
        for hit in page_hits:
            stored = hit.fields()  # not hit.get(): it falls back to columns for missing values
            published = stored.get("published")
            hits.append(
                Hit(
                    id=stored["id"],
                    url=stored["url"],
                    title=stored.get("title", ""),
                    source=stored.get("source", ""),
                    section=stored.get("section", ""),
                    authors=[a for a in stored.get("authors", "").split(",") if a],
                    published=published.replace(tzinfo=UTC) if published else None,
                    language=stored.get("language", ""),
                    snippet=snippets.make_snippet(
                        hit if highlight else None, bodies.get(stored["id"], "")
                    ),
                    score=float(hit.score or 0.0),
                )
            )
        return hits

    def _searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and searcher.up_to_date():
            return searcher
        if searcher is not None:
            # Not Searcher.refresh(): it reuses segment readers and miscounts after a rebuild.
            searcher.close()
        self._local.searcher = self._ix.searcher()
        return self._local.searcher

    def get(self, article_id: str) -> Article:
        """Return the stored article with `article_id`."""
        article = self._store.get(article_id)
        if article is None:
            raise ArticleNotFoundError(f"No article with id {article_id!r} in {self.path}.")
        return article

    def articles(self) -> Iterator[Article]:
        """Yield every stored article, oldest stored first."""
        return iter(self._store)

    def stats(self) -> dict[str, Any]:
        """Return article counts in total and by source, section, language and year."""
        return {
            "articles": len(self._store),
            "sources": self._store.counts("source"),
            "sections": self._store.counts("section"),
            "languages": self._store.counts("language"),
            "years": self._store.year_counts(),
        }

    def __len__(self) -> int:
        return self._ix.doc_count()

    def close(self) -> None:
        """Release the searcher and the store connection of the calling thread."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        self._store.close()
        self._ix.close()

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
