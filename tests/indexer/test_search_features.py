"""Query language, near-duplicate collapsing, suggestions and more-like-this."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler import Article
from indexer import NewsIndex, QueryError
from indexer.query import MAX_FUZZY_LETTERS
from indexer.suggest import MAX_WORD, MAX_WORDS

DUPES = Path(__file__).parent / "fixtures" / "dupes" / "quake"
# Copies a site makes of a wire story: new headline, local intro, correction, typos.
COPIES = ("original", "dup-headline", "dup-local-intro", "dup-correction", "dup-typos")


def wire_copies() -> list[Article]:
    """One wire story as five sites ran it, plus an independent story on the same event."""
    copies = [
        Article(
            url=f"https://site{n}.example/quake",
            title=f"Earthquake report {n}",
            text=(DUPES / f"{name}.txt").read_text(),
            source=f"Site {n}",
        )
        for n, name in enumerate(COPIES)
    ]
    other = Article(
        url="https://valley.example/report",
        title="A town in shock",
        text=(DUPES / "distinct-independent.txt").read_text(),
    )
    return [*copies, other]


@pytest.fixture
def fresh(tmp_path: Path, articles: list[Article]):
    with NewsIndex.open(tmp_path / "archive", create=True) as index:
        index.add(articles + wire_copies())
        yield index


def test_wire_copies_collapse_into_one_hit_that_counts_them(fresh: NewsIndex) -> None:
    results = fresh.search("earthquake Peru")
    quake_hits = [hit for hit in results.hits if "quake" in hit.url]
    assert len(quake_hits) == 1 and quake_hits[0].duplicates == 4
    assert any(hit.url == "https://valley.example/report" for hit in results.hits)
    assert results.total == 6  # every matching article is counted


def test_collapsing_can_be_turned_off(fresh: NewsIndex) -> None:
    hits = fresh.search("earthquake Peru", collapse=False).hits
    assert sum("quake" in hit.url for hit in hits) == 5
    assert all(hit.duplicates == 0 for hit in hits)


def test_the_copies_of_a_hit_can_be_listed(fresh: NewsIndex) -> None:
    kept = fresh.search("earthquake Peru").hits[0]
    copies = fresh.duplicates(kept.id)
    assert len(copies) == kept.duplicates == 4
    assert kept.id not in {hit.id for hit in copies}


def test_a_recrawled_copy_keeps_its_group(fresh: NewsIndex) -> None:
    first = wire_copies()[1]
    fresh.add([dataclasses.replace(first, title="Earthquake toll rises to 15")])
    assert fresh.search("earthquake Peru").hits[0].duplicates == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("farmlnd", "farmland"),
        ("biologst ants", "biologist ants"),
        ('"nuclear power" Ankra', '"nuclear power" Ankara'),
    ],
)
def test_misspelt_queries_get_a_suggestion(fresh: NewsIndex, query: str, expected: str) -> None:
    assert fresh.search(query).suggestion == expected


@pytest.mark.parametrize("query", ["farmland", "zzzzqqq", "budget", "peroxide", ""])
def test_no_suggestion_when_nothing_better_exists(fresh: NewsIndex, query: str) -> None:
    assert fresh.search(query).suggestion is None


@pytest.mark.parametrize(
    "query",
    [
        "farmlnd" + "x" * (MAX_WORD - 6),  # too long a word to respell
        " ".join(["farmlnd"] + ["qqqqzzz"] * MAX_WORDS),  # too many words: pasted text
    ],
)
def test_no_suggestion_for_very_long_words_or_queries(fresh: NewsIndex, query: str) -> None:
    assert fresh.search(query).suggestion is None
    assert fresh.search(" ".join(["farmlnd"] + ["qqqqzzz"] * (MAX_WORDS - 1))).suggestion


def test_more_like_this_finds_related_articles_not_copies(fresh: NewsIndex) -> None:
    kept = fresh.search("earthquake").hits[0]
    related = fresh.more_like_this(kept.id, n=5)
    assert related[0].url == "https://valley.example/report"
    assert not any("quake" in hit.url for hit in related)  # itself and its copies left out
    budget = fresh.search("budget").hits[0]
    assert all("budget" in hit.url for hit in fresh.more_like_this(budget.id, n=5))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"nuclear station"~2', "putin-ankara"),  # proximity
        ("peroxyde~", "ants"),  # fuzzy
        ("medicat*", "ants"),  # prefix (the stem is "medic")
        ('author:"Nick Bos"', "ants"),  # a name, whatever its case
        ("tag:nope OR farmland", None),  # a filter with no match empties the query
        ("colour:red farmland", "flood"),  # unknown field: read as words
        ("farmers record rain zeppelin", "flood"),  # a missing word does not empty the query
        ("+river rain", "flood"),
    ],
)
def test_query_language(fresh: NewsIndex, query: str, found: str | None) -> None:
    hits = fresh.search(query).hits
    if found is None:
        assert hits == []
    else:
        assert hits and found in hits[0].url


@pytest.mark.parametrize(("query", "marked"), [("peroxyde~", "peroxide"), ("hydrog*", "hydrogen")])
def test_snippets_mark_the_words_a_fuzzy_or_prefix_term_found(
    fresh: NewsIndex, query: str, marked: str
) -> None:
    ants = fresh.search(query).hits[0]
    assert f"<mark>{marked}</mark>" in ants.snippet


def test_fuzzy_search_refuses_words_too_long_to_be_misspelt(fresh: NewsIndex) -> None:
    longest = "peroxide" * (MAX_FUZZY_LETTERS // 8)
    assert fresh.search(f"{longest}~").total == 0
    with pytest.raises(QueryError, match="too long for a fuzzy search"):
        fresh.search(f"{longest}x~ ants")


def test_short_words_take_fewer_edits(fresh: NewsIndex) -> None:
    # Two edits of "ax" would match most short words (as, an, at...); it takes none.
    assert fresh.search("ax~2").total == fresh.search("ax").total == 0
    # "rivr" (4 letters) takes one edit: river, not words two edits away such as "rain".
    assert {hit.url for hit in fresh.search("rivr~2").hits} == {
        hit.url for hit in fresh.search("river").hits
    }


def test_required_words_and_exclusions(fresh: NewsIndex) -> None:
    assert fresh.search("+zeppelin river").total == 0
    assert fresh.search("river -farmers").total == 0
    assert fresh.search("budget debate -late").total == 0
    assert fresh.search("budget OR river").total == 13


def test_operators_hold_in_every_language(tmp_path: Path, articles: list[Article]) -> None:
    lingala = Article(
        url="https://ln.example/1", title="Mbula", text="Budget ya mboka mpe tax", language="ln"
    )
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([*articles, lingala])
        assert index.search("budget NOT tax").total == 12  # the Lingala story is excluded
        assert index.search("tax AND mboka").total == 1
        assert index.search("the mboka").total == 2  # both Lingala stories say "mboka"
        assert index.search("the").total == 0
