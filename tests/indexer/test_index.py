"""The Python query API on a real on-disk archive."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import Article
from indexer import ArchiveNotFoundError, ArticleNotFoundError, NewsIndex, QueryError
from tests.conftest import XSS_TITLE


@pytest.fixture
def index(archive_path: Path):
    with NewsIndex.open(archive_path) as opened:
        yield opened


@pytest.fixture
def fresh(tmp_path: Path, articles: list[Article]):
    """A writable archive of its own."""
    with NewsIndex.open(tmp_path / "archive", create=True) as opened:
        opened.add(articles)
        yield opened


def test_distinctive_word_finds_its_article_first(index: NewsIndex) -> None:
    results = index.search("peroxide")
    assert results.total == 1
    hit = results.hits[0]
    assert hit.title == "Biologist says ants self-medicate"
    assert hit.url == "https://news.example.org/2015/09/01/ants"
    assert hit.source == "Example News" and hit.section == "Science"
    assert hit.authors == ["Nick Bos"]
    assert hit.published == datetime(2015, 9, 1, 8, 30, tzinfo=UTC)
    assert hit.score > 0


def test_title_match_outranks_body_match(index: NewsIndex) -> None:
    results = index.search("river")
    assert results.hits[0].title == "River floods farmland after record rain"


def test_stemming_and_case_insensitivity(index: NewsIndex) -> None:
    assert index.search("FLOODING").total == 1
    assert index.search("Farmer").hits[0].title.startswith("River floods")


def test_phrase_and_exclusion(index: NewsIndex) -> None:
    assert index.search('"nuclear power station"').total == 1
    assert index.search('"power nuclear station"').total == 0
    assert index.search("budget").total == 12
    assert index.search("budget -late").total == 0


def test_field_query_on_source(index: NewsIndex) -> None:
    results = index.search('source:"VOA Lingala"')
    assert [hit.title for hit in results.hits] == ["Bokonzi ya nzoto"]


def test_all_caps_query_treats_operators_as_words(index: NewsIndex) -> None:
    # "NOT" in an all-capitals query is a word (dropped as a stop word), not an exclusion.
    assert index.search("FARMERS NOT CROPS").total == 1
    assert index.search("farmers NOT crops").total == 0


def test_snippet_marks_terms_and_escapes_markup(index: NewsIndex) -> None:
    ants = index.search("peroxide").hits[0]
    assert "<mark>peroxide</mark>" in ants.snippet
    hostile = index.search("Zorbatown").hits[0]
    assert hostile.title == XSS_TITLE  # stored as is; showing it safely is the UI's job
    assert "<img" not in hostile.snippet and "&lt;img src=x" in hostile.snippet
    assert "<mark>Zorbatown</mark>" in hostile.snippet


def test_pagination(index: NewsIndex) -> None:
    first = index.search("budget", per_page=5)
    second = index.search("budget", per_page=5, page=2)
    third = index.search("budget", per_page=5, page=3)
    assert (first.total, first.pages) == (12, 3)
    assert len(first.hits) == 5 and len(second.hits) == 5 and len(third.hits) == 2
    ids = [hit.id for page in (first, second, third) for hit in page.hits]
    assert len(set(ids)) == 12
    assert index.search("budget", per_page=5, page=4).hits == []


def test_empty_query_matches_everything(index: NewsIndex, articles: list[Article]) -> None:
    assert index.search("").total == len(articles) == len(index)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"page": 0}, "page must be >= 1"), ({"per_page": 101}, "per_page must be between")],
)
def test_bad_paging_arguments(index: NewsIndex, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        index.search("budget", **kwargs)


@pytest.mark.parametrize(
    "query", ["x" * 1001, "published:notadate", "published:[abc TO def]", "published:[2015 TO x]"]
)
def test_malformed_queries_raise_query_error(index: NewsIndex, query: str) -> None:
    with pytest.raises(QueryError):
        index.search(query)


@pytest.mark.parametrize("query", ["*udget", "?udget", "budget OR *get*", "title:*dget"])
def test_a_word_starting_with_a_wildcard_is_refused(index: NewsIndex, query: str) -> None:
    with pytest.raises(QueryError, match="starts with a wildcard.*letter before the"):
        index.search(query)


def test_a_lone_question_mark_is_punctuation(index: NewsIndex) -> None:
    assert index.search("budget ?").total == index.search("budget").total > 0


@pytest.mark.parametrize("name", ["id", "url", "dupkey", "simband", "spell_title", "nosuch"])
def test_only_the_query_languages_field_names_are_fields(index: NewsIndex, name: str) -> None:
    assert index.search(f"{name}:budget").total == index.search(f"{name} budget").total > 0


@pytest.mark.parametrize("query", ["(zeppelin)url:*", '"zeppelin"~2id:*', "zeppelin)id:budget"])
def test_a_field_name_glued_to_the_word_before_is_no_field(index: NewsIndex, query: str) -> None:
    assert index.search(query).total == 0  # url:* or id:* as fields would list every article


@pytest.mark.parametrize("bound", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_dates_past_the_calendar_raise_query_error(index: NewsIndex, bound: str) -> None:
    for dates in ({"date_from": bound}, {"date_to": bound}):
        with pytest.raises(QueryError):
            index.search("", **dates)


def test_get_returns_the_stored_article(index: NewsIndex, articles: list[Article]) -> None:
    assert index.get(articles[0].id) == articles[0]
    with pytest.raises(ArticleNotFoundError, match="No article with id 'nope'"):
        index.get("nope")


def test_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFoundError, match="newsarchive crawl"):
        NewsIndex.open(tmp_path / "missing")


def test_readding_an_article_replaces_it(fresh: NewsIndex, articles: list[Article]) -> None:
    changed = dataclasses.replace(articles[2], title="River floods farmland: update")
    counts = fresh.add([changed])
    assert (counts.new, counts.replaced) == (0, 1)
    assert len(fresh) == len(articles)
    assert [hit.title for hit in fresh.search("river").hits] == ["River floods farmland: update"]


def test_two_versions_in_one_batch_leave_the_later(
    fresh: NewsIndex, articles: list[Article]
) -> None:
    first = dataclasses.replace(articles[2], title="River floods farmland: first capture")
    later = dataclasses.replace(articles[2], title="River floods farmland: later capture")
    fresh.add([first, later])
    assert len(fresh) == len(articles)
    results = fresh.search("river", collapse=False)
    assert [hit.title for hit in results.hits] == ["River floods farmland: later capture"]
    assert results.total == 1


def test_delete_removes_from_index_and_store(fresh: NewsIndex, articles: list[Article]) -> None:
    fresh.delete(articles[0].id)
    assert fresh.search("peroxide").total == 0
    with pytest.raises(ArticleNotFoundError):
        fresh.get(articles[0].id)


def test_rebuild_recreates_the_same_index(fresh: NewsIndex, articles: list[Article]) -> None:
    assert fresh.rebuild() == len(articles)
    assert len(fresh) == len(articles)
    assert fresh.search("budget").total == 12
    assert fresh.search("peroxide").hits[0].id == articles[0].id


def test_commits_are_visible_to_an_open_reader(
    fresh: NewsIndex, archive_path: Path, tmp_path: Path
) -> None:
    with NewsIndex.open(fresh.path) as reader:
        assert reader.search("zeppelin").total == 0
        fresh.add([Article(url="https://x.example/z", title="Zeppelin", text="A zeppelin.")])
        assert reader.search("zeppelin").total == 1


def test_stats_counts_by_facet(index: NewsIndex) -> None:
    stats = index.stats()
    assert stats["articles"] == 17
    assert stats["sources"] == {"Daily Planet": 14, "Example News": 2, "VOA Lingala": 1}
    assert stats["languages"] == {"en": 16, "ln": 1}
    assert stats["years"]["2021"] == 12 and stats["years"]["(undated)"] == 1


def test_hyphens_inside_words_and_dates_are_not_exclusions(index: NewsIndex) -> None:
    assert index.search("self-medicate").total == 1
    assert index.search("published:2015-09-01").total == 1
    assert index.search("published:[2018 TO 2019]").total == 2
    assert index.search("budget (-late -day)").total == 0


@pytest.mark.parametrize(
    "query", ["title:(", '"ants', "(ants", "AND", "a (-b c)", "published:[2010 TO", "*", "~", ":"]
)
def test_odd_syntax_never_raises_anything_but_query_error(index: NewsIndex, query: str) -> None:
    try:
        index.search(query)
    except QueryError:
        pass
