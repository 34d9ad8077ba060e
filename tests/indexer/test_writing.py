"""Writing to an archive: the lock between writers, crashes mid-batch, outdated indexes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from crawler import Article
from indexer import ArchiveLockedError, ArchiveOutdatedError, ArchiveReadOnlyError, NewsIndex
from indexer import index as index_module
from tests.conftest import REPO

HOLD_LOCK = """
import sys, time
from indexer import NewsIndex
with NewsIndex.open(sys.argv[1]) as index:
    with index._writing():
        print("holding", flush=True)
        time.sleep(60)
"""

CRASH_MID_BATCH = """
import os, signal, sys
from crawler import Article
from indexer import NewsIndex

def articles():
    for n in range(30):
        if n == 25:  # the second batch is half written
            os.kill(os.getpid(), signal.SIGKILL)
        yield Article(url=f"https://crash.example/{n}", title=f"Crash {n}", text=f"Story {n}.")

with NewsIndex.open(sys.argv[1], create=True) as index:
    index.add(articles(), batch_size=20)
"""


def python(script: str, *args: str, **popen: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, **popen)


def test_a_second_writer_waits_then_says_who_holds_the_lock(
    tmp_path: Path, articles: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(articles[:2])
    holder = python(HOLD_LOCK, str(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(index_module, "WRITE_LOCK_TIMEOUT", 0.5)
        with NewsIndex.open(tmp_path) as index:
            started = time.monotonic()
            with pytest.raises(ArchiveLockedError, match=rf"process {holder.pid} on .*writing"):
                index.add(articles[2:3])
            assert time.monotonic() - started >= 0.5  # it waited first
            assert index.search("peroxide").total == 1  # readers are never blocked
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with NewsIndex.open(tmp_path) as index:  # the lock dies with its holder
        index.add(articles[2:3])
        assert len(index) == 3


def test_a_crash_mid_batch_keeps_what_was_committed(tmp_path: Path) -> None:
    crashed = python(CRASH_MID_BATCH, str(tmp_path))
    assert crashed.wait(timeout=120) == -signal.SIGKILL
    with NewsIndex.open(tmp_path) as index:
        assert len(index) == 20  # the first batch, whole; none of the second
        assert index.search("crash").total == 20
        more = [Article(url=f"https://crash.example/{n}", title="C", text="x") for n in (20, 21)]
        index.add(more)  # no stale lock blocks the next writer
        assert len(index) == 22


def test_an_index_built_by_an_older_version_asks_for_a_rebuild(
    tmp_path: Path, articles: list[Article]
) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(articles)
    shutil.rmtree(tmp_path / "index")
    (tmp_path / "index").mkdir()
    whoosh_index.create_in(tmp_path / "index", Schema(id=ID(stored=True), body=TEXT))
    with pytest.raises(ArchiveOutdatedError, match="newsarchive reindex"):
        NewsIndex.open(tmp_path)
    with NewsIndex.open(tmp_path, upgrade=True) as index:
        assert index.rebuild() == len(articles)
    with NewsIndex.open(tmp_path) as index:
        assert index.search("peroxide").total == 1


def test_the_writer_note_is_gone_after_writing(tmp_path: Path, articles: list[Article]) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(articles[:1])
    assert not any(name.startswith("writer") for name in os.listdir(tmp_path))


def test_a_bulk_load_indexes_and_replaces_like_small_batches(tmp_path: Path) -> None:
    def story(n: int, word: str) -> Article:
        return Article(url=f"https://bulk.example/{n}", title=f"Story {n}", text=f"{word} {n}.")

    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([story(n, "harbour") for n in range(1500)])  # past BULK_BATCH: bulk mode
        index.add([story(n, "lighthouse") for n in range(1000, 2500)])  # 500 replaced
        assert len(index) == 2500
        assert index.count("harbour") == 1000 and index.count("lighthouse") == 1500
        assert index.rebuild() == 2500
        assert index.count("lighthouse") == 1500


def test_an_archive_opened_read_only_searches_and_refuses_writes(
    tmp_path: Path, articles: list[Article]
) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(articles[:3])
    with NewsIndex.open(tmp_path, readonly=True) as reader:
        assert reader.search("").total == 3
        for write in (
            lambda: reader.add(articles[3:4]),
            lambda: reader.delete(articles[0].id),
            reader.rebuild,
            reader.optimize,
        ):
            with pytest.raises(ArchiveReadOnlyError, match="opened read-only"):
                write()
        assert reader.search("").total == 3
    with NewsIndex.open(tmp_path) as index:
        assert len(index) == 3 and index.get(articles[0].id) == articles[0]


def test_the_next_write_mends_what_an_interrupted_write_left(
    tmp_path: Path, articles: list[Article]
) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(articles[:3])
        # As a kill between the store's commit and the index's leaves them:
        index._store.put(articles[3:5])  # stored, not indexed
        index._store.delete(articles[0].id)  # indexed, no longer stored
        assert index.search("").total == 3
        index.add(articles[5:6])
        found = {hit.id for hit in index.search("", per_page=100, collapse=False).hits}
        assert found == {article.id for article in articles[1:6]}
        assert len(index) == len(list(index.articles())) == 5
