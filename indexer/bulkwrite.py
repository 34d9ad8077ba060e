"""A faster Whoosh segment writer: postings gathered term by term, written a block at a time.

Whoosh's own writer puts every posting into a pool as a tuple, sorts the whole pool at commit,
then writes it one posting at a time, looking up each article's field length on the way.
Gathering postings per term in article order needs no sort, field lengths are read once per
field, and the codec is handed whole blocks. A reader finds in its segments the same terms,
postings and statistics as in Whoosh's.
"""

from __future__ import annotations

import os
import pickle
import queue
import threading
import time
from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Positions
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import emptybytes, pack_uint
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

from indexer.analysis import FusedAnalyzer
from indexer.columns import field_lengths
from indexer.errors import IndexingFailedError

PARENT_CHECK_SECONDS = 0.5
# What a TermPool holds for each posting, term overhead included, measured on news articles.
POSTING_BYTES = 72
_CACHED_POSITIONS = 1 << 16
_SINGLE: dict[int, bytes] = {}  # position -> encoding of a word occurring there alone


class _Postings:
    """One term's postings: article numbers, weights and encoded values, in article order."""

    __slots__ = ("docs", "weights", "values")

    def __init__(self) -> None:
        self.docs = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []


class TermPool:
    """Postings grouped by field and term; stands in for Whoosh's sorting pool."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Postings]] = {}

    def terms(self, fieldname: str) -> dict[bytes, _Postings]:
        """Return the postings of `fieldname` by term, made on first use."""
        return self.fields.setdefault(fieldname, {})

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting given as Whoosh's pool takes it (used when merging segments)."""
        fieldname, text, docnum, weight, value = item
        terms = self.terms(fieldname)
        postings = terms.get(text)
        if postings is None:
            postings = terms[text] = _Postings()
        postings.docs.append(docnum)
        postings.weights.append(weight)
        postings.values.append(value or emptybytes)

    def cleanup(self) -> None:
        """Drop every posting."""
        self.fields.clear()


