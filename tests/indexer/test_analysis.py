"""Per-language analysis: stemming, accent folding, bigrams for unspaced scripts, token offsets."""

from __future__ import annotations

import itertools
import pickle
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.index import FileIndex, create_in, open_dir
from whoosh.lang import stemmer_for_language
from whoosh.qparser import MultifieldParser, QueryParser
from whoosh.query import Or
from whoosh.support.charset import accent_map

from indexer.analysis import (
    LANGUAGE_FIELD_SUFFIXES,
    STEMMED_LANGUAGES,
    UNSPACED_LANGUAGES,
    analyzer_for,
    analyzer_for_suffix,
    field_suffix,
)

MakeIndex = Callable[..., FileIndex]


@pytest.fixture
def make_index(tmp_path: Path) -> MakeIndex:
    """Build a real index of {id: body} documents whose body is analysed for `language`."""
    numbers = itertools.count()

    def make(language: str, docs: dict[str, str], multitoken_query: str = "phrase") -> FileIndex:
        path = tmp_path / f"index{next(numbers)}"
        path.mkdir()
        analyzer = analyzer_for(language)
        schema = Schema(
            id=ID(stored=True),
            body=TEXT(analyzer=analyzer, stored=True, multitoken_query=multitoken_query),
        )
        index = create_in(path, schema)
        with index.writer() as writer:
            for doc_id, body in docs.items():
                writer.add_document(id=doc_id, body=body)
        return index

    return make


def found(index: FileIndex, query: str) -> set[str]:
    """Return the ids of the documents `query` finds in the body field."""
    with index.searcher() as searcher:
        parsed = QueryParser("body", index.schema).parse(query)
        return {hit["id"] for hit in searcher.search(parsed, limit=None)}


def texts(language: str, value: str, mode: str = "query") -> list[str]:
    return [t.text for t in analyzer_for(language)(value, mode=mode)]


def spans(language: str, value: str, mode: str = "query") -> list[tuple[str, int, int, int]]:
    tokens = analyzer_for(language)(value, positions=True, chars=True, mode=mode)
    return [(t.text, t.pos, t.startchar, t.endchar) for t in tokens]


# Languages and suffixes


def test_stemmed_languages_are_whooshs_stemmers() -> None:
    assert {"en", "fr", "de", "es", "ru", "pt", "it", "nl", "sv", "ar"} <= STEMMED_LANGUAGES
    assert "tr" not in STEMMED_LANGUAGES  # Whoosh has Turkish stop words but no stemmer
    assert all(len(code) == 2 for code in STEMMED_LANGUAGES)
    assert not STEMMED_LANGUAGES & UNSPACED_LANGUAGES


@pytest.mark.parametrize(
    ("language", "suffix"),
    [
        ("en", ""),
        ("en-GB", ""),
        ("fr", "fr"),
        ("FR", "fr"),
        ("pt-BR", "pt"),
        ("ru", "ru"),
        ("nb", "no"),
        ("zh", "cjk"),
        ("zh-Hant", "cjk"),
        ("ja", "cjk"),
        ("ko", "cjk"),
        ("th", "cjk"),
        ("my", "cjk"),
        ("tr", "other"),
        ("ln", "other"),
        ("hi", "other"),
        ("", "other"),
    ],
)
def test_field_suffix(language: str, suffix: str) -> None:
    assert field_suffix(language) == suffix
    assert suffix in LANGUAGE_FIELD_SUFFIXES


def test_suffixes_are_listed_once_and_each_has_one_analyzer() -> None:
    assert len(set(LANGUAGE_FIELD_SUFFIXES)) == len(LANGUAGE_FIELD_SUFFIXES)
    every = STEMMED_LANGUAGES | UNSPACED_LANGUAGES | {"", "tr", "hi", "ln"}
    assert {field_suffix(language) for language in every} == set(LANGUAGE_FIELD_SUFFIXES)
    for language in every:
        # Same suffix, same fields, so the very same analyzer indexes and searches them.
        assert analyzer_for(language) is analyzer_for_suffix(field_suffix(language))
    with pytest.raises(ValueError):
        analyzer_for_suffix("xx")


def test_analyzers_are_cached() -> None:
    assert analyzer_for("fr") is analyzer_for("fr-FR") is analyzer_for("FR")
    assert analyzer_for("zh") is analyzer_for("ja") is analyzer_for("th")
    assert analyzer_for("") is analyzer_for("ln")
    assert analyzer_for("fr") is not analyzer_for("de")


