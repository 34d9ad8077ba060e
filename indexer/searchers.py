"""Searchers kept up to date cheaply: a refresh reopens only the segments that changed, and
opening one reads its files in place.

Whoosh opened each file of a compound segment as a copy in memory (`BufferFile` wrapped the
mapped file in a `BytesIO`): a fifth of a second and some 200 MB for a segment of 10,000
articles, for every server thread and after every commit. Files are now read through the
shared memory map without a copy, and a refresh keeps the readers of unchanged segments.
Whoosh's own `Searcher.refresh()` reuses readers but also keeps segments a merge has removed,
so searches after a merge or rebuild counted articles twice; this keeps exactly the segments
the current table of contents lists.

Every reader and searcher of an index shares one schema object. Whoosh unpickles the schema
anew from each table of contents, and a segment reader keeps the schema it was opened with for
as long as the segment lives; each copy has analysers with caches of their own (analysed text
chunks, stems), which filled up in every copy: a server's threads, refreshing after each
commit, held one per thread and segment, and its memory grew by hundreds of MB.
"""

from __future__ import annotations

import io
import threading
import time
from typing import Any
from weakref import WeakKeyDictionary

from whoosh.filedb import structfile
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

# A commit may delete the table of contents we are about to read, or a segment it lists.
OPEN_ATTEMPTS = 10

# index -> the fields of its schema, and the schema object all its searchers use.
_SCHEMAS: WeakKeyDictionary[Any, tuple[Any, Any]] = WeakKeyDictionary()
_SCHEMAS_LOCK = threading.Lock()


def fresh_searcher(ix: Any, weighting: Any, previous: Any = None) -> Searcher:
    """Return a searcher over the latest commit of `ix`, reusing the segment readers of
    searcher `previous` (whose other readers are closed; do not use it afterwards)."""
    old = {}
    if previous is not None:
        old = {_key(reader.segment()): reader for reader, _ in previous.reader().leaf_readers()}
    for attempt in range(OPEN_ATTEMPTS):
        readers, opened = [], []
        try:
            toc = ix._read_toc()
            schema = _shared_schema(ix, toc.schema)
            for segment in toc.segments:
                reader = old.get(_key(segment))
                if reader is None:
                    reader = SegmentReader(ix.storage, schema, segment, toc.generation)
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
            MultiReader(readers, generation=toc.generation) if readers else EmptyReader(schema)
        )
        return Searcher(combined, weighting=weighting, fromindex=ix)
    raise OSError(f"could not open the index in {ix.storage}: it kept changing while opened")


def _shared_schema(ix: Any, schema: Any) -> Any:
    """Return the schema object every searcher of `ix` uses: the one it used before while the
    index has the same fields as `schema` (just read), else `schema`."""
    fields = _fields(schema)
    with _SCHEMAS_LOCK:
        known = _SCHEMAS.get(ix)
        if known is None or known[0] != fields:
            known = _SCHEMAS[ix] = (fields, schema)
        return known[1]


def _fields(schema: Any) -> list[tuple[str, str, str, str]]:
    """Return each field's name, type, posting format and analyser type."""
    return [
        (name, type(field).__name__, type(field.format).__name__, type(field.analyzer).__name__)
        for name, field in schema.items()
    ]


def _key(segment: Any) -> tuple[str, int] | None:
    """Return what identifies a segment's state: its id and how many articles it has deleted."""
    return None if segment is None else (segment.segid, segment.deleted_count())


class ViewFile(io.RawIOBase):
    """A read-only, seekable file over a buffer (a slice of a memory map), read in place."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._view = memoryview(buf)
        self._position = 0

    def readable(self) -> bool:
        """Return True: the file can be read."""
        return True

    def seekable(self) -> bool:
        """Return True: the file can be sought."""
        return True

    def readinto(self, target: Any) -> int:
        """Read into `target` from the current position; return the number of bytes read."""
        count = max(0, min(len(target), len(self._view) - self._position))
        target[:count] = self._view[self._position : self._position + count]
        self._position += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to `offset` from the start, the current position or the end."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        """Return the current position."""
        return self._position

    def close(self) -> None:
        """Release the buffer (so that its memory map can close) and close the file."""
        if not self.closed:
            self._view.release()
        super().close()


def _buffer_file_init(
    self: structfile.BufferFile, buf: Any, name: str | None = None, onclose: Any = None
) -> None:
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init
