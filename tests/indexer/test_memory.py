"""A serving archive's memory stays bounded while commits keep coming: each of the server's
threads refreshes its searcher after every commit, and nothing piles up."""

from __future__ import annotations

import gc
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from whoosh.fields import Schema
from whoosh.reading import SegmentReader

from crawler import Article
from indexer import NewsIndex

THREADS = 4
COMMITS = 25


def _story(n: int) -> Article:
    return Article(
        url=f"https://memory.example/{n}",
        title=f"Harbour report {n}",
        text=f"The harbour master spoke of tides and ferries, report {n}. " * 10,
    )


@contextmanager
def _server_threads(index: NewsIndex) -> Iterator[Callable[[], None]]:
    """Run long-lived threads, like a web server's; yield a function that has each of them
    search `index` once."""
    jobs = [queue.Queue[bool]() for _ in range(THREADS)]
    done = queue.Queue[bool]()

    def serve(inbox: queue.Queue[bool]) -> None:
        while inbox.get():
            index.search("harbour ferries", per_page=5)
            done.put(True)

    threads = [threading.Thread(target=serve, args=(inbox,)) for inbox in jobs]
    for thread in threads:
        thread.start()

    def search_everywhere() -> None:
        for inbox in jobs:
            inbox.put(True)
        for _ in jobs:
            done.get(timeout=60)

    try:
        yield search_everywhere
    finally:
        for inbox in jobs:
            inbox.put(False)
        for thread in threads:
            thread.join()


def _live(kind: type) -> list[object]:
    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, kind)]


def _segments(folder: Path) -> int:
    return len(list((folder / "index").glob("*.seg")))


def test_commits_between_searches_leave_no_schemas_or_readers_behind(tmp_path: Path) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([_story(n) for n in range(40)])
    schemas_before = len(_live(Schema))
    with NewsIndex.open(tmp_path) as writer, NewsIndex.open(tmp_path, readonly=True) as served:
        with _server_threads(served) as search_everywhere:
            for n in range(COMMITS):
                writer.add([_story(1000 + n)])
                search_everywhere()
            # One schema per open archive (its analysers cache what they analyse), not one
            # per thread and segment.
            assert len(_live(Schema)) - schemas_before <= 2
            open_readers = [r for r in _live(SegmentReader) if not r.is_closed]
            assert len(open_readers) <= (THREADS + 1) * _segments(tmp_path)
            assert served.search("harbour").total == 40 + COMMITS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_segments_merged_away_are_no_longer_mapped(tmp_path: Path) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        for n in range(8):
            index.add([_story(n)])
    with NewsIndex.open(tmp_path) as writer, NewsIndex.open(tmp_path, readonly=True) as served:
        with _server_threads(served) as search_everywhere:
            search_everywhere()
            writer.optimize()
            search_everywhere()
            maps = Path("/proc/self/maps").read_text().splitlines()
            assert not [line for line in maps if str(tmp_path) in line and "(deleted)" in line]
            assert served.search("harbour").total == 8
