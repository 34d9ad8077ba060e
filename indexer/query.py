"""Turning what a person types into a Whoosh query."""

from __future__ import annotations

import re

from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser
from whoosh.query import Every, NullQuery, Query

from indexer.errors import QueryError
from indexer.schema import TEXT_FIELDS

MAX_QUERY_LENGTH = 1000
_DATE_FIELD = re.compile(r"\b(published|year):", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]")
# -word excludes and +word requires (as every word does) only at a word's start, not inside
# self-made or 2015-09-01. Whoosh's PlusMinusPlugin fails on "-word" inside parentheses.
_PREFIX_OPERATOR = re.compile(r"(?<![^\s(])([+-])(?=[^\s+-])")


def parse_query(text: str, schema: Schema) -> Query:
    """Parse `text` (words, "phrases", -exclusions, AND/OR/NOT, field:value) into a query.

    An empty text matches every article. Raises `QueryError` when the text cannot be used.
    """
    text = text.strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(text)} characters long; shorten it to {MAX_QUERY_LENGTH} or fewer."
        )
    if not text:
        return Every()
    if text == text.upper() and _LETTERS.search(text):
        # Typed (or pasted) in capitals: AND/OR/NOT are words here, not operators.
        text = text.lower()
    text = _PREFIX_OPERATOR.sub(lambda m: "NOT " if m.group(1) == "-" else "", text)
    parser = MultifieldParser(list(TEXT_FIELDS), schema)
    query = parser.parse(text)
    if _DATE_FIELD.search(text) and _has_null(query):
        raise QueryError(
            "Could not read the date in the query: write published:2015, published:2015-09-01 "
            "or published:[2010 TO 2015]."
        )
    return query


def _has_null(query: Query) -> bool:
    """Return whether some part of `query` is the null query a value that failed to parse leaves."""
    return isinstance(query, type(NullQuery)) or any(_has_null(q) for q in query.children())
