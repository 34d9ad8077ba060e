"""Per-article arrays (live flags, field lengths, facet values, dates) read once per segment.

Searches count, filter, sort and collapse with these arrays instead of visiting matches one by
one in Python. A segment never changes once written except for deletions, so its arrays are
cached by segment id and deletion count and survive the searcher refreshes that follow commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# The whoosh3 codec's own names for the per-field length columns; whoosh3 is pinned exactly.
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from indexer.schema import DEFAULTS

# Field lengths are stored as one byte each; this table decodes them.
_LENGTHS = np.array([byte_to_length(n) for n in range(256)], dtype=np.float64)
# Columns holding several comma-separated values per article.
MULTI_VALUED = frozenset({"author", "tag"})
_CACHED_SEGMENTS = 64


@dataclass(frozen=True)
class Values:
    """One facet column: `names[ord]` for each value, and which article holds which ordinal.

    `docs[i]` holds value `ords[i]`; single-valued columns have one pair per article (ordinal
    -1 where the article has no value).
    """

    names: list[str]
    docs: np.ndarray
    ords: np.ndarray

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        """Return how many articles under `mask` hold each value (values with none left out)."""
        chosen = self.ords[mask[self.docs] & (self.ords >= 0)]
        tally = np.bincount(chosen, minlength=len(self.names))
        return {self.names[n]: int(tally[n]) for n in np.flatnonzero(tally)}


class _SegmentArrays:
    """The arrays of one segment, each read on first use through a reader of that segment."""

    def __init__(self, reader: Any) -> None:
        self.size = reader.doc_count_all()
        self._arrays: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        live = np.ones(self.size, dtype=bool)
        if reader.has_deletions():
            live[list(reader.deleted_docs_set)] = False
        self.live = live

    def get(self, kind: str, field: str, reader: Any, read: Callable[[Any, str], Any]) -> Any:
        """Return array `kind` of `field`, read with `read(reader, field)` the first time."""
        with self._lock:
            key = (kind, field)
            if key not in self._arrays:
                self._arrays[key] = read(reader, field)
            return self._arrays[key]


def _lengths(reader: Any, field: str) -> np.ndarray:
    return field_lengths(reader._perdoc, field, reader.doc_count_all())


def field_lengths(perdoc: Any, field: str, size: int) -> np.ndarray:
    """Return the length of text field `field` in each of a segment's `size` articles, as
    Whoosh stores it (one byte, so long texts are rounded)."""
    name = _lenfield(field)
    if not perdoc.has_column(name):
        return np.zeros(size)
    raw = np.frombuffer(bytes(perdoc.column_reader(name, LENGTHS_COLUMN).load()), dtype=np.uint8)
    return _LENGTHS[raw]


def _numbers(reader: Any, field: str) -> np.ndarray:
    if not reader.has_column(field):
        return np.zeros(reader.doc_count_all(), dtype=np.uint64)
    values = reader.column_reader(field, translate=False).load()
    return np.fromiter((int(v) for v in values), dtype=np.uint64, count=len(values))


def _values(reader: Any, field: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return a segment's value names and (doc, ordinal) pairs of column `field` (articles
    without a value hold the field's default, if it has one)."""
    size = reader.doc_count_all()
    # An index built before the field was added lacks it in its schema too.
    held = field in reader.schema and reader.has_column(field)
    column = reader.column_reader(field, translate=True) if held else []
    names: dict[str, int] = {}
    if field in MULTI_VALUED:
        pairs = [(doc, name) for doc, text in enumerate(column) for name in text.split(",") if name]
        docs = np.fromiter((doc for doc, _ in pairs), np.int64, len(pairs))
        ords = np.fromiter((names.setdefault(n, len(names)) for _, n in pairs), np.int64)
    else:
        docs = np.arange(size, dtype=np.int64)
        ords = np.full(size, -1, dtype=np.int64)
        for doc, value in enumerate(column):
            if value:
                ords[doc] = names.setdefault(value, len(names))
        if field in DEFAULTS:
            ords[ords < 0] = names.setdefault(DEFAULTS[field], len(names))
    return list(names), docs, ords


class Columns:
    """The arrays of one searcher's articles, numbered as the searcher numbers them."""

    def __init__(self, searcher: Any, cache: SegmentCache) -> None:
        leaves = searcher.reader().leaf_readers()
        self._segments = [(cache.arrays(reader), reader, offset) for reader, offset in leaves]
        self.size = searcher.doc_count_all()
        self._joins: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.live = self._joined(lambda arrays, _reader: arrays.live, np.ones(0, dtype=bool))

    def lengths(self, field: str) -> np.ndarray:
        """Return every article's length of text field `field` (as Whoosh scores with it)."""
        return self._cached("lengths", field, _lengths)

    def numbers(self, field: str) -> np.ndarray:
        """Return every article's value in numeric column `field`, in sortable form."""
        return self._cached("numbers", field, _numbers)

    def values(self, field: str) -> Values:
        """Return the facet values of sortable column `field`."""
        with self._lock:
            key = ("values", field)
            if key not in self._joins:
                self._joins[key] = self._values(field)
            return self._joins[key]

    def _cached(self, kind: str, field: str, read: Callable[[Any, str], Any]) -> np.ndarray:
        with self._lock:
            key = (kind, field)
            if key not in self._joins:
                self._joins[key] = self._joined(
                    lambda arrays, reader: arrays.get(kind, field, reader, read), np.zeros(0)
                )
            return self._joins[key]

    def _joined(self, part: Callable[[_SegmentArrays, Any], np.ndarray], empty: Any) -> Any:
        parts = [part(arrays, reader) for arrays, reader, _offset in self._segments]
        return np.concatenate(parts) if parts else empty

    def _values(self, field: str) -> Values:
        names: dict[str, int] = {}
        docs, ords = [], []
        for arrays, reader, offset in self._segments:
            local, local_docs, local_ords = arrays.get("values", field, reader, _values)
            to_global = np.array([names.setdefault(n, len(names)) for n in local] + [-1])
            docs.append(local_docs + offset)
            ords.append(to_global[local_ords])  # -1 (no value) picks the trailing -1
        return Values(
            names=list(names),
            docs=np.concatenate(docs) if docs else np.zeros(0, np.int64),
            ords=np.concatenate(ords) if ords else np.zeros(0, np.int64),
        )


class SegmentCache:
    """Segment arrays shared by every searcher of one archive, by segment and deletions."""

    def __init__(self) -> None:
        self._segments: dict[tuple[str, int], _SegmentArrays] = {}
        self._lock = threading.Lock()

    def arrays(self, reader: Any) -> _SegmentArrays:
        """Return the arrays of segment `reader` (read now if this version is new)."""
        segment = reader.segment()
        if segment is None:  # an empty index
            return _SegmentArrays(reader)
        key = (segment.segment_id(), segment.deleted_count())
        with self._lock:
            found = self._segments.pop(key, None)
            if found is None:
                found = _SegmentArrays(reader)
            self._segments[key] = found  # most recently used last: the first to go is stale
            while len(self._segments) > _CACHED_SEGMENTS:
                self._segments.pop(next(iter(self._segments)))
            return found
