"""One API test suite run against both search backends: NewsIndex (Whoosh) and TypesenseIndex.

Expected results are computed from the articles themselves. Where Typesense cannot do what
NewsIndex does (README "Past one machine"), the documented degradation is asserted instead, in
the few tests marked so below.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from crawler import Article
from crawler.article import Access
from indexer import NewsIndex, QueryError
from indexer.errors import ArticleNotFoundError
from indexer.results import Hit, SearchResults
from indexer.typesense_backend import TypesenseIndex
from tests.conftest import XSS_BODY, XSS_TITLE
from tests.indexer.conftest import related_story, wire_copy
from tests.indexer.typesense_cluster import API_KEY, Cluster

Index = NewsIndex | TypesenseIndex
BACKENDS = ["whoosh", "typesense"]
MAX = 100


@pytest.fixture(scope="module")
def copies() -> list[Article]:
    """Three near-identical copies of one wire story."""
    return [
        wire_copy("api-a", "LONDON (Wire) -", 3),
        wire_copy("api-b", "From our correspondents:", 4),
        wire_copy("api-c", "", 5),
    ]


@pytest.fixture(scope="module")
def mortgage() -> Article:
    """A story related to the wire story but not a copy of it."""
    return dataclasses.replace(
        related_story("api-rates-mortgages"), authors=["Ann Lee"], tags=["economy"]
    )


@pytest.fixture(scope="module")
def teasers() -> list[Article]:
    """Two paywalled stories of which only the opening could be read."""
    return [
        Article(
            url=f"https://paywall.example.com/{slug}",
            title=title,
            text=f"{opening}\n\nSubscribe to read the rest.",
            source="Paywall Times",
            section="Business",
            language="en",
            published=datetime(2023, 2, day, tzinfo=UTC),
            access=Access.TEASER,
        )
        for day, slug, title, opening in (
            (1, "harbour", "Harbour authority spends its reserves", "The harbour authority spent."),
            (2, "stadium", "Stadium plans redrawn again", "Architects redrew the stadium."),
        )
    ]


@pytest.fixture(scope="module")
def corpus(
    articles: list[Article], copies: list[Article], teasers: list[Article], mortgage: Article
) -> list[Article]:
    """The shared test articles, the wire copies, the teasers and the related story."""
    return [*articles, *copies, *teasers, mortgage]


@pytest.fixture(scope="module", params=BACKENDS)
def index(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus: list[Article],
) -> Iterator[Index]:
    """An archive of `corpus` in each backend (tests that delete put the article back)."""
    if request.param == "whoosh":
        built: Index = NewsIndex.open(tmp_path_factory.mktemp("api-whoosh"), create=True)
    else:
        cluster: Cluster = request.getfixturevalue("typesense_cluster")
        built = TypesenseIndex.open(
            None,
            create=True,
            nodes=cluster.addresses,
            api_key=API_KEY,
            collection="shared-api-suite",
        )
    built.add(corpus)
    yield built
    built.close()


@pytest.fixture
def backend(index: Index) -> str:
    return "whoosh" if isinstance(index, NewsIndex) else "typesense"


# Expected results, from the articles


def _words(article: Article) -> set[str]:
    return set(re.findall(r"\w+", f"{article.title} {article.description} {article.text}".lower()))


def _ids_of(corpus: list[Article]) -> list[str]:
    """Return the ids of `corpus`."""
    return [a.id for a in corpus]


def _holding(corpus: list[Article], *words: str) -> set[str]:
    """Return the ids of the articles holding every one of `words`."""
    return {a.id for a in corpus if set(words) <= _words(a)}


def _with_phrase(corpus: list[Article], phrase: str) -> set[str]:
    pattern = re.compile(rf"\b{re.escape(phrase)}\b")
    return {
        a.id
        for a in corpus
        if pattern.search(" ".join(f"{a.title} {a.description} {a.text}".lower().split()))
    }


def _by_date(corpus: list[Article], newest: bool) -> list[str]:
    dated = sorted((a for a in corpus if a.published), key=lambda a: a.published, reverse=newest)  # type: ignore[arg-type, return-value]
    return [a.id for a in dated] + [a.id for a in corpus if a.published is None]


def _counts(corpus: list[Article], field: str) -> list[tuple[str, int]]:
    counted = Counter(str(getattr(a, field)) for a in corpus if getattr(a, field))
    return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0].lower()))


def _search(index: Index, q: str = "", **options: object) -> SearchResults:
    options = {"per_page": MAX, "collapse": False, "facets": (), **options}
    return index.search(q, **options)  # type: ignore[arg-type]


def _found(index: Index, q: str = "", **options: object) -> set[str]:
    """Return the ids of every match of `q`, copies not collapsed."""
    return {hit.id for hit in _search(index, q, **options).hits}


def _visible(snippet: str) -> str:
    return snippet.replace("<mark>", "").replace("</mark>", "")


# Results and hits


def test_search_returns_results_with_filled_hits(index: Index, corpus: list[Article]) -> None:
    results = _search(index)
    assert isinstance(results, SearchResults)
    assert (results.query, results.page, results.per_page) == ("", 1, MAX)
    assert results.total == len(corpus) == len(results.hits)
    assert results.took_ms >= 0 and results.suggestion is None
    by_id = {a.id: a for a in corpus}
    for hit in results.hits:
        assert isinstance(hit, Hit)
        article = by_id[hit.id]
        assert (hit.url, hit.title, hit.source, hit.section, hit.language, hit.access) == (
            article.url,
            article.title,
            article.source,
            article.section,
            article.language,
            article.access,
        )
        assert hit.authors == article.authors
        assert hit.published == article.published
        assert hit.published is None or hit.published.tzinfo is not None
        assert isinstance(hit.snippet, str) and hit.snippet
        assert isinstance(hit.score, float) and hit.duplicates == 0


def test_total_counts_every_match_beyond_the_page(index: Index, corpus: list[Article]) -> None:
    results = index.search("budget", per_page=3, facets=())
    assert results.total == len(_holding(corpus, "budget")) == 12
    assert len(results.hits) == 3 and results.pages == 4


def test_relevance_scores_do_not_increase(index: Index) -> None:
    scores = [hit.score for hit in _search(index, "interest").hits]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)


def test_query_is_normalised(index: Index) -> None:
    assert index.search("  farmland   rain ", facets=()).query == "farmland rain"


# Words, phrases, -exclusion, +required


@pytest.mark.parametrize("word", ["farmland", "ankara", "zorbatown", "budget", "interest"])
def test_single_word(index: Index, corpus: list[Article], word: str) -> None:
    assert _found(index, word) == _holding(corpus, word) != set()


def test_words_are_case_insensitive(index: Index, corpus: list[Article]) -> None:
    assert _found(index, "ANKARA") == _found(index, "Ankara") == _holding(corpus, "ankara")


@pytest.mark.parametrize("phrase", ["nuclear power station", "central bank", "interest rate"])
def test_phrase(index: Index, corpus: list[Article], phrase: str) -> None:
    assert _found(index, f'"{phrase}"') == _with_phrase(corpus, phrase) != set()


def test_phrase_words_out_of_order_do_not_match(index: Index) -> None:
    assert _found(index, '"power nuclear"') == set()


def test_excluded_word(index: Index, corpus: list[Article]) -> None:
    expected = _holding(corpus, "interest") - _holding(corpus, "mortgage")
    assert len(expected) == 3
    assert _found(index, "interest -mortgage") == expected
    assert _found(index, "interest NOT mortgage") == expected


def test_excluded_phrase(index: Index, corpus: list[Article]) -> None:
    expected = _holding(corpus, "interest") - _with_phrase(corpus, "central bank")
    assert _found(index, 'interest -"central bank"') == expected == set()


def test_only_exclusions(index: Index, corpus: list[Article]) -> None:
    everything = {a.id for a in corpus}
    assert _found(index, "-farmland") == everything - _holding(corpus, "farmland")
    assert _found(index, "NOT budget") == everything - _holding(corpus, "budget")


@pytest.mark.parametrize("query", ["!", "?", "...", "+", "-", "--", '""', '"!"'])
def test_punctuation_alone_finds_nothing(index: Index, query: str) -> None:
    assert index.search(query).total == 0 and index.count(query) == 0


def test_punctuation_beside_words_is_ignored(index: Index, corpus: list[Article]) -> None:
    assert _found(index, "budget ? !") == _found(index, "budget") == _holding(corpus, "budget")


def test_required_word(index: Index, corpus: list[Article]) -> None:
    assert _found(index, "+ankara farmland") == _holding(corpus, "ankara")
    assert _found(index, "+interest +mortgage") == _holding(corpus, "interest", "mortgage")
    assert _found(index, "interest AND mortgage") == _holding(corpus, "interest", "mortgage")


def test_either_word(index: Index, corpus: list[Article]) -> None:
    expected = _holding(corpus, "ankara") | _holding(corpus, "farmland")
    assert _found(index, "ankara farmland") == _found(index, "ankara OR farmland") == expected


# Filters and dates


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("source", ["Daily Planet"]),
        ("source", ["Daily Planet", "VOA Lingala"]),
        ("section", ["World"]),
        ("section", ["Health", "Science", "Business"]),
        ("language", ["ln"]),
        ("language", ["en", "ln"]),
        ("access", ["teaser"]),
        ("access", ["full"]),
        ("access", ["full", "teaser"]),
    ],
)
def test_filter(index: Index, corpus: list[Article], field: str, values: list[str]) -> None:
    expected = {a.id for a in corpus if getattr(a, field) in values}
    chosen: str | list[str] = values[0] if len(values) == 1 else values
    assert _found(index, filters={field: chosen}) == expected != set()


def test_filters_on_several_fields_are_anded(index: Index, corpus: list[Article]) -> None:
    filters = {"source": "Daily Planet", "section": ["Politics", "Business"]}
    expected = {
        a.id for a in corpus if a.source == "Daily Planet" and a.section in ("Politics", "Business")
    }
    assert len(expected) == 13 and _found(index, filters=filters) == expected


def test_access_filter_and_query_field_agree(index: Index, corpus: list[Article]) -> None:
    teasers = {a.id for a in corpus if a.access == Access.TEASER}
    assert len(teasers) == 2
    assert _found(index, "access:teaser") == teasers
    assert _found(index, "harbour", filters={"access": "full"}) == set()
    assert _found(index, "harbour", filters={"access": "teaser"}) == _holding(corpus, "harbour")
    assert _found(index, filters={"access": "free"}) == set()
    assert index.count(access="full") == len(corpus) - 2


def test_filter_by_author_with_a_word(index: Index, corpus: list[Article]) -> None:
    assert _found(index, "interest", filters={"author": "Ann Lee"}) == {corpus[-1].id}


def test_date_range_leaves_out_undated(index: Index, corpus: list[Article]) -> None:
    start, end = datetime(2019, 1, 1, tzinfo=UTC), datetime(2021, 3, 5, 23, 59, 59, tzinfo=UTC)
    expected = {a.id for a in corpus if a.published and start <= a.published <= end}
    assert len(expected) == 7
    assert _found(index, date_from="2019", date_to="2021-03-05") == expected


def test_dates_as_date_objects(index: Index, corpus: list[Article]) -> None:
    day = date(2019, 1, 10)
    assert _found(index, date_from=day, date_to=day) == {corpus[2].id}


def test_filter_by_tag(index: Index, mortgage: Article) -> None:
    assert _found(index, filters={"tag": "economy"}) == {mortgage.id}
    assert _found(index, "tag:economy") == {mortgage.id}


def test_open_ended_dates(index: Index, corpus: list[Article]) -> None:
    since = datetime(2022, 5, 4, tzinfo=UTC)
    assert _found(index, date_from="2022-05-04") == {
        a.id for a in corpus if a.published and a.published >= since
    }
    assert _found(index, date_to="2015") == {corpus[0].id}


# Sorting and pagination


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date_undated_last(index: Index, corpus: list[Article], sort: str) -> None:
    ids = [hit.id for hit in _search(index, sort=sort).hits]
    assert ids == _by_date(corpus, newest=sort == "newest")


def test_sort_applies_to_matches(index: Index, corpus: list[Article]) -> None:
    ids = [hit.id for hit in _search(index, "budget", sort="newest").hits]
    budget = [a for a in corpus if "budget" in _words(a)]
    assert ids == _by_date(budget, newest=True)


def test_pages_continue_without_overlap(index: Index, corpus: list[Article]) -> None:
    pages = [
        [hit.id for hit in index.search("budget", sort="oldest", page=n, per_page=5).hits]
        for n in (1, 2, 3, 4)
    ]
    assert [len(page) for page in pages] == [5, 5, 2, 0]
    budget = [a for a in corpus if "budget" in _words(a)]
    assert pages[0] + pages[1] + pages[2] == _by_date(budget, newest=False)


def test_collapsed_pages_continue(
    index: Index, corpus: list[Article], copies: list[Article]
) -> None:
    later = {c.id for c in copies[1:]}  # sorted oldest, the first copy stands for the others
    ids = [
        hit.id
        for n in (1, 2, 3, 4, 5)
        for hit in index.search("", sort="oldest", page=n, per_page=5, facets=()).hits
    ]
    assert ids == [i for i in _by_date(corpus, newest=False) if i not in later]


def test_relevance_pages_do_not_overlap(index: Index) -> None:
    first = index.search("", page=1, per_page=7, collapse=False, facets=())
    second = index.search("", page=2, per_page=7, collapse=False, facets=())
    assert len(first.hits) == len(second.hits) == 7
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


# Facets


FACET_NAMES = ("source", "section", "language", "access", "authors", "year")


def test_facets_count_every_match(index: Index, corpus: list[Article]) -> None:
    facets = index.search("", facets=FACET_NAMES).facets
    assert set(facets) == set(FACET_NAMES)
    for name in ("source", "section", "language", "access"):
        assert facets[name] == _counts(corpus, name), name
    assert all(isinstance(v, str) and isinstance(n, int) for v, n in facets["source"])
    years = Counter(f"{a.published.year}" for a in corpus if a.published)
    assert facets["year"] == sorted(years.items())
    authors = Counter(author for a in corpus for author in a.authors)
    assert dict(facets["authors"]) == dict(authors)


def test_facets_of_a_query(index: Index, corpus: list[Article]) -> None:
    facets = index.search("interest", facets=("source", "section", "language")).facets
    matching = [a for a in corpus if "interest" in _words(a)]
    for name in ("source", "section", "language"):
        assert facets[name] == _counts(matching, name), name


def test_filtered_facet_lists_alternatives(index: Index, corpus: list[Article]) -> None:
    results = index.search("", filters={"source": "Daily Planet"}, facets=("source", "section"))
    assert results.facets["source"] == _counts(corpus, "source")
    planet = [a for a in corpus if a.source == "Daily Planet"]
    assert results.facets["section"] == _counts(planet, "section")
    assert results.total == len(planet)


def test_access_facet_filtered_by_itself_lists_both(index: Index, corpus: list[Article]) -> None:
    results = index.search("", filters={"access": "teaser"}, facets=("access", "source"))
    assert results.total == 2
    assert results.facets["access"] == _counts(corpus, "access")
    assert results.facets["source"] == [("Paywall Times", 2)]


def test_no_facets_asked_none_returned(index: Index) -> None:
    assert index.search("budget", facets=()).facets == {}


def test_unknown_facet_raises_query_error(index: Index) -> None:
    with pytest.raises(QueryError, match="Unknown filter"):
        index.search("budget", facets=("colour",))


# Snippets


def test_snippet_marks_the_match_and_escapes_html(index: Index) -> None:
    (hit,) = index.search("zorbatown").hits
    assert "<mark>Zorbatown</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet
    assert "<" not in _visible(hit.snippet)


def test_snippet_of_a_title_match_escapes_the_body(index: Index) -> None:
    (hit,) = index.search("council").hits
    assert hit.title == XSS_TITLE  # plain text: escaping it is the page's job
    assert "<" not in _visible(hit.snippet) and "&lt;img" in hit.snippet
    assert XSS_BODY.startswith("The mayor") and hit.snippet.startswith("The mayor")


def test_no_highlight_no_marks(index: Index) -> None:
    (hit,) = index.search("zorbatown", highlight=False).hits
    assert "<mark>" not in hit.snippet and "<" not in hit.snippet and "&lt;img" in hit.snippet


# Near-duplicates and more-like-this


def test_collapse_folds_copies(index: Index, copies: list[Article]) -> None:
    results = index.search('"central bank"', facets=())
    wire = [hit for hit in results.hits if hit.id in {c.id for c in copies}]
    assert len(wire) == 1 and wire[0].duplicates == 2
    assert len(results.hits) == 2 and results.total == 4


def test_no_collapse_lists_copies(index: Index, copies: list[Article]) -> None:
    results = _search(index, '"central bank"')
    assert {c.id for c in copies} <= {hit.id for hit in results.hits}
    assert len(results.hits) == results.total == 4
    assert all(hit.duplicates == 0 for hit in results.hits)


def test_duplicates_lists_the_other_copies(index: Index, copies: list[Article]) -> None:
    for copy in copies:
        found = index.duplicates(copy.id)
        assert {hit.id for hit in found} == {c.id for c in copies} - {copy.id}


def test_article_without_copies_has_no_duplicates(index: Index, corpus: list[Article]) -> None:
    assert index.duplicates(corpus[0].id) == []


def test_more_like_this_leaves_out_itself_and_copies(
    index: Index, copies: list[Article], mortgage: Article
) -> None:
    similar = index.more_like_this(copies[0].id, n=5)
    ids = [hit.id for hit in similar]
    assert ids and ids[0] == mortgage.id
    assert not set(ids) & {c.id for c in copies}
    assert len(ids) <= 5 and len(set(ids)) == len(ids)


def test_more_like_this_of_a_plain_article(index: Index, corpus: list[Article]) -> None:
    budget = next(a for a in corpus if a.title.startswith("Budget"))
    ids = [hit.id for hit in index.more_like_this(budget.id, n=3)]
    assert len(ids) == 3 and budget.id not in ids


# Get, count, stats, listing


def test_get_round_trips_every_article(index: Index, corpus: list[Article]) -> None:
    for article in corpus:
        assert index.get(article.id) == article


@pytest.mark.parametrize("method", ["get", "duplicates", "more_like_this"])
def test_missing_id_raises_article_not_found(index: Index, method: str) -> None:
    with pytest.raises(ArticleNotFoundError, match="nope"):
        getattr(index, method)("nope")


def test_count(index: Index, corpus: list[Article]) -> None:
    planet = {a.id for a in corpus if a.source == "Daily Planet"}
    assert index.count() == len(corpus)
    assert index.count("budget") == len(_holding(corpus, "budget"))
    assert index.count(source="Daily Planet") == len(planet)
    assert index.count("interest", source="Daily Planet") == len(
        _holding(corpus, "interest") & planet
    )
    assert index.count(section=["World", "Health"]) == sum(
        a.section in ("World", "Health") for a in corpus
    )


def test_stats_and_len(index: Index, corpus: list[Article]) -> None:
    stats = index.stats()
    assert stats["articles"] == len(index) == len(corpus)
    assert stats["sources"] == dict(_counts(corpus, "source"))
    assert stats["sections"] == dict(_counts(corpus, "section"))
    assert stats["languages"] == dict(_counts(corpus, "language"))
    years = Counter(f"{a.published.year}" if a.published else "(undated)" for a in corpus)
    assert stats["years"] == dict(sorted(years.items()))
    assert isinstance(stats["updated"], datetime)


def test_articles_yields_all(index: Index, corpus: list[Article]) -> None:
    listed = sorted(index.articles(), key=lambda a: a.id)
    assert listed == sorted(corpus, key=lambda a: a.id)


def test_delete_then_add_back(index: Index, corpus: list[Article]) -> None:
    flood = next(a for a in corpus if "farmland" in _words(a))
    index.delete(flood.id)
    try:
        assert _found(index, "farmland") == set()
        with pytest.raises(ArticleNotFoundError):
            index.get(flood.id)
        assert len(index) == index.count() == len(corpus) - 1
        assert flood.id not in {a.id for a in index.articles()}
    finally:
        index.add([flood])
    assert _found(index, "farmland") == {flood.id} and index.get(flood.id) == flood
    assert len(index) == len(corpus)


# Bad arguments


@pytest.mark.parametrize(
    "options",
    [
        {"page": 0},
        {"per_page": 0},
        {"per_page": 101},
        {"sort": "random"},
        {"filters": {"colour": "red"}},
        {"date_from": "yesterday"},
        {"date_from": "2020", "date_to": "2019"},
        {"date_to": "2021-02-30"},
    ],
)
def test_bad_arguments_raise_query_error(index: Index, options: dict[str, object]) -> None:
    with pytest.raises(QueryError):
        index.search("budget", **options)  # type: ignore[arg-type]


def test_count_with_unknown_filter_raises_query_error(index: Index) -> None:
    with pytest.raises(QueryError, match="Unknown filter"):
        index.count("budget", colour="red")


# Where the backends differ, as documented (README "Past one machine: a Typesense cluster")


def test_suggestion_only_on_whoosh(index: Index, backend: str) -> None:
    suggestion = index.search("farmlnd", facets=()).suggestion
    assert suggestion == ("farmland" if backend == "whoosh" else None)


@pytest.mark.parametrize(("query", "slug"), [("ant*", "ants"), ("an?s", "ants")])
def test_wildcards(
    index: Index, backend: str, corpus: list[Article], query: str, slug: str
) -> None:
    if backend == "whoosh":
        assert _found(index, query) == {a.id for a in corpus if a.url.endswith(slug)}
    else:
        with pytest.raises(QueryError, match="Typesense.*wildcards"):
            index.search(query)


def test_fuzzy_and_proximity(index: Index, backend: str, corpus: list[Article]) -> None:
    if backend == "typesense":
        for query in ("farmlnd~", "farmlnd~2", '"nuclear station"~2'):
            with pytest.raises(QueryError, match="Typesense"):
                index.search(query)
        return
    assert _found(index, '"nuclear station"~2') == {corpus[1].id}
    # Every article holding the word; a near spelling elsewhere (farmlands) may come too.
    assert _holding(corpus, "farmland") <= _found(index, "farmlnd~") != set(_ids_of(corpus))


def test_stemming_only_on_whoosh(index: Index, backend: str, corpus: list[Article]) -> None:
    found = _found(index, "flood")
    assert found == ({corpus[2].id} if backend == "whoosh" else set())
