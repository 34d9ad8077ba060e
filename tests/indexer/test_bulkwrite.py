"""The fast segment writer writes what Whoosh's own writer writes, alone, merging, in processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from crawler import Article
from indexer import postings
from indexer.bulkwrite import BulkWriter, FastSegmentWriter
from indexer.dupes import Sketches
from indexer.errors import IndexingFailedError
from indexer.index import _Copies
from indexer.schema import build_schema
from tests.conftest import REPO


def _fields(articles: list[Article]) -> list[dict[str, Any]]:
    copies = _Copies(Sketches())
    return [copies.fields(article) for article in articles]


def _write(folder: Path, writer_class: type, batches: list[list[dict[str, Any]]], **options: Any):
    """Write each batch with one commit of `writer_class`; return the index."""
    folder.mkdir()
    ix = whoosh_index.create_in(folder, build_schema())
    for batch in batches:
        writer = writer_class(ix, codec=postings.CODEC, **options)
        for fields in batch:
            writer.add_document(**fields)
        writer.commit()
    return ix


def _contents(ix: Any) -> dict[str, Any]:
    """Return everything a reader can tell of `ix`: terms with statistics and postings, stored
    fields, field lengths and columns."""
    with ix.reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            terms[field, text] = (stats, info.max_weight(), found)
        docs = range(reader.doc_count_all())
        lengths = {
            field: [reader.doc_field_length(doc, field) for doc in docs]
            for field in ("title", "description", "body", "authors", "body_ln")
        }
        columns = {
            field: list(reader.column_reader(field, translate=False))
            for field in ("source", "section", "author", "published", "dupkey")
        }
        return {
            "terms": terms,
            "stored": [reader.stored_fields(doc) for doc in docs],
            "lengths": lengths,
            "columns": columns,
        }


def test_one_segment_holds_what_whooshs_writer_puts_in_it(
    tmp_path: Path, corpus: list[Article]
) -> None:
    fields = _fields(corpus)
    whoosh = _write(tmp_path / "whoosh", SegmentWriter, [fields])
    fast = _write(tmp_path / "fast", FastSegmentWriter, [fields])
    expected, found = _contents(whoosh), _contents(fast)
    assert found["terms"].keys() == expected["terms"].keys()
    assert any(field == "spell_title" for field, _ in found["terms"])
    assert found == expected


def test_merging_small_segments_keeps_every_posting(tmp_path: Path, corpus: list[Article]) -> None:
    fields = _fields(corpus)
    batches = [fields[:60], fields[60:120], fields[120:]]  # later commits merge earlier segments
    whoosh = _write(tmp_path / "whoosh", SegmentWriter, batches)
    fast = _write(tmp_path / "fast", FastSegmentWriter, batches)
    assert len(fast._segments()) == len(whoosh._segments())
    assert _contents(fast) == _contents(whoosh)


def test_worker_processes_write_segments_with_every_article(
    tmp_path: Path, corpus: list[Article]
) -> None:
    fields = _fields(corpus)
    single = _write(tmp_path / "single", FastSegmentWriter, [fields])
    parallel = _write(tmp_path / "parallel", BulkWriter, [fields], procs=2, batchsize=50)
    assert len(parallel._segments()) == 2
    expected, found = _contents(single), _contents(parallel)
    # Each process numbers its own articles; compare postings by article id.
    assert sorted(map(_id_order, found["stored"])) == sorted(map(_id_order, expected["stored"]))
    assert _by_id(found) == _by_id(expected)


def _id_order(stored: dict[str, Any]) -> str:
    return stored["id"]


def _by_id(contents: dict[str, Any]) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    """Return each term's postings with article ids in place of numbers, in id order."""
    ids = [stored["id"] for stored in contents["stored"]]
    return {
        key: sorted((ids[doc], weight, value) for doc, weight, value in found)
        for key, (_, _, found) in contents["terms"].items()
        if key[0] != "spell_title"  # one posting per use of a word, all on the first article
    }


def test_a_process_starts_a_new_segment_past_its_memory_limit(
    tmp_path: Path, corpus: list[Article]
) -> None:
    fields = _fields(corpus)
    single = _write(tmp_path / "single", FastSegmentWriter, [fields])
    parallel = _write(tmp_path / "parallel", BulkWriter, [fields], procs=2, batchsize=40, limitmb=0)
    assert len(parallel._segments()) == len(fields) // 40
    assert _by_id(_contents(parallel)) == _by_id(_contents(single))


def test_a_dying_process_fails_the_batch_and_keeps_what_was_committed(
    tmp_path: Path, corpus: list[Article]
) -> None:
    fields = _fields(corpus)
    ix = _write(tmp_path / "index", FastSegmentWriter, [fields[:100]])
    writer = BulkWriter(ix, procs=2, batchsize=20, codec=postings.CODEC)
    for article in fields[100:]:
        writer.add_document(**article)
    writer.add_document(id="broken", body=12345)  # a worker raises on a number for text
    with pytest.raises(IndexingFailedError, match="nothing of this batch was committed"):
        writer.commit()
    writer.cancel()
    assert ix.doc_count() == 100
    assert (
        _contents(ix)["stored"]
        == _contents(_write(tmp_path / "again", FastSegmentWriter, [fields[:100]]))["stored"]
    )


HOLD_BULK_WRITER = """
import sys, time
from whoosh import index
from indexer import postings
from indexer.bulkwrite import BulkWriter
ix = index.open_dir(sys.argv[1])
writer = BulkWriter(ix, procs=2, batchsize=1, codec=postings.CODEC)
for n in range(4):
    writer.add_document(id=f"doc{n}", body="harbour tide")
print("workers started", flush=True)
time.sleep(60)
"""


def test_workers_of_a_killed_bulk_load_exit_and_free_the_lock(tmp_path: Path) -> None:
    ix = _write(tmp_path / "index", FastSegmentWriter, [])
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_BULK_WRITER, str(tmp_path / "index")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    ) as child:
        try:
            assert child.stdout.readline().strip() == "workers started"
            os.kill(child.pid, signal.SIGKILL)  # the workers are left without their parent
        finally:
            child.kill()
    writer = ix.writer(timeout=10.0)  # inherited by the workers, the lock dies with them
    writer.cancel()
