"""Turning what a person types into a Whoosh query."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser, MultifieldPlugin, OrGroup, syntax
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    Every,
    FuzzyTerm,
    MultiTerm,
    Not,
    NullQuery,
    Or,
    Query,
    Wildcard,
)

from indexer.errors import QueryError
from indexer.schema import QUERY_FIELDS, TEXT_FIELDS, text_analyzer
from indexer.suggest import SPELLING_FIELDS, SPELLING_PREFIX

MAX_QUERY_LENGTH = 1000
# Longest word a fuzzy~ search takes: its automaton grows with the word (a 150-letter word~
# takes seconds), and no real word that long is misspelt by one or two letters.
MAX_FUZZY_LETTERS = 24
# Words are OR-ed, and the scores of the words an article holds add up: a long natural query
# ranks the best matches first instead of finding nothing because one word is missing.
# (Whoosh's coordination bonus on top made no measurable difference on benchmarks/relevance.)
COORDINATION = 0.9
# Fields that hold metadata values: `field:value` on them filters instead of ranking.
FILTER_FIELDS = frozenset(QUERY_FIELDS.values()) - set(TEXT_FIELDS)
_STOP_ALTERNATIVES = "|".join(sorted(STOP_WORDS))
# A stop word standing alone outside quotes (an even number of quotes follows it).
_ENGLISH_STOP = re.compile(
    rf'(?<![^\s(])(?:{_STOP_ALTERNATIVES})(?![^\s)])(?=(?:[^"]*"[^"]*")*[^"]*$)', re.IGNORECASE
)
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_STEMS = text_analyzer()
_DATE_FIELD = re.compile(r"\b(published|year|month):", re.IGNORECASE)
_FIELD = re.compile(r"(?<![^\s(])(\w+):(?=\S)")
_PARSER_FIELD = r"(?<![^\s(])(?P<text>\w+):"
_LETTERS = re.compile(r"[^\W\d_]")
# -word excludes and +word requires only at a word's start, not inside self-made or
# 2015-09-01. (Whoosh's PlusMinusPlugin splits those words, and fails inside parentheses.)
_EXCLUDED = re.compile(r"(?<![^\s(])-(?=[^\s+-])")
_FUZZY = re.compile(r"(?<![^\s(])([^\W\d_]+)~(\d)?(?![^\s)])")
_REQUIRED = re.compile(r'(?<![^\s(])\+("[^"]*"|[^\s()"]+)')


def parse_query(
    text: str, schema: Schema, groups: Sequence[Sequence[str]] = (TEXT_FIELDS,)
) -> Query:
    """Parse `text` (words, "phrases", -exclusions, AND/OR/NOT, field:value) into a query.

    Each of `groups` is the set of text fields one language is indexed in; the words are
    looked up in each group with its own analyzer. An empty text matches every article.
    Raises `QueryError` when the text cannot be used.
    """
    text = normalise(text)
    if not text:
        return Every()
    if text == text.upper() and _LETTERS.search(text):
        # Typed (or pasted) in capitals: AND/OR/NOT/TO are words here, not operators.
        text = text.lower()
    text = _FIELD.sub(_field_name, text)
    required = _REQUIRED.findall(text)
    fuzzy = [_fuzzy(word, edits) for word, edits in _FUZZY.findall(text)]
    text = _EXCLUDED.sub("NOT ", _FUZZY.sub(" ", _REQUIRED.sub(" ", text))).strip()
    shaped = []
    for number, fields in enumerate(groups):
        parser = MultifieldParser(list(fields), schema, group=OrGroup.factory(COORDINATION))
        # A word scores by its best field (title, description or body), not their sum: one
        # title word must not outrank all the words in a body (measured on benchmarks/relevance).
        parser.replace_plugin(MultifieldPlugin(list(fields), group=syntax.DisMaxGroup))
        # Whoosh reads `name:` anywhere, so `"a b"~2id:*` reached the internal id field; only
        # the `field:` that _FIELD wrote (after a space or parenthesis) names a field here.
        parser.replace_plugin(FieldsPlugin(expr=_PARSER_FIELD))
        # English stop words are dropped from the other languages' fields too: "the" in a
        # query must not match Shona or Lingala articles that happen to hold it.
        words = text if number == 0 else _ENGLISH_STOP.sub(_unless_operator, text).strip()
        if (text or number) and not words:
            continue  # only stop words (or fuzzy words): nothing to look for in this language
        query = _parsed(parser, words) if words else Every()
        if fuzzy and number == 0:  # fuzzy words are looked up among English words
            query = Or([query, *fuzzy]) if text else Or(fuzzy)
        query = _shape(query, [_parsed(parser, word) for word in required])
        shaped.append(query.accept(_also_unstemmed))
        if number == 0 and (_is_filter(query) or query == Every()):
            break  # no words: the same in every language
    query = shaped[0] if len(shaped) == 1 else _across_languages(shaped)
    if _DATE_FIELD.search(text) and _has_null(query):
        raise QueryError(
            "Could not read the date in the query: write published:2015, published:2015-09-01 "
            "or published:[2010 TO 2015]."
        )
    return query


def _across_languages(shaped: list[Query]) -> Query:
    """Combine the queries of each language: an article matches the words in any language,
    and an excluded word excludes it in every language (OR-ing `a ANDNOT b` per language let
    the languages where `b` is not found bring every article back)."""
    wanted = [q.a if isinstance(q, AndNot) else q for q in shaped]
    excluded = [q.b for q in shaped if isinstance(q, AndNot)]
    query = Or(wanted)
    return AndNot(query, Or(excluded)).normalize() if excluded else query


def _parsed(parser: MultifieldParser, text: str) -> Query:
    """Return `parser`'s query for `text`; QueryError for values Whoosh's fields cannot read."""
    try:
        query = parser.parse(text)
    except Exception as error:  # Whoosh's fields raise plain Exceptions (e.g. for bad dates)
        raise QueryError(
            f"Could not read the query ({error}): write dates as published:2015, "
            "published:2015-09-01 or published:[2010 TO 2015]."
        ) from None
    return query.accept(_anchored_wildcard).normalize()


def _anchored_wildcard(query: Query) -> Query:
    """Refuse a wildcard word that starts with * or ?: finding its words means reading every
    word of the archive. A lone ? (punctuation, as likely as not) is dropped."""
    if not isinstance(query, Wildcard) or query.text[:1] not in ("*", "?"):
        return query
    if not query.text.strip("*?"):
        return NullQuery
    raise QueryError(
        f"{query.text!r} starts with a wildcard, which would read every word of the archive: "
        "put at least one letter before the * or ? (as in clim*)."
    )


# Control characters (NUL...) have no place in a query and serve as markers internally.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """Return `text` with control characters dropped and whitespace collapsed; QueryError when
    it is too long to search."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(text)} characters long; shorten it to {MAX_QUERY_LENGTH} or fewer."
        )
    return text