@pytest.mark.parametrize("suffix", LANGUAGE_FIELD_SUFFIXES)
def test_analyzers_pickle_small_into_the_schema(suffix: str) -> None:
    analyzer = analyzer_for_suffix(suffix)
    data = pickle.dumps(analyzer)
    if suffix:  # the English one pickles accent_map, as it always has
        assert len(data) < 8000  # class names, not their regexes and character tables
    value = "Élections 2024 — 北京大学の選挙 İstanbul sécurité"
    restored = pickle.loads(data)
    for mode in ("index", "query"):
        expected = [t.text for t in analyzer(value, mode=mode)]
        assert [t.text for t in restored(value, mode=mode)] == expected


# English


def test_english_is_the_previous_analyzer() -> None:
    previous = StemmingAnalyzer() | CharsetFilter(accent_map)
    value = "The elections of 2015: Zoë's café runs, ran and is running; U.S. self-medicating ants"
    for mode in ("index", "query"):
        expected = previous(value, positions=True, chars=True, mode=mode)
        assert spans("en", value, mode) == [
            (t.text, t.pos, t.startchar, t.endchar) for t in expected
        ]


def test_english_stems_and_drops_stop_words(make_index: MakeIndex) -> None:
    assert texts("en", "The runs of the elections") == ["run", "elect"]
    index = make_index("en", {"hit": "He runs in the elections.", "miss": "A quiet day."})
    assert found(index, "run") == found(index, "election") == {"hit"}
    assert found(index, "the election") == {"hit"}


# Stemmed languages


@pytest.mark.parametrize(
    ("language", "body", "queries"),
    [
        ("fr", "Les élections législatives ont eu lieu dimanche.", ["élection", "ÉLECTIONS"]),
        ("fr", "La réforme de l'économie française.", ["économies", "reformes", "economie"]),
        ("fr", "La sécurité des citoyens et la cœur du problème.", ["securite", "coeur"]),
        ("de", "Die Wahlen in Bayern und die Gespräche danach.", ["Wahl", "Gespräch", "gesprache"]),
        ("es", "Las elecciones y la política.", ["elección", "eleccion", "politica"]),
        ("ru", "Итоги выборов в Государственную думу.", ["выборы", "ВЫБОРЫ", "выбор"]),
        ("ru", "Встреча с президентом России.", ["президент", "президента", "россия"]),
        ("pt", "As eleições municipais e as informações.", ["eleição", "eleicao", "informacao"]),
        ("pt", "Os governos estaduais.", ["governo"]),
        ("it", "Le elezioni regionali nella città.", ["elezione", "citta"]),
        ("nl", "De verkiezingen in Nederland.", ["verkiezing"]),
        ("sv", "Regeringen och riksdagen.", ["regering"]),
    ],
)
def test_inflected_and_unaccented_forms_match(
    make_index: MakeIndex, language: str, body: str, queries: list[str]
) -> None:
    index = make_index(language, {"hit": body, "miss": "Zzz qqq 42."})
    for query in queries:
        assert found(index, query) == {"hit"}, query


def test_unaccented_stem_is_added_only_when_indexing() -> None:
    # The stemmer cuts "sécurité" and "securite" differently; the index holds both stems.
    assert spans("fr", "sécurité", "query") == [("secur", 0, 0, 8)]
    assert spans("fr", "sécurité", "index") == [("secur", 0, 0, 8), ("securit", 0, 0, 8)]
    assert spans("fr", "securite", "query") == [("securit", 0, 0, 8)]


def test_stop_words_dropped_with_or_without_accents(make_index: MakeIndex) -> None:
    assert texts("fr", "le la de été ete à a") == []
    assert texts("de", "der die und über uber für") == []
    assert texts("ru", "и в не на") == []
    index = make_index("fr", {"hit": "Il a été élu à Paris.", "miss": "Rien."})
    assert found(index, "a ete elu a paris") == {"hit"}


def test_every_stemmed_language_uses_its_whoosh_stemmer() -> None:
    for language in STEMMED_LANGUAGES - {"en"}:
        stem = stemmer_for_language(language)
        word = "Informations"
        expected = stem(word.lower()).translate(accent_map)
        assert texts(language, word) == [expected], language


def test_turkish_dotted_and_dotless_i_fold(make_index: MakeIndex) -> None:
    # No Whoosh stemmer for Turkish: words are only lowercased and folded.
    assert texts("tr", "İstanbul'da ISTANBUL ıstanbul seçimler") == [
        "istanbul",
        "da",
        "istanbul",
        "istanbul",
        "secimler",
    ]
    index = make_index("tr", {"hit": "İstanbul'da seçim yapıldı.", "miss": "Ankara."})
    assert found(index, "ISTANBUL") == found(index, "istanbul") == {"hit"}
    assert found(index, "SEÇİM") == found(index, "secim") == {"hit"}


# Other languages