class FastSegmentWriter(SegmentWriter):
    """A SegmentWriter over a TermPool, for schemas without term vectors and documents without
    boosts or `_stored_` values."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = TermPool()
        self.postings = 0  # held in the pool

    @property
    def pool_mb(self) -> float:
        """Return the memory the pool takes, estimated, in MiB."""
        return self.postings * POSTING_BYTES / 2**20

    def add_document(self, **fields: Any) -> None:
        """Add one article's fields."""
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError(f"{type(self).__name__} takes no boosts or _stored_ values")
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        pool = self.pool
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            vbytes = None
            if field.indexed:
                terms = pool.terms(name)
                scorable = field.scorable
                items = _index(field, value)
                self.postings += len(items)
                for text, freq, weight, vbytes in items:
                    postings = terms.get(text)
                    if postings is None:
                        postings = terms[text] = _Postings()
                    postings.docs.append(docnum)
                    postings.weights.append(weight)
                    postings.values.append(vbytes or emptybytes)
                    if scorable:
                        length += freq
            if field.separate_spelling():
                spelling = field.spelling_fieldname(name)
                for word in field.spellable_words(value):
                    pool.add((spelling, utf8encode(word)[0], 0, 1, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        writer = self.fieldwriter
        try:
            for fieldname, terms in sorted(self.pool.fields.items()):
                lengths = field_lengths(perdoc, fieldname, self.docnum).astype(int).tolist()
                _write_field(writer, self.schema[fieldname], fieldname, terms, lengths)
        finally:
            perdoc.close()
        writer.close()


def _index(field: Any, value: Any) -> list[tuple[bytes, int, float, bytes]]:
    """Return `field.index(value)`, computed without Whoosh's tokens for fused analyzers."""
    fused = type(field.format) is Positions and isinstance(field.analyzer, FusedAnalyzer)
    if not fused or not isinstance(value, str):
        return list(field.index(value))
    boost = field.format.field_boost
    return [
        (text.encode("utf-8"), len(poses), len(poses) * boost, _encoded(poses))
        for text, poses in field.analyzer.positions(value).items()
    ]


def _encoded(poses: list[int]) -> bytes:
    """Return positions `poses` encoded as Whoosh's Positions format stores them."""
    if len(poses) == 1 and poses[0] < _CACHED_POSITIONS:
        # Most words occur once in an article: their encodings repeat across articles.
        encoded = _SINGLE.get(poses[0])
        if encoded is None:
            encoded = _SINGLE[poses[0]] = pack_uint(1) + pickle.dumps(poses, 2)
        return encoded
    deltas = [pos - before for before, pos in zip([0, *poses], poses, strict=False)]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _write_field(
    writer: Any,
    field: Any,
    fieldname: str,
    terms: dict[bytes, _Postings],
    lengths: list[int],
) -> None:
    """Write the postings of every term of `fieldname` through field writer `writer`."""
    writer.start_field(fieldname, field)
    postings_writer = writer._postwriter
    limit = postings_writer._blocklimit
    for text in sorted(terms):
        postings = terms[text]
        writer._btext = text
        postings_writer.start_postings(field.format, W3TermInfo())
        for start in range(0, len(postings.docs), limit):
            if start:
                postings_writer._write_block()
            _fill_block(postings_writer, postings, start, start + limit, lengths)
        writer.finish_term()
    writer.finish_field()


def _fill_block(writer: Any, postings: _Postings, start: int, end: int, lengths: list[int]) -> None:
    """Put postings `start` to `end` into `writer`'s block buffer with their statistics."""
    writer._ids = docs = postings.docs[start:end]
    writer._weights = weights = postings.weights[start:end]
    writer._values = [value for value in postings.values[start:end] if value]
    writer._maxweight = max(weights)
    found = [lengths[doc] for doc in docs if lengths[doc]]
    writer._minlength = min(found) if found else None
    writer._maxlength = max(found) if found else 0


class _SubWriter(SubWriterTask):
    """A worker process of `BulkWriter`: indexes the articles it is sent into segments of its
    own, starting a new one whenever the pool outgrows `limitmb`."""

    parent = 0  # the pid of the process that started this one, set before it starts

    def run(self) -> None:
        threading.Thread(target=_exit_with_parent, args=(self.parent,), daemon=True).start()
        ix = self.storage.open_index(self.indexname)
        limit = self.kwargs.get("limitmb", 128)
        segments = []
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running and (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
            if writer.pool_mb > limit:
                segments.append(writer._finalize_segment())
                writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        if not self.running:
            writer.cancel()
            return
        if writer.doc_count():
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        self.resultqueue.put(segments, timeout=5)


def _exit_with_parent(parent: int) -> None:
    """Exit as soon as process `parent` is gone (even killed with -9): an orphaned worker
    would hold the archive's write lock, inherited from it, for ever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


class BulkWriter(MpWriter):
    """Whoosh's multiprocess writer whose processes write segments of their own with
    FastSegmentWriter, added to the index as they are at commit."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

    def _new_task(self) -> _SubWriter:
        task = _SubWriter(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True
        )
        task.parent = os.getpid()
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        segments += self._segments_written()
        for task in self.tasks:
            task.join()
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _segments_written(self) -> list[Any]:
        """Wait for every process's segments; fail if a process dies first."""
        segments: list[Any] = []
        for _ in self.tasks:
            while True:
                try:
                    segments += self.resultqueue.get(timeout=1)
                    break
                except queue.Empty:
                    died = [task.exitcode for task in self.tasks if task.exitcode]
                    if died:
                        raise IndexingFailedError(
                            f"An indexing process died (exit code {died[0]}), perhaps out of "
                            "memory; nothing of this batch was committed. Try again with "
                            "fewer articles per batch."
                        ) from None
        return segments
