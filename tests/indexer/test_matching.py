"""Array-based query evaluation agrees with Whoosh's own matchers; phrases without positions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    DisjunctionMax,
    Every,
    MultiTerm,
    Or,
    Prefix,
    Query,
    Term,
)

from crawler import Article
from indexer import NewsIndex


@pytest.mark.parametrize(
    "text",
    [
        "river",
        "river council",
        "river OR council",
        "river AND council",
        "river council election vaccine drought",
        "river -council",
        "+river budget",
        "river AND NOT (council OR budget)",
        'source:"RFE/RL" river',
        "title:river",
        "published:2010 budget",
        "published:[2010 TO 2012]",
        "published:{2010 TO 2012}",
        "published:[2011-06-01 TO 2011-06-30] OR river",
        "published:[TO 2011]",
        "published:[2011 TO]",
        "-(-(river council) +budget)",
        "river (budget OR -council)",
        '-(-(* "" election) +(?*)~2 drought*)',
        "budg*",
        "harbor~",
        "story 17",
        "the",
        "",
    ],
)
def test_matches_agree_with_whoosh(corpus_index: NewsIndex, text: str) -> None:
    searcher = corpus_index._searcher()
    query = corpus_index._parse(searcher, text)
    whole_words_as_titles = query.accept(lambda part: _as_titles(searcher, part))
    expected = {hit.docnum for hit in searcher.search(whole_words_as_titles, limit=None)}
    found = corpus_index._evaluator().match(query)
    assert set(np.flatnonzero(found.mask).tolist()) == expected


def _as_titles(searcher: Any, part: Query) -> Query:
    """Whoosh's postings of the spelling field are no articles' (all say article 0): a
    wildcard or fuzzy part over its whole words stands for the titles holding their stems."""
    if not (isinstance(part, MultiTerm) and part.fieldname == "spell_title"):
        return part
    title = searcher.schema["title"]
    found = (word for _field, word in part.expanded_terms(searcher.reader()))
    words = {word if isinstance(word, str) else word.decode() for word in found}
    return Or([Term("title", stem) for word in words for stem in title.process_text(word)])


RIVER, COUNCIL, BUDGET = (Term("body", word) for word in ("river", "council", "budget"))


@pytest.mark.parametrize(
    "query",
    [
        RIVER,
        Term("title", "river", boost=2.0),
        Or([RIVER, COUNCIL, BUDGET], scale=0.9),  # with Whoosh's coordination bonus
        Or([RIVER, COUNCIL]),
        And([RIVER, COUNCIL]),
        AndMaybe(RIVER, COUNCIL),
        AndNot(Or([RIVER, COUNCIL], scale=0.9), BUDGET),
        Or([Prefix("body", "budg"), Term("title", "river")]),  # Whoosh's own matcher inside
        Every(),
        AndNot(Every(), RIVER),
    ],
)
def test_scores_agree_with_whoosh(corpus_index: NewsIndex, query: Query) -> None:
    searcher = corpus_index._searcher()
    expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    found = corpus_index._evaluator().match(query)
    docs = np.flatnonzero(found.mask).tolist()
    assert set(docs) == set(expected)
    assert np.allclose(found.score[docs], [expected[doc] for doc in docs])


def test_a_word_scores_by_its_best_field(corpus_index: NewsIndex) -> None:
    # Whoosh's own DisjunctionMaxMatcher takes the score of a field that is not on the article.
    evaluator = corpus_index._evaluator()
    fields = [evaluator.match(Term(name, "river")).score for name in ("title", "body")]
    found = evaluator.match(DisjunctionMax([Term("title", "river"), Term("body", "river")]))
    assert np.array_equal(found.score, np.maximum(*fields))


@pytest.fixture
def phrases(tmp_path: Path) -> NewsIndex:
    texts = {
        "adjacent": "The central bank of England raised rates.",
        "apart": "The bank said England would wait.",
        "reversed": "England's central bank held rates.",
        "three": "Officials saw the bank rate rise again.",
        "split": "The bank rate was flat. A rate rise came later.",
    }
    index = NewsIndex.open(tmp_path, create=True)
    index.add(
        Article(url=f"https://phrases.example/{name}", title=name, text=text)
        for name, text in texts.items()
    )
    return index


def _found(index: NewsIndex, query: str) -> set[str]:
    return {hit.url.rsplit("/", 1)[1] for hit in index.search(query, per_page=100).hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"bank of england"', {"adjacent"}),  # the stop word drops out, as it always did
        ('"central bank"', {"adjacent", "reversed"}),
        ('"england bank"', set()),  # order counts
        ('"bank rate rise"', {"three"}),  # every pair is there in "split", not the phrase
        ('"bank england"~3', {"adjacent", "apart"}),  # within three words, in order
        ('"england bank"~3', {"reversed"}),
        ('"rate rise"~1', {"three", "split"}),
    ],
)
def test_phrases_and_proximity(phrases: NewsIndex, query: str, expected: set[str]) -> None:
    assert _found(phrases, query) == expected


def test_phrase_snippets_mark_the_words(phrases: NewsIndex) -> None:
    hit = phrases.search('"central bank"').hits[0]
    assert "<mark>central</mark> <mark>bank</mark>" in hit.snippet