def test_unknown_language_lowercased_and_folded_not_stemmed(make_index: MakeIndex) -> None:
    assert texts("", "Économie RUNNING the Zoë") == ["economie", "running", "the", "zoe"]
    assert texts("ln", "Mokonzi ya ekolo") == ["mokonzi", "ya", "ekolo"]
    index = make_index("", {"hit": "Les économies du pays.", "miss": "Autre chose."})
    assert found(index, "economies") == found(index, "ÉCONOMIES") == {"hit"}
    assert found(index, "economie") == set()


def test_combining_marks_stay_inside_words() -> None:
    # Devanagari vowel signs and viramas are combining marks, which `\w` does not match.
    assert spans("hi", "हिन्दी समाचार") == [("हिन्दी", 0, 0, 6), ("समाचार", 1, 7, 13)]
    decomposed = unicodedata.normalize("NFD", "économie")
    assert spans("fr", decomposed) == [("econom", 0, 0, len(decomposed))]
    assert spans("", decomposed) == [("economie", 0, 0, len(decomposed))]


def test_full_width_latin_and_ligatures_normalised() -> None:
    assert texts("", "ＡＩ ﬁnance") == ["ai", "finance"]
    assert texts("fr", "ＡＩ ﬁnances") == texts("fr", "AI finances")


# Unspaced scripts


def test_cjk_runs_become_overlapping_bigrams() -> None:
    assert spans("zh", "北京大学 iPhone") == [
        ("北京", 0, 0, 2),
        ("京大", 1, 1, 3),
        ("大学", 2, 2, 4),
        ("iphone", 3, 5, 11),
    ]
    assert texts("zh", "京") == ["京"]
    # Indexing adds each character at the position of the bigram it starts.
    assert spans("zh", "北京大 x", "index") == [
        ("北京", 0, 0, 2),
        ("北", 0, 0, 1),
        ("京大", 1, 1, 3),
        ("京", 1, 1, 2),
        ("大", 1, 2, 3),
        ("x", 2, 4, 5),
    ]


def test_latin_words_and_digits_inside_cjk_text_are_words() -> None:
    value = "苹果发布新款iPhone手机，ＡＩ技术2024年增长3.5%"
    tokens = texts("zh", value)
    assert {"iphone", "ai", "2024", "3.5"} <= set(tokens)
    assert "手机" in tokens and "技术" in tokens
    assert not any(re.search(r"[a-z0-9]", t) and re.search(r"[^\x00-\x7f]", t) for t in tokens)
    assert texts("ja", "東京でＣａｆé") == ["東京", "京で", "cafe"]


def test_thai_letters_keep_their_marks() -> None:
    # "ตั้ง" is three code points on one consonant plus a final consonant: two letters.
    assert texts("th", "ตั้ง") == ["ตั้ง"]
    assert texts("th", "ตั้ง", "index") == ["ตั้ง", "ตั้", "ง"]


ZH = {
    "hit": "北京大学的学生在天安门广场集会。",
    "apart": "北方的大城市里，京剧和学校都很有名。",
    "other": "上海证券交易所今天收盘。",
}
JA = {
    "hit": "東京都知事選挙の投票が行われた。新型コロナウイルスの影響で。",
    "apart": "選手が手を挙げた。東の京。",
}
KO = {"hit": "윤석열 대통령은 오늘 기자회견을 열었다.", "apart": "대한민국 통신 명령."}
TH = {"hit": "คณะกรรมการการเลือกตั้งประกาศผลอย่างเป็นทางการ", "apart": "เ ลื อ ก ตั้ ง"}


@pytest.mark.parametrize("multitoken_query", ["phrase", "default", "and"])
@pytest.mark.parametrize(
    ("language", "docs", "query"),
    [
        ("zh", ZH, "北京"),
        ("zh", ZH, "北京大学"),
        ("zh", ZH, "天安门广场"),
        ("ja", JA, "選挙"),
        ("ja", JA, "知事選挙"),
        ("ja", JA, "コロナ"),
        ("ko", KO, "대통령"),
        ("th", TH, "เลือกตั้ง"),
    ],
)
def test_unspaced_word_finds_running_text_not_scattered_characters(
    make_index: MakeIndex, multitoken_query: str, language: str, docs: dict[str, str], query: str
) -> None:
    index = make_index(language, docs, multitoken_query)
    assert found(index, query) == {"hit"}
    assert found(index, f'"{query}"') == {"hit"}


def test_unspaced_phrase_setting_keeps_word_order(make_index: MakeIndex) -> None:
    # "大学生" has the bigrams 大学 and 学生, both in "大学的学生" but not side by side.
    assert found(make_index("zh", ZH, "phrase"), "大学生") == set()
    assert found(make_index("zh", ZH, "and"), "大学生") == {"hit"}


def test_one_character_query_finds_it_anywhere(make_index: MakeIndex) -> None:
    index = make_index("zh", ZH)
    assert found(index, "京") == {"hit", "apart"}
    assert found(index, "海") == {"other"}


