"""The Typesense backend against a real three-node Typesense cluster on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from crawler import Article
from indexer import NewsIndex, QueryError
from indexer.errors import ArticleNotFoundError
from indexer.typesense_backend import TypesenseIndex
from tests.conftest import XSS_BODY
from tests.indexer.conftest import related_story, wire_copy
from tests.indexer.typesense_cluster import API_KEY, Cluster


@pytest.fixture(scope="session")
def corpus(articles: list[Article]) -> list[Article]:
    """The shared test articles, three copies of one wire story and an unrelated rate story."""
    copies = [
        wire_copy(slug, intro, day)
        for slug, intro, day in (
            ("a", "LONDON (Wire) -", 3),
            ("b", "From our correspondents:", 4),
            ("c", "", 5),
        )
    ]
    other = related_story("rates-mortgages")
    return [*articles, *copies, other]


@pytest.fixture(scope="session")
def ts_index(typesense_cluster: Cluster, corpus: list[Article]) -> Iterator[TypesenseIndex]:
    """A TypesenseIndex holding `corpus` (shared: tests that write use their own collection)."""
    index = TypesenseIndex.open(
        None, create=True, nodes=typesense_cluster.addresses, api_key=API_KEY, collection="shared"
    )
    index.add(corpus)
    yield index
    index.close()


@pytest.fixture(scope="session")
def news_index(tmp_path_factory: pytest.TempPathFactory, corpus: list[Article]) -> NewsIndex:
    """A NewsIndex holding the same `corpus`."""
    index = NewsIndex.open(tmp_path_factory.mktemp("whoosh"), create=True)
    index.add(corpus)
    return index


def _ids(results: object) -> set[str]:
    return {hit.id for hit in results.hits}  # type: ignore[attr-defined]


def _found(index: TypesenseIndex | NewsIndex, q: str, **options: object) -> set[str]:
    """Return the ids of every match of `q`, copies not collapsed."""
    return _ids(index.search(q, per_page=100, collapse=False, facets=(), **options))


def _slugs(index: TypesenseIndex, q: str, **options: object) -> set[str]:
    return {
        hit.url.rsplit("/", 1)[-1]
        for hit in index.search(q, per_page=100, collapse=False, facets=(), **options).hits
    }


def test_words_phrases_exclusions_and(ts_index: TypesenseIndex) -> None:
    assert _slugs(ts_index, "farmland") == {"flood"}
    assert _slugs(ts_index, '"nuclear power station"') == {"putin-ankara"}
    assert _slugs(ts_index, '"power nuclear"') == set()
    assert _slugs(ts_index, "ants OR farmland") == {"ants", "flood"}
    assert _slugs(ts_index, "budget -day") == set()
    assert len(_slugs(ts_index, "budget NOT lawmakers")) == 0
    assert _slugs(ts_index, "ankara AND nuclear") == {"putin-ankara"}
    assert _slugs(ts_index, "ankara AND farmland") == set()
    assert _slugs(ts_index, "+ankara farmland") == {"putin-ankara"}


def test_filters_dates_and_sorts(ts_index: TypesenseIndex) -> None:
    assert (
        len(_found(ts_index, "", filters={"source": "Daily Planet", "section": "Politics"})) == 12
    )
    assert _slugs(ts_index, "section:Health") == {"5703816"}
    assert _slugs(ts_index, 'source:"VOA Lingala"') == {"5703816"}
    assert _slugs(ts_index, 'author:"Nick Bos"') == {"ants"}
    assert len(_found(ts_index, "", date_from="2021-03-02", date_to="2021-03-04")) == 3
    assert _slugs(ts_index, "published:[2015 TO 2018]") == {"ants", "putin-ankara"}
    assert _slugs(ts_index, "year:2019") == {"flood"}
    newest = ts_index.search("", sort="newest", per_page=100, collapse=False, facets=())
    dates = [hit.published for hit in newest.hits]
    assert dates[-1] is None  # undated last
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=True)
    oldest = ts_index.search("", sort="oldest", per_page=3, collapse=False, facets=())
    assert oldest.hits[0].url.endswith("ants")


def test_pagination_and_facets(ts_index: TypesenseIndex, corpus: list[Article]) -> None:
    first = ts_index.search("budget", per_page=5, page=1, sort="oldest", facets=("year",))
    second = ts_index.search("budget", per_page=5, page=2, sort="oldest", facets=("year",))
    assert first.total == second.total == 12 and first.pages == 3
    assert not _ids(first) & _ids(second)
    assert first.facets["year"] == [("2021", 12)]
    filtered = ts_index.search("", filters={"source": "Daily Planet"}, facets=("source", "section"))
    # A facet filtered by itself lists its alternatives; the others count within the filter.
    assert ("Example News", 2) in filtered.facets["source"]
    assert filtered.facets["section"][0] == ("Politics", 12)
    assert filtered.total == 15


def test_highlight_escapes_html(ts_index: TypesenseIndex) -> None:
    (hit,) = ts_index.search("zorbatown").hits
    assert "<mark>Zorbatown</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    (plain,) = ts_index.search("zorbatown", highlight=False).hits
    assert "<mark>" not in plain.snippet and "&lt;img" in plain.snippet
    assert XSS_BODY.startswith("The mayor")


def test_collapse_counts_copies(ts_index: TypesenseIndex) -> None:
    collapsed = ts_index.search('"central bank"', facets=())
    wire = [hit for hit in collapsed.hits if hit.url.startswith("https://wire.")]
    assert len(wire) == 1 and wire[0].duplicates == 2
    assert collapsed.total == 4  # every match, copies included
    assert len(_slugs(ts_index, '"central bank"')) == 4
    copies = ts_index.duplicates(wire[0].id)
    assert len(copies) == 2 and wire[0].id not in {hit.id for hit in copies}


def test_more_like_this_finds_related_not_copies(ts_index: TypesenseIndex) -> None:
    wire_a = next(
        h for h in ts_index.search('"central bank"', collapse=False).hits if h.url.endswith("/a")
    )
    similar = ts_index.more_like_this(wire_a.id, n=5)
    urls = [hit.url for hit in similar]
    assert urls and urls[0].endswith("rates-mortgages")
    assert not any(url.startswith("https://wire.") for url in urls)


def test_get_count_stats_len(ts_index: TypesenseIndex, corpus: list[Article]) -> None:
    article = corpus[1]
    assert ts_index.get(article.id) == article
    with pytest.raises(ArticleNotFoundError):
        ts_index.get("nope")
    assert ts_index.count("budget") == 12
    assert ts_index.count(source="Daily Planet") == 15
    assert len(ts_index) == len(corpus)
    stats = ts_index.stats()
    assert stats["articles"] == len(corpus)
    assert stats["sources"]["Daily Planet"] == 15
    assert stats["years"]["(undated)"] == 1 and stats["years"]["2021"] == 12
    assert stats["updated"] is not None
    assert {a.id for a in ts_index.articles()} == {a.id for a in corpus}


def test_untranslatable_queries_say_why(ts_index: TypesenseIndex) -> None:
    for query in ("ant*", "peroxide~", '"nuclear power"~2', "(flood OR rain) budget", "-year:2015"):
        with pytest.raises(QueryError, match="Typesense"):
            ts_index.search(query)
    with pytest.raises(QueryError, match="Unknown filter"):
        ts_index.search("", filters={"colour": "red"})
    with pytest.raises(QueryError):
        ts_index.search("x", sort="random")


def test_add_replace_delete_rebuild(
    typesense_cluster: Cluster, corpus: list[Article], tmp_path: Path
) -> None:
    with TypesenseIndex.open(
        tmp_path, create=True, nodes=typesense_cluster.addresses, api_key=API_KEY, collection="own"
    ) as index:
        counts = index.add(corpus[:5])
        assert (counts.new, counts.replaced) == (5, 0)
        changed = replace(corpus[0], title="Ants prefer peroxide")
        assert index.add([changed]).replaced == 1
        assert (
            _slugs(index, "peroxide") == {"ants"} and index.get(changed.id).title == changed.title
        )
        index.delete(changed.id)
        assert changed.id not in _found(index, "")
        with pytest.raises(ArticleNotFoundError):
            index.delete(changed.id)
        assert index.rebuild() == 4
        assert len(index) == 4 and _slugs(index, "farmland") == {"flood"}


# Queries whose meaning is the same in both backends: no stemming or stop words at stake.
SAME_MEANING = [
    "farmland",
    "ankara",
    "zorbatown",
    '"nuclear power station"',
    '"central bank"',
    "+ankara +nuclear",
    "ankara AND turkey",
    "lawmakers -session",
    "rates -mortgage",
    'source:"Daily Planet" +budget',
    "section:Science",
    "published:[2019 TO 2021]",
    "year:2021",
    "ankara OR farmland",
]


@pytest.mark.parametrize("query", SAME_MEANING)
def test_same_matches_as_news_index(
    ts_index: TypesenseIndex, news_index: NewsIndex, query: str
) -> None:
    assert _found(ts_index, query) == _found(news_index, query)


def test_same_matches_with_filters_and_dates(
    ts_index: TypesenseIndex, news_index: NewsIndex
) -> None:
    for options in (
        {"filters": {"source": ["Daily Planet", "VOA Lingala"]}},
        {"filters": {"author": "Jane Doe"}},
        {"date_from": "2019", "date_to": "2021-03-05"},
        {"date_from": "2022-05-04"},
    ):
        assert _found(ts_index, "", **options) == _found(news_index, "", **options), options


def test_failover_keeps_searches_and_writes(
    typesense_cluster: Cluster, corpus: list[Article]
) -> None:
    index = TypesenseIndex.open(
        None, create=True, nodes=typesense_cluster.addresses, api_key=API_KEY, collection="failover"
    )
    index.add(corpus[:3])
    stopped = typesense_cluster.leader()  # the hardest node to lose: writes wait for an election
    typesense_cluster.stop_node(stopped)
    try:
        deadline = time.monotonic() + 30
        assert _slugs(index, "farmland") == {"flood"}
        index.add([corpus[3]])  # retried until a leader is elected among the other two
        assert time.monotonic() < deadline
        assert index.count("") == 4
        assert _slugs(index, "bokonzi") == {"5703816"}
    finally:
        typesense_cluster.start_node(stopped)
    index.add([corpus[4]])
    assert index.count("") == 5
    index.close()
