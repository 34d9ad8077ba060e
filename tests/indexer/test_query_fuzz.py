"""Fuzzing the query language: any query and search options give results or `QueryError`, fast.

    .venv/bin/pytest tests/indexer/test_query_fuzz.py -rP   # -rP prints the slowest queries

The generators live in benchmarks/fuzz_queries.py, which runs them for minutes on a big archive;
here hypothesis drives them (and plain `st.text()`) against the 240-article `corpus` archive.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz_queries import (
    MAX_SECONDS,
    outcome,
    random_query,
    random_text,
    search_options,
    word,
)
from indexer import NewsIndex

# Derandomized: the suite replays the same examples every run; benchmarks/fuzz_queries.py
# explores new ones for as long as it is given.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TIMED_QUERIES = 200
SHOWN = 5

queries = st.randoms(use_true_random=False).map(random_query)
options = st.randoms(use_true_random=False).map(search_options)


@pytest.fixture(scope="module")
def index(corpus_path: Path) -> Iterator[NewsIndex]:
    """The `corpus` archive, opened read-only once for the module and warmed up."""
    with NewsIndex.open(corpus_path, readonly=True) as index:
        index.search("warm up")  # reads the columns the first timed query would pay for
        yield index


def check(index: NewsIndex, query: str, options: dict[str, Any] | None = None) -> float:
    """Search; fail on anything but results or a QueryError with a message, or on a slow query.
    Return the seconds it took."""
    started = time.perf_counter()
    _rejected, found = outcome(index, query, options or {})
    seconds = time.perf_counter() - started
    assert found is None, f"query {query!r} with {options}:\n{found}"
    assert seconds < MAX_SECONDS, f"query {query!r} with {options} took {seconds:.2f} s"
    return seconds


@FUZZ
@given(query=queries)
def test_grammar_queries_give_results_or_query_error(index: NewsIndex, query: str) -> None:
    check(index, query)


@FUZZ
@given(query=st.one_of(st.text(), st.text(alphabet=st.characters(codec="utf-8"), max_size=200)))
def test_arbitrary_text_gives_results_or_query_error(index: NewsIndex, query: str) -> None:
    check(index, query)


@FUZZ
@given(query=queries, options=options)
def test_search_options_give_results_or_query_error(
    index: NewsIndex, query: str, options: dict[str, Any]
) -> None:
    check(index, query, options)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    pieces=st.lists(
        st.one_of(
            st.randoms(use_true_random=False).map(word),
            st.randoms(use_true_random=False).map(random_text),
            st.sampled_from(["*", "?", "~", "~2", "^", '"', "(", ")", ":", "-", "+", "TO"]),
        ),
        max_size=6,
    )
)
def test_pieces_glued_without_spaces(index: NewsIndex, pieces: list[str]) -> None:
    check(index, "".join(pieces))


def test_slowest_generated_query_is_under_a_second(index: NewsIndex) -> None:
    rng = random.Random(20261204)
    timed = []
    for _ in range(TIMED_QUERIES):
        query, options = random_query(rng), search_options(rng)
        timed.append((check(index, query, options), query))
    timed.sort(reverse=True)
    print(f"slowest of {TIMED_QUERIES} generated queries:")
    for seconds, query in timed[:SHOWN]:
        print(f"  {seconds * 1000:7.1f} ms  {query[:100]!r}")
    assert timed[0][0] < MAX_SECONDS