def test_mixed_script_query_words(make_index: MakeIndex) -> None:
    docs = {
        "phone": "苹果发布新款iPhone手机。",
        "report": "公司发布2024年度报告。",
        "other": "今年iPhone销量下降，报告称2023年的手机市场将由AI推动",
    }
    index = make_index("zh", docs)
    assert found(index, "iPhone手机") == {"phone"}
    assert found(index, "2024年") == {"report"}
    assert found(index, "IPHONE") == {"phone", "other"}
    assert found(index, "ＡＩ") == found(index, "ai") == {"other"}


@given(st.text(alphabet="北京大学东a1 。é", max_size=30))
def test_query_tokens_are_indexed_at_the_same_positions(value: str) -> None:
    for language in ("zh", "fr"):
        indexed = set(spans(language, value, "index"))
        assert set(spans(language, value, "query")) <= indexed


# Offsets and highlighting


@pytest.mark.parametrize(
    ("language", "value"),
    [
        ("en", "The Elections of 2015 in Zürich"),
        ("fr", "Les élections à Zürich, l'économie"),
        ("ru", "Итоги выборов в Москве"),
        ("", "Mokonzi ya Ekolo"),
        ("zh", "北京大学的学生 iPhone 2024年"),
        ("th", "การเลือกตั้ง 2566"),
    ],
)
def test_tokens_carry_positions_and_offsets(language: str, value: str) -> None:
    for mode in ("index", "query"):
        tokens = spans(language, value, mode)
        assert tokens
        positions = [pos for _, pos, _, _ in tokens]
        assert positions == sorted(positions)
        assert len(set(positions)) == max(positions) - min(positions) + 1  # no gaps
        for text, _, start, end in tokens:
            assert 0 <= start < end <= len(value)
            source = value[start:end].lower().translate(accent_map)
            assert source[:2] == text[:2], (text, source)
    # Offsets count from start_char, positions from start_pos (fields with several values).
    shifted = analyzer_for("zh")(
        "北京", positions=True, chars=True, start_pos=5, start_char=10, mode="query"
    )
    assert [(t.text, t.pos, t.startchar, t.endchar) for t in shifted] == [("北京", 5, 10, 12)]


@pytest.mark.parametrize(
    ("language", "body", "query", "marked"),
    [
        ("zh", ZH["hit"], "北京大学", "北京大学"),
        ("ja", JA["hit"], "選挙", "選挙"),
        ("fr", "Les élections législatives ont eu lieu.", "election", "élections"),
        ("ru", "Итоги выборов в думу.", "выборы", "выборов"),
    ],
)
def test_highlights_mark_the_matched_text(
    make_index: MakeIndex, language: str, body: str, query: str, marked: str
) -> None:
    index = make_index(language, {"hit": body})
    with index.searcher() as searcher:
        hits = searcher.search(QueryParser("body", index.schema).parse(query))
        highlighted = hits[0].highlights("body")
    assert "".join(re.findall(r"<b[^>]*>(.*?)</b>", highlighted)) == marked


def test_reopened_index_analyses_queries_the_same(make_index: MakeIndex) -> None:
    index = make_index("zh", ZH)
    reopened = open_dir(index.storage.folder)
    assert found(reopened, "北京大学") == {"hit"}
    assert found(reopened, "京") == {"hit", "apart"}


def test_parsing_each_language_apart_keeps_stop_words_local(tmp_path: Path) -> None:
    fields = {
        f"body_{suffix}" if suffix else "body": TEXT(
            analyzer=analyzer_for_suffix(suffix), multitoken_query="phrase"
        )
        for suffix in ("", "fr", "cjk", "other")
    }
    schema = Schema(id=ID(stored=True), **fields)
    index = create_in(tmp_path, schema)
    with index.writer() as writer:
        writer.add_document(id="en", body="The election was held.")
        writer.add_document(id="fr", body_fr="La sécurité des élections.")
        writer.add_document(id="zh", body_cjk="北京大学的学生")

    def search(query: Any) -> set[str]:
        with index.searcher() as searcher:
            return {hit["id"] for hit in searcher.search(query, limit=None)}

    def per_language(text: str) -> set[str]:
        return search(Or([QueryParser(name, schema).parse(text) for name in fields]))

    assert per_language("the election") == {"en"}
    assert per_language("la sécurité") == {"fr"}
    assert per_language("elections") == {"en", "fr"}
    assert per_language("北京大学") == {"zh"}
    # One parser over every language's fields requires a word wherever it is not a stop word.
    assert search(MultifieldParser(list(fields), schema).parse("the election")) == set()


def test_untokenized_values_stay_whole() -> None:
    # Range and wildcard queries analyse their text with tokenize=False.
    analyzer = analyzer_for("zh")
    assert [t.text for t in analyzer("北京*", tokenize=False, mode="query")] == ["北京*"]
