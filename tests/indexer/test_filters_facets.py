"""Filters, date ranges, sort orders and facet counts, checked against brute force."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from crawler import Article
from indexer import NewsIndex, QueryError
from indexer.facets import MAX_VALUES


def values(article: Article, name: str) -> list[str]:
    """The facet values of `article` for facet `name`, as the index should see them."""
    if name == "authors":
        return article.authors
    if name == "tags":
        return article.tags
    if name == "year":
        return [f"{article.published.year:04d}"] if article.published else []
    if name == "month":
        return [article.published.strftime("%Y-%m")] if article.published else []
    return [getattr(article, name)] if getattr(article, name) else []


def brute_counts(articles: list[Article], name: str) -> dict[str, int]:
    return dict(Counter(value for article in articles for value in values(article, name)))


def matching(articles: list[Article], filters: dict[str, list[str]]) -> list[Article]:
    return [a for a in articles if all(set(values(a, n)) & set(vs) for n, vs in filters.items())]


@pytest.mark.parametrize(
    "filters",
    [
        {"source": ["RFE/RL"]},
        {"section": ["World", "Health"]},
        {"authors": ["Carla Díaz"]},
        {"tags": ["floods", "trade"], "source": ["Daily Planet"]},
        {"language": ["ln"]},
        {"year": ["2010", "2011"], "section": ["Sports"]},
        {"month": ["2015-12", "2011-10"]},
    ],
)
def test_filters_keep_exactly_the_matching_articles(
    corpus_index: NewsIndex, corpus: list[Article], filters: dict[str, list[str]]
) -> None:
    expected = matching(corpus, filters)
    results = corpus_index.search("", filters=filters, per_page=100, collapse=False)
    assert results.total == len(expected) > 0
    assert {hit.id for hit in results.hits} <= {a.id for a in expected}
    assert len(results.hits) == min(len(expected), 100)
    assert corpus_index.count(**filters) == len(expected)


def test_a_single_value_filter_may_be_a_string(corpus_index: NewsIndex) -> None:
    as_text = corpus_index.search("", filters={"source": "RFE/RL"})
    assert as_text.total == corpus_index.search("", filters={"source": ["RFE/RL"]}).total


def test_facet_counts_cover_every_match_and_respect_the_other_filters(
    corpus_index: NewsIndex, corpus: list[Article]
) -> None:
    filters = {"source": ["Daily Planet", "RFE/RL"], "section": ["World"]}
    names = ("source", "section", "authors", "language", "tags", "year", "month")
    results = corpus_index.search("", filters=filters, facets=names, per_page=1)
    for name in names:
        # A facet counts the alternatives to its own filter under all the others.
        others = {n: v for n, v in filters.items() if n != name}
        expected = brute_counts(matching(corpus, others), name)
        assert dict(results.facets[name]) == expected, name
    counts = [count for _value, count in results.facets["authors"]]
    assert counts == sorted(counts, reverse=True)
    years = [value for value, _count in results.facets["year"]]
    assert years == sorted(years)  # time facets in time order


def test_facet_counts_follow_the_query(corpus_index: NewsIndex, corpus: list[Article]) -> None:
    results = corpus_index.search("refinery", facets=("section",))
    expected = brute_counts([a for a in corpus if "refinery" in a.text + a.title], "section")
    assert dict(results.facets["section"]) == expected
    assert results.total == sum(expected.values())


def test_time_facets_are_listed_whole(corpus_index: NewsIndex) -> None:
    results = corpus_index.search("", facets=("month",))
    assert len(results.facets["month"]) > MAX_VALUES  # other facets keep their top values
    assert corpus_index.search("", facets=()).facets == {}


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        ("2010", "2012"),
        ("2010-03", "2010-03"),
        (date(2015, 1, 1), date(2015, 6, 30)),
        ("2016-02-29", None),
        (None, "2006-12-31"),
    ],
)
def test_date_ranges_are_inclusive(
    corpus_index: NewsIndex, corpus: list[Article], date_from: object, date_to: object
) -> None:
    from indexer.filters import parse_date

    start = parse_date(date_from, end=False) or datetime.min
    end = parse_date(date_to, end=True) or datetime.max
    expected = [
        a
        for a in corpus
        if a.published and start <= a.published.astimezone(UTC).replace(tzinfo=None) <= end
    ]
    results = corpus_index.search("", date_from=date_from, date_to=date_to, collapse=False)
    assert results.total == len(expected) > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_from": "yesterday"}, "Could not read the date"),
        ({"date_from": "2015-02-30"}, "not a real date"),
        ({"date_from": "2016", "date_to": "2015"}, "after its end"),
        ({"sort": "random"}, "Unknown sort"),
        ({"filters": {"colour": "red"}}, "Unknown filter"),
        ({"page": 0}, "page must be >= 1"),
    ],
)
def test_bad_arguments_are_query_errors(
    corpus_index: NewsIndex, kwargs: dict, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        corpus_index.search("river", **kwargs)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_put_undated_articles_last(
    corpus_index: NewsIndex, corpus: list[Article], sort: str
) -> None:
    hits = []
    for page in (1, 2, 3):
        hits += corpus_index.search("", sort=sort, page=page, per_page=100, collapse=False).hits
    assert len(hits) == len(corpus)
    dates = [hit.published for hit in hits if hit.published]
    assert dates == sorted(dates, reverse=sort == "newest")
    undated = sum(1 for a in corpus if a.published is None)
    assert all(hit.published is None for hit in hits[-undated:])
