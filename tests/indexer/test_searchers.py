"""Refreshing a searcher after commits: unchanged segments reused, merged ones gone."""

from __future__ import annotations

from pathlib import Path

from crawler import Article
from indexer import NewsIndex
from indexer.ranking import ranking
from indexer.searchers import fresh_searcher


def _story(n: int) -> Article:
    return Article(url=f"https://refresh.example/{n}", title=f"Harbour {n}", text=f"Tide {n}.")


def _readers(searcher: object) -> dict[str, object]:
    return {r.segment().segid: r for r, _ in searcher.reader().leaf_readers()}  # type: ignore[attr-defined]


def test_a_refresh_reuses_unchanged_segments_and_sees_new_ones(tmp_path: Path) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([_story(n) for n in range(1500)])  # a bulk load: one segment per process
        ix = index._ix
        before = fresh_searcher(ix, ranking())
        big = _readers(before)
        index.add([_story(2000)])
        after = fresh_searcher(ix, ranking(), before)
        readers = _readers(after)
        assert all(readers[segid] is reader for segid, reader in big.items())
        assert len(readers) == len(big) + 1
        assert after.doc_count() == 1501 and after.up_to_date()


def test_a_refresh_after_a_rebuild_counts_every_article_once(tmp_path: Path) -> None:
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([_story(n) for n in range(30)])
        index.add([_story(n) for n in range(30, 40)])
        assert index.search("harbour").total == 40
        index.rebuild()
        assert index.search("harbour").total == 40
        index.optimize()
        assert index.search("harbour").total == 40
        index.delete(_story(3).id)
        assert index.search("harbour").total == 39