def _field_name(match: re.Match[str]) -> str:
    """Return the index field a `name:` of the query language stands for; other names (the
    index's internal fields among them) are words like any other."""
    field = QUERY_FIELDS.get(match.group(1).lower())
    return f"{field}:" if field else f"{match.group(1)} "


def _unless_operator(match: re.Match[str]) -> str:
    """Drop a stop word, but keep AND, OR, NOT and TO typed as operators."""
    return match.group() if match.group() in _OPERATORS else " "


def _fuzzy(word: str, edits: str) -> Query:
    """Return the query for `word~` or `word~2`: whole headline words, or stems of the English
    text fields within that many edits of the word's stem (at most 2; 1 for words of 3 to 5
    letters, none for shorter ones)."""
    if len(word) > MAX_FUZZY_LETTERS:
        raise QueryError(
            f"{word[:MAX_FUZZY_LETTERS]}…~ is too long for a fuzzy search (at most "
            f"{MAX_FUZZY_LETTERS} letters): leave out the ~ to search for the word itself."
        )
    # As Lucene's AUTO fuzziness: two edits of a short word match half the vocabulary.
    distance = min(int(edits or 1), 0 if len(word) < 3 else 1 if len(word) < 6 else 2)
    whole = [FuzzyTerm(field, word.lower(), maxdist=distance) for field in SPELLING_FIELDS]
    # Bodies keep only stems: the word's stem is looked up among them.
    stems = [token.text for token in _STEMS(word)]
    return Or(
        whole
        + [FuzzyTerm(field, stem, maxdist=distance) for field in TEXT_FIELDS for stem in stems]
    )


def _shape(query: Query, required: list[Query]) -> Query:
    """Give the parsed words their meaning: free words are OR-ed and rank, +words and
    field:value filters must match, exclusions always exclude."""
    parts = list(query.subqueries) if isinstance(query, Or) else [query]
    excluded = [part.query for part in parts if isinstance(part, Not)]
    parts = [_lift_negations(part) for part in parts if not isinstance(part, Not)]
    required = required + [part for part in parts if _is_filter(part)]
    words = [part for part in parts if not _is_filter(part) and part is not Every()]
    ranked = Or(words, scale=COORDINATION).normalize() if words else None
    if required:
        must = And(required).normalize()
        shaped = AndMaybe(must, ranked) if ranked is not None else must
    else:
        shaped = ranked if ranked is not None else Every()
    return AndNot(shaped, Or(excluded)).normalize() if excluded else shaped


def _also_unstemmed(query: Query) -> Query:
    """Let prefix* and wild?card terms match whole words too, not only stems
    (medica* finds "medicate", whose stem is "medic")."""
    if not isinstance(query, MultiTerm):
        return query
    spelling = f"{SPELLING_PREFIX}{query.fieldname}"
    if spelling not in SPELLING_FIELDS:
        return query
    whole_words = copy.copy(query)
    whole_words.fieldname = spelling
    return Or([query, whole_words])


def _is_filter(query: Query) -> bool:
    """Return whether `query` only names metadata values (source:, published:...), no words."""
    fields = {field for field, _text in query.iter_all_terms()} if query.has_terms() else set()
    names = fields or {getattr(query, "fieldname", None)}
    return bool(names) and names <= FILTER_FIELDS


def _lift_negations(query: Query) -> Query:
    """Turn `a OR b OR NOT c` into `(a OR b) ANDNOT c` inside groups too."""
    if isinstance(query, Or):
        negated = [q.query for q in query.subqueries if isinstance(q, Not)]
        kept = [_lift_negations(q) for q in query.subqueries if not isinstance(q, Not)]
        positive = Or(kept, scale=query.scale).normalize() if kept else Every()
        return AndNot(positive, Or(negated)).normalize() if negated else positive
    if isinstance(query, And | AndNot | Not):
        return query.apply(_lift_negations)
    return query


def _has_null(query: Query) -> bool:
    """Return whether some part of `query` is the null query a value that failed to parse leaves."""
    return isinstance(query, type(NullQuery)) or any(_has_null(q) for q in query.children())
