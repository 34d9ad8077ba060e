"""Postings blocks: written with pickle protocol 4, archives written with protocol 2 still read."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec import whoosh3
from whoosh.formats import Positions

from crawler import Article
from indexer import NewsIndex, postings


def _search(path: Path, articles: list[Article]) -> list[tuple[str, int, float]]:
    with NewsIndex.open(path, create=True) as index:
        index.add(articles)
        results = [
            index.search(query, collapse=False, per_page=100)
            for query in ("river", '"river council"', '"harbour drought"~3', "budget -river")
        ]
    return [
        (hit.id, result.total, round(hit.score, 6)) for result in results for hit in result.hits
    ]


def test_archives_with_protocol_2_blocks_search_the_same(
    tmp_path: Path, corpus: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    current = _search(tmp_path / "new", corpus)
    written = []

    def protocol_2(value: object, _protocol: int = 2) -> bytes:
        written.append(value)
        return pickle.dumps(value, 2)

    monkeypatch.setattr(whoosh3, "dumps", protocol_2)
    older = _search(tmp_path / "old", corpus)
    assert written  # the older archive really was written the old way
    assert current == older
    assert len(current) > 100


@pytest.mark.parametrize(
    ("positions", "slop", "expected"),
    [
        ([[3], [4]], 1, True),
        ([[3], [5]], 1, False),
        ([[3], [5]], 2, True),
        ([[5], [3]], 3, False),  # order counts
        ([[1, 8], [2, 9], [10]], 1, True),  # the second start makes it
        ([[1], [2], [2]], 1, False),  # one position cannot stand for two words
    ],
)
def test_in_order(positions: list[list[int]], slop: int, expected: bool) -> None:
    assert postings.in_order(positions, slop) is expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sets(st.integers(0, 30), min_size=1, max_size=8), min_size=2, max_size=3),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 3),
)
def test_phrase_found_agrees_with_in_order(docs: list[list[set[int]]], slop: int) -> None:
    width = min(len(words) for words in docs)
    places = []
    for word in range(width):
        lists = [sorted(words[word]) for words in docs]
        encoded = [Positions().encode(positions) for positions in lists]
        ids = np.arange(len(docs))
        places.append(postings.positions(ids, encoded, ids))
        assert [list(map(int, np.sort(places[-1][1][places[-1][0] == n]))) for n in ids] == lists
    expected = [postings.in_order([sorted(w) for w in words[:width]], slop) for words in docs]
    assert postings.phrase_found(places, len(docs), slop).tolist() == expected
