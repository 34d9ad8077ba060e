"""Searchers kept up to date cheaply: a refresh reopens only the segments that changed.

Opening a segment reader reads its term tables, a fifth of a second for a segment of 10,000
articles; a server refreshing after every commit cannot afford to reopen them all. Whoosh's
`Searcher.refresh()` reuses readers but also keeps segments a merge has removed, so searches
after a merge or rebuild counted articles twice; this keeps exactly the segments the current
table of contents lists.
"""

from __future__ import annotations

import time
from typing import Any

from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

# A commit may delete a segment between our reading the table of contents and opening it.
OPEN_ATTEMPTS = 10


def fresh_searcher(ix: Any, weighting: Any, previous: Any = None) -> Searcher:
    """Return a searcher over the latest commit of `ix`, reusing the segment readers of
    searcher `previous` (whose other readers are closed; do not use it afterwards)."""
    old = {}
    if previous is not None:
        old = {_key(reader.segment()): reader for reader, _ in previous.reader().leaf_readers()}
    for attempt in range(OPEN_ATTEMPTS):
        toc = ix._read_toc()
        readers, opened = [], []
        try:
            for segment in toc.segments:
                reader = old.get(_key(segment))
                if reader is None:
                    reader = SegmentReader(ix.storage, toc.schema, segment, toc.generation)
                    opened.append(reader)
                readers.append(reader)
        except OSError:
            for reader in opened:
                reader.close()
            time.sleep(0.05 * (attempt + 1))
            continue
        kept = {id(reader) for reader in readers}
        for reader in old.values():
            if id(reader) not in kept:
                reader.close()
        combined = (
            MultiReader(readers, generation=toc.generation) if readers else EmptyReader(toc.schema)
        )
        return Searcher(combined, weighting=weighting, fromindex=ix)
    raise OSError(f"could not open the index in {ix.storage}: it kept changing while opened")


def _key(segment: Any) -> tuple[str, int] | None:
    """Return what identifies a segment's state: its id and how many articles it has deleted."""
    return None if segment is None else (segment.segid, segment.deleted_count())
