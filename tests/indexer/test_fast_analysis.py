"""FusedAnalyzer yields exactly the tokens of the Whoosh chain it replaces, for every option."""

from __future__ import annotations

import itertools
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import CharsetFilter, StemmingAnalyzer, StopFilter
from whoosh.support.charset import accent_map

from indexer import analysis
from indexer.analysis import FusedAnalyzer, analyzer_for
from indexer.schema import text_analyzer

TEXTS = [
    "",
    "   \n\n ",
    "The elections of 2015: Zoë's café runs, ran and is running; U.S. self-medicating ants",
    "A an THE of To be OR not: stop words, Capitals and CamelCase iPhone McDonald's",
    "Numbers 3.5 1,400 4:12 2015-09-01 10.0.0.1 v2.0. ..dots.. a..b .x. x. ...",
    "Hyphens: co-op, e-mail -- well-known—dash–dash; apostrophes it's O’Neil 'quoted'",
    "Accents: Élections à Zürich, naïve façade, São Paulo, Ærø, İstanbul ıı ß ǅ ﬁnance",
    "Underscores snake_case __init__ and stars wild* *card f*o*o ** *",
    "Mixed scripts: Москва 北京大学 東京の選挙 عربي हिन्दी ＡＩ ２０２４ ①②",
    "Spaces\u00a0no-break\u2003em\u3000ideographic\u2028line\u0085next\ttab\x1cfile",
    "Decomposed e\u0301cole and combining\u0301 marks, zero\u200bwidth joiner\u200d",
    "Lone surrogate \ud800 inside, and emoji 🎉 party🎉 ok",
    "x" * 300 + " " + "longword" * 20,
]
OPTIONS = ("positions", "chars", "keeporiginal", "removestops", "no_morph")
WHOLE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(" .*_-'"),
    max_size=80,
)
WORDY_TEXT = st.text(alphabet="aAbé É.*_ -'’\n1ßİ北\u00a0\u0301", max_size=80)


def classic() -> Any:
    """Return the Whoosh chain the English fields have always used."""
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def tokens(analyzer: Any, value: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Return every attribute of every token `analyzer` yields for `value`."""
    return [dict(vars(token)) for token in analyzer(value, **kwargs)]


def assert_same(value: str, **kwargs: Any) -> None:
    assert tokens(analyzer_for("en"), value, **kwargs) == tokens(classic(), value, **kwargs)


@pytest.mark.parametrize("value", TEXTS)
@pytest.mark.parametrize("mode", ["index", "query", ""])
def test_every_option_gives_the_chains_tokens(value: str, mode: str) -> None:
    for flags in itertools.product([False, True], repeat=len(OPTIONS)):
        assert_same(value, mode=mode, **dict(zip(OPTIONS, flags, strict=True)))


@pytest.mark.parametrize("value", TEXTS)
def test_start_offsets_and_extra_token_attributes(value: str) -> None:
    kwargs = {"positions": True, "chars": True, "start_pos": 7, "start_char": 30}
    assert_same(value, mode="index", boosts=True, **kwargs)
    assert_same(value, mode="index", removestops=False, nomorph=True, **kwargs)


@pytest.mark.parametrize("value", ["Élections*", "the", "Running Mates", "a.b"])
def test_untokenized_values_go_through_the_chain(value: str) -> None:
    for removestops in (True, False):
        assert_same(value, tokenize=False, removestops=removestops, mode="query")


@settings(max_examples=300)
@given(WHOLE_TEXT)
def test_any_text_gives_the_chains_tokens(value: str) -> None:
    for flags in ({}, {"positions": True}, {"positions": True, "chars": True}):
        assert_same(value, mode="index", **flags)
    assert_same(value, no_morph=True)
    assert_same(value, positions=True, chars=True, removestops=False, mode="query")


@settings(max_examples=300)
@given(WORDY_TEXT)
def test_punctuated_words_give_the_chains_tokens(value: str) -> None:
    assert_same(value, mode="index")
    assert_same(value, mode="index", positions=True)
    assert_same(value, positions=True, chars=True, keeporiginal=True, removestops=False)


def test_cached_words_are_analysed_again_once_the_cache_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis, "CACHED_CHUNKS", 3)
    analyzer = FusedAnalyzer(classic())
    value = "Alpha beta, gamma. Delta alpha; epsilon BETA. the gamma"
    for _ in range(3):
        expected = tokens(classic(), value, positions=True, mode="index")
        assert tokens(analyzer, value, positions=True, mode="index") == expected
    assert all(len(cache) <= 3 for cache in analyzer._cache.values())


def test_options_of_the_chain_are_kept() -> None:
    chain = StemmingAnalyzer(stoplist=["alpha"], minsize=4, maxsize=6) | CharsetFilter(accent_map)
    chain.items[2] = StopFilter(stoplist=["alpha"], minsize=4, maxsize=6, renumber=False)
    value = "An alpha was here, très longwords x yyyy"
    fused = FusedAnalyzer(chain)
    for kwargs in ({"positions": True}, {"positions": True, "removestops": False, "chars": True}):
        assert tokens(fused, value, **kwargs) == tokens(chain, value, **kwargs)


def test_other_chains_are_refused() -> None:
    with pytest.raises(ValueError):
        FusedAnalyzer(StemmingAnalyzer())
    with pytest.raises(ValueError):
        FusedAnalyzer(StemmingAnalyzer(expression=r"\w+") | CharsetFilter(accent_map))


def test_schema_analyzer_is_fused_and_pickles_to_an_equal_one() -> None:
    analyzer = text_analyzer()
    assert isinstance(analyzer, FusedAnalyzer) and analyzer == analyzer_for("en")
    assert analyzer.has_morph()
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer and restored._cache == {True: {}, False: {}}
    value = TEXTS[2]
    assert tokens(restored, value, positions=True) == tokens(classic(), value, positions=True)
