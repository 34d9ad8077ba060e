"""`NewsIndex`: the archive (Whoosh index plus article store) and its Python query API."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.query import Every, Or, Query, Term
from whoosh.searching import Hit as WhooshHit
from whoosh.writing import CLEAR

from crawler import Article
from indexer import paging, postings, snippets
from indexer.backends import Backend
from indexer.bulkwrite import BulkWriter, FastSegmentWriter
from indexer.columns import Columns, SegmentCache
from indexer.dupes import Sketches, bands, fingerprint
from indexer.errors import (
    ArchiveLockedError,
    ArchiveNotFoundError,
    ArchiveOutdatedError,
    ArchiveReadOnlyError,
    ArticleNotFoundError,
    BackendUnavailableError,
    QueryError,
)
from indexer.facets import ordered as ordered_counts
from indexer.filters import SORTS, Filters, filter_field, filter_parts, filter_query
from indexer.matching import Evaluator, Match
from indexer.query import normalise, parse_query
from indexer.ranking import ranking
from indexer.results import Hit, SearchResults
from indexer.schema import (
    DEFAULTS,
    LANGUAGE_SUFFIXES,
    article_fields,
    body_field,
    build_schema,
    text_fields,
)
from indexer.searchers import fresh_searcher
from indexer.store import STORE_FILE, ArticleStore
from indexer.suggest import suggest
from indexer.writefailures import write_failures
from indexer.writers import forget_writer, note_writer, writer_note

if TYPE_CHECKING:
    from indexer.typesense_backend import TypesenseIndex

logger = logging.getLogger(__name__)

INDEX_DIR = "index"
MAX_PER_PAGE = 100
DEFAULT_FACETS = ("source", "section", "authors", "language", "year")
MORE_LIKE_TERMS = 12
WRITE_LOCK_TIMEOUT = 30.0
BULK_BATCH = 1000
# Bulk loads index articles in one process per CPU, each writing segments of its own.
BULK_PROCS = os.cpu_count() or 1
BULK_MEMORY_MB = (
    os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    if hasattr(os, "sysconf")
    else 4096
)
# Each process holds a segment's postings in memory and starts a new segment past this size:
# together, a quarter of the memory.
BULK_LIMIT_MB = max(256, BULK_MEMORY_MB // 4 // BULK_PROCS)
BULK_OPTIONS = {"limitmb": BULK_LIMIT_MB, "procs": BULK_PROCS}


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
        self.readonly = store.readonly
        self._ix = ix
        self._store = store
        self._local = threading.local()
        self._segments = SegmentCache()
        self._sketches: tuple[int, Sketches] | None = None  # (index generation, sketches)

    @classmethod
    def open(
        cls,
        path: str | Path,
        create: bool = False,
        *,
        upgrade: bool = False,
        readonly: bool = False,
        backend: Backend | None = None,
    ) -> NewsIndex | TypesenseIndex:
        """Open the archive in folder `path`; with `create`, make it if it does not exist.

        An index built by an older version opens only with `upgrade` (to `rebuild` it). One
        opened `readonly` refuses every write (the web server opens archives so). `backend`
        (default: `Backend.chosen()`, from the environment) may name a Typesense cluster:
        a `TypesenseIndex` with the same methods is returned, over the same article store.
        """
        backend = backend or Backend.chosen()
        if backend.kind == "typesense":
            return _typesense_index().open(
                path,
                create,
                nodes=backend.nodes,
                api_key=backend.api_key,
                collection=backend.collection,
                readonly=readonly,
            )
        path = Path(path)
        index_dir = path / INDEX_DIR
        if whoosh_index.exists_in(index_dir):
            ix = whoosh_index.open_dir(index_dir)
            if _outdated(ix.schema) and not upgrade:
                raise ArchiveOutdatedError(
                    f"The search index in {path} was built by an older newsarchive: run "
                    f"`newsarchive reindex --archive {path}` to rebuild it (no article is lost)."
                )
        elif create:
            with write_failures(path):
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
        with write_failures(path):
            store = ArticleStore(path / STORE_FILE, readonly=readonly and not create)
        index = cls(path, ix, store)
        if not index.readonly and not index.outdated:
            index._add_fields()
        return index

    def _add_fields(self) -> None:
        """Add the fields with a default this index was built without (its articles read as
        holding the default, so no rebuild is needed)."""
        if not _missing(self._ix.schema):
            return
        fields = build_schema()
        with self._writing() as writer:
            for name in _missing(writer.schema):  # another process may have added them
                writer.add_field(name, fields[name])

    @staticmethod
    def has_store(path: str | Path) -> bool:
        """Return whether folder `path` holds an article store (the index may be rebuilt)."""
        return (Path(path) / STORE_FILE).is_file()

    # Writing

    def add(self, articles: Iterable[Article], batch_size: int = 5000) -> AddCounts:
        """Add or replace (by id) `articles`, committing once per batch of `batch_size`.

        A batch of over BULK_BATCH articles is a bulk load, analysed by one process per CPU.
        An index an interrupted write left out of line with the store is mended first.
        """
        self._repair()
        total = AddCounts()
        iterator = iter(articles)
        while batch := list(islice(iterator, batch_size)):
            # One id twice in a batch (two captures of a page): the later version stands.
            batch = list({article.id: article for article in batch}.values())
            copies = _Copies(self._indexed_sketches())
            options = BULK_OPTIONS if len(batch) > BULK_BATCH else {}
            try:
                with self._writing(**options) as writer:
                    # The store takes each article as the writer does, in one transaction
                    # committed before the index's: its work overlaps the writer's.
                    new, replaced = self._store.put(copies.feed(writer, batch))
            except BaseException:
                self._sketches = None  # it holds the batch that was not committed
                raise
            # The index now holds what the sketches hold, unless another process wrote too.
            self._sketches = (self._ix.latest_generation(), copies.sketches)
            total += AddCounts(new, replaced)
        return total

    def _indexed_sketches(self) -> Sketches:
        """Return the near-duplicate sketches of every indexed article, read once and kept
        while only this archive object writes (looking copies up in the index, band by band,
        slowed adds to a few articles a second in an archive of 50,000)."""
        generation = self._ix.latest_generation()
        if self._sketches is not None and self._sketches[0] == generation:
            return self._sketches[1]
        sketches = Sketches()
        for fields in self._searcher().all_stored_fields():
            if "simhash" in fields:
                sketches.add(fields["simhash"], fields.get("dupkey") or fields["id"])
        self._sketches = (generation, sketches)
        return sketches

    def _repair(self) -> None:
        """Bring the index back in line with the store after an interrupted write: a process
        killed between the store's commit and the index's leaves articles stored but not
        indexed (or, deleting, indexed but no longer stored)."""
        searcher = self._searcher()
        if searcher.doc_count() == len(self._store):
            return
        stored = self._store.ids()
        indexed = {fields["id"] for fields in searcher.all_stored_fields()}
        missing, stale = stored - indexed, indexed - stored
        if not missing and not stale:
            return
        logger.warning(
            "%d articles stored but not indexed and %d indexed but not stored (an interrupted "
            "write): mending the index",
            len(missing),
            len(stale),
        )
        copies = _Copies(self._indexed_sketches())
        with self._writing() as writer:
            for article_id in stale:
                writer.delete_by_term("id", article_id)
            for article_id in missing:
                article = self._store.get(article_id)
                if article is not None:
                    writer.update_document(**copies.fields(article))

    def delete(self, article_id: str) -> None:
        """Remove the article with `article_id` from the index and the store."""
        with self._writing() as writer:
            if not self._store.delete(article_id):
                raise ArticleNotFoundError(f"No article with id {article_id!r} in {self.path}.")
            writer.delete_by_term("id", article_id)

    def rebuild(self, progress_every: int = 2000) -> int:
        """Rebuild the whole index from the article store; return the number indexed.

        One bulk writer and one commit: searches see the old index until the new one is whole.
        """
        if self.outdated:
            self._ix = whoosh_index.create_in(self.path / INDEX_DIR, build_schema())
        count = 0
        copies = _Copies(Sketches())
        with self._writing(mergetype=CLEAR, **BULK_OPTIONS) as writer:
            for article in self._store:
                writer.add_document(**copies.fields(article))
                count += 1
                if count % progress_every == 0:
                    logger.info("reindexed %d articles", count)
        return count

    @property
    def outdated(self) -> bool:
        """Whether the index was built with other fields than this version's (rebuild it)."""
        return _outdated(self._ix.schema)

    def optimize(self) -> None:
        """Merge the index into one segment (faster searches, slow on big archives)."""
        with self._writing(optimize=True):
            pass

    def _check_writable(self) -> None:
        if self.readonly:
            raise ArchiveReadOnlyError(
                f"{self.path} was opened read-only (as the web server opens it): write to it "
                "with `newsarchive crawl` or `newsarchive reindex`."
            )

    @contextmanager
    def _writing(
        self, mergetype: Any = None, optimize: bool = False, **options: Any
    ) -> Iterator[Any]:
        """Hold the index's write lock for one commit (or none, if the block fails)."""
        self._check_writable()
        writer_class = BulkWriter if "procs" in options else FastSegmentWriter
        try:
            with write_failures(self.path):
                writer = writer_class(
                    self._ix, timeout=WRITE_LOCK_TIMEOUT, codec=postings.CODEC, **options
                )
        except LockError as exc:
            raise ArchiveLockedError(
                f"Another process has been writing to {self.path} for over "
                f"{WRITE_LOCK_TIMEOUT:.0f} s ({writer_note(self.path)}); wait for it to finish "
                "and try again."
            ) from exc
        try:
            with write_failures(self.path):
                note_writer(self.path)
                yield writer
                writer.commit(optimize=optimize, **({"mergetype": mergetype} if mergetype else {}))
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        finally:
            forget_writer(self.path)

    # Reading

    def search(
        self,
        q: str,
        *,
        filters: Filters | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        facets: Sequence[str] = DEFAULT_FACETS,
        collapse: bool = True,
        highlight: bool = True,
    ) -> SearchResults:
        """Return page `page` of the articles matching `q` under `filters` and the date range.

        `filters` maps facet names to a value or a list of values (OR-ed within a field, fields
        AND-ed); `facets` names the facets to count over all matches; with `collapse`,
        near-duplicates fold into their best hit, which counts them in `duplicates`.
        """
        if page < 1:
            raise QueryError("page must be >= 1")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        started = time.perf_counter()
        text = normalise(q)
        if sort not in SORTS:
            raise QueryError(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
        searcher = self._searcher()
        evaluator = self._evaluator()
        parts = filter_parts(filters, date_from, date_to)  # bad dates fail before any reading
        query = self._parse(searcher, text)
        found = evaluator.match(query)
        masks = {field: evaluator.mask(part) for field, part in parts.items()}
        matches = _both(found.mask, masks.values())
        total = int(np.count_nonzero(matches))
        counts = {}
        for name in facets:
            field = filter_field(name)
            # A facet filtered by itself counts its alternatives under the other filters.
            within = matches if field not in masks else _both(found.mask, _others(masks, field))
            counts[name] = ordered_counts(name, evaluator.columns.values(field).counts(within))
        chosen = paging.page(
            matches, found.score, evaluator.columns, sort, (page - 1) * per_page, per_page, collapse
        )
        hits = self._hits(query, found, chosen, highlight, collapse)
        return SearchResults(
            query=text,
            total=total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=counts,
            suggestion=suggest(
                searcher.reader(),
                text,
                lambda respelt: self._count(respelt, _both(evaluator.columns.live, masks.values())),
                total,
            )
            if text
            else None,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def count(self, q: str = "", **filters: str | Iterable[str]) -> int:
        """Return how many articles match `q` and `filters` (e.g. `source="VOA"`)."""
        self._searcher()
        return self._count(normalise(q), self._evaluator().mask(filter_query(filters)))

    def more_like_this(self, article_id: str, n: int = 10) -> list[Hit]:
        """Return up to `n` articles most like the one with `article_id` (its copies left out)."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"No article with id {article_id!r} in {self.path}.")
        article = self.get(article_id)
        own = searcher.stored_fields(docnum).get("dupkey", article_id)
        text = f"{article.title}\n{article.description}\n{article.text}"
        field = body_field(article.language)
        key_terms = searcher.key_terms_from_text(field, text, numterms=MORE_LIKE_TERMS)
        query = Or([Term(field, word, boost=weight) for word, weight in key_terms])
        evaluator = self._evaluator()
        found = evaluator.match(query)
        others = found.mask & ~evaluator.mask(Term("dupkey", own))
        chosen = paging.page(others, found.score, evaluator.columns, "relevance", 0, n, True)
        return self._hits(query, found, chosen, highlight=False, collapse=True)

    def duplicates(self, article_id: str, n: int = MAX_PER_PAGE) -> list[Hit]:
        """Return up to `n` near-duplicates of the article with `article_id` (not itself)."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"No article with id {article_id!r} in {self.path}.")
        key = searcher.stored_fields(docnum).get("dupkey", article_id)
        evaluator = self._evaluator()
        query = Term("dupkey", key)
        found = evaluator.match(query)
        found.mask[docnum] = False
        chosen = paging.page(found.mask, found.score, evaluator.columns, "oldest", 0, n, False)
        return self._hits(query, found, chosen, highlight=False, collapse=False)

    def _parse(self, searcher: Any, text: str) -> Query:
        """Parse `text` for the languages this archive holds articles in."""
        # A read-only index built before a field with a default lacks it, yet queries may name
        # it (its values are read off the columns): they are parsed with today's fields.
        schema = build_schema() if _missing(searcher.schema) else searcher.schema
        return parse_query(text, schema, self._local.groups)

    def _count(self, text: str, within: np.ndarray) -> int:
        """Return how many of the articles in mask `within` match query `text`."""
        evaluator = self._evaluator()
        found = evaluator.match(self._parse(evaluator.searcher, text))
        return int(np.count_nonzero(found.mask & within))

    def _hits(
        self, query: Query, found: Match, chosen: np.ndarray, highlight: bool, collapse: bool
    ) -> list[Hit]:
        """Return the `Hit`s of article numbers `chosen`, in order."""
        if not len(chosen):
            return []
        evaluator = self._evaluator()
        highlight = highlight and not isinstance(query, Every)  # no words to mark: no analysis
        # A Whoosh Results of just these articles gives stored fields and highlighting; its
        # query names the words a wildcard or fuzzy part stood for when matching.
        top = [(float(found.score[doc]), int(doc)) for doc in chosen]
        shown = evaluator.with_expansions(query) if highlight else query
        results = snippets.PageResults(evaluator.searcher, shown, top)
        page_hits = [WhooshHit(results, doc, n, score) for n, (score, doc) in enumerate(top)]
        bodies = self._store.texts([hit["id"] for hit in page_hits])
        copies = evaluator.copies(chosen) if collapse else np.ones(len(chosen), dtype=int)
        hits = []
        for hit, count in zip(page_hits, copies, strict=True):
            stored = hit.fields()  # not hit.get(): it falls back to columns for missing values
            published = stored.get("published")
            hits.append(
                Hit(
                    id=stored["id"],
                    url=stored["url"],
                    title=stored.get("headline", ""),
                    source=stored.get("source", ""),
                    section=stored.get("section", ""),
                    authors=[a for a in stored.get("author", "").split(",") if a],
                    published=published.replace(tzinfo=UTC) if published else None,
                    language=stored.get("language", ""),
                    access=stored.get("access", DEFAULTS["access"]),
                    snippet=snippets.make_snippet(
                        hit if highlight else None,
                        bodies.get(stored["id"], ""),
                        body_field(stored.get("language", "")),
                    ),
                    score=hit.score,
                    duplicates=int(count) - 1,
                )
            )
        return hits

    def _searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and searcher.up_to_date():
            return searcher
        searcher = self._local.searcher = fresh_searcher(self._ix, ranking(), searcher)
        self._local.evaluator = Evaluator(searcher, Columns(searcher, self._segments))
        reader = searcher.reader()
        self._local.groups = [
            text_fields(suffix)
            for suffix in ("", *LANGUAGE_SUFFIXES)
            if not suffix or reader.field_length(f"body_{suffix}")
        ]
        return searcher

    def _evaluator(self) -> Evaluator:
        """Return the calling thread's evaluator over the searcher its request began with: a
        commit landing mid-request must not swap the segments under it (call `_searcher`
        first; a thread that has not, gets the latest)."""
        if getattr(self._local, "evaluator", None) is None:
            self._searcher()
        return self._local.evaluator

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
        """Return article counts in total and by source, section, language and year, and when
        an article was last stored (`updated`)."""
        return {
            "articles": len(self._store),
            "updated": self._store.last_stored(),
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


def _layout(schema: Any) -> dict[str, tuple[str, str]]:
    """Return each field's type and posting format: an index built otherwise must be rebuilt."""
    return {
        name: (type(field).__name__, type(field.format).__name__) for name, field in schema.items()
    }


def _missing(schema: Any) -> list[str]:
    """Return the fields with a default that an index of `schema` was built without."""
    return [name for name in DEFAULTS if name not in schema]


def _outdated(schema: Any) -> bool:
    """Return whether an index of `schema` must be rebuilt to be searched: fields with a
    default it lacks are added in place instead."""
    wanted = _layout(build_schema())
    for name in _missing(schema):
        del wanted[name]
    return _layout(schema) != wanted


def _both(mask: np.ndarray, others: Iterable[np.ndarray]) -> np.ndarray:
    """Return the articles in `mask` and in every one of `others`."""
    for other in others:
        mask = mask & other
    return mask


def _others(masks: dict[str, np.ndarray], field: str) -> list[np.ndarray]:
    """Return the filter masks of every field but `field`."""
    return [mask for name, mask in masks.items() if name != field]


def _typesense_index() -> type[TypesenseIndex]:
    """Return the Typesense backend's class (its client is an optional dependency)."""
    try:
        from indexer.typesense_backend import TypesenseIndex
    except ImportError as exc:
        raise BackendUnavailableError(
            f"The typesense backend needs its client ({exc}): pip install 'newsarchive[cluster]'."
        ) from exc
    return TypesenseIndex


class _Copies:
    """Gives each article its near-duplicate key: the key of an earlier near-identical article
    (in the index or in this batch), else its own id."""

    def __init__(self, sketches: Sketches) -> None:
        self.sketches = sketches  # of the indexed articles; this batch's are added as it goes

    def feed(self, writer: Any, articles: list[Article]) -> Iterator[Article]:
        """Yield each of `articles` once `writer` has taken it (replacing any with its id)."""
        for article in articles:
            writer.update_document(**self.fields(article))
            yield article

    def fields(self, article: Article) -> dict[str, Any]:
        """Return `article`'s index fields, near-duplicate key included."""
        fields = article_fields(article)
        fields["dupkey"] = article.id
        simhash = fingerprint(article.text)
        if simhash is None:
            return fields
        fields["dupkey"] = self.sketches.first(simhash) or article.id
        fields["simhash"] = simhash
        fields["simband"] = ",".join(bands(simhash))
        self.sketches.add(simhash, fields["dupkey"])
        return fields
