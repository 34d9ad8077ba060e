"""Did-you-mean: a respelling of a query whose words the archive does not know.

Suggestions come from the words of headlines, which hold the names and topics people search
for; a body word is known (never "corrected") by its stem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from indexer.schema import text_analyzer

# The unstemmed words of titles (Whoosh's `spelling=True` field).
SPELLING_PREFIX = "spell_"  # Whoosh's name for the field of another field's whole words
SPELLING_FIELDS = (f"{SPELLING_PREFIX}title",)
# Only queries that find fewer matches than this get a suggestion.
SUGGEST_BELOW = 5
MIN_WORD = 4  # shorter words have too many neighbours to guess from
# Longer words are not respelt, and longer queries (pasted text, more often than not) get no
# suggestion: finding a word's neighbours costs time that grows with its length.
MAX_WORD = 24
MAX_WORDS = 8
_WORD = re.compile(rf'(?<![\w:*~"])([^\W\d_]{{{MIN_WORD},}})(?![\w:*~])')
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_STEMS = text_analyzer()


def suggest(reader: Any, text: str, count: Callable[[str], int], found: int) -> str | None:
    """Return `text` with unknown words respelt as known ones, when that finds at least as
    much as `text` (`found` matches); `count(query_text)` counts a query's matches."""
    if found >= SUGGEST_BELOW:
        return None
    masked = _outside_quotes_only(text)
    if len(_WORD.findall(masked)) > MAX_WORDS:
        return None
    changed = False

    def respell(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if len(word) > MAX_WORD or word in _OPERATORS or _known(reader, word.lower()):
            return word
        better = _closest(reader, word.lower())
        if better is None:
            return word
        changed = True
        if word.isupper():
            return better.upper()
        return better.capitalize() if word[0].isupper() else better

    respelt = _WORD.sub(respell, masked)
    if not changed:
        return None
    respelt = _restore_quotes(text, respelt)
    return respelt if count(respelt) >= max(found, 1) else None


def _known(reader: Any, word: str) -> bool:
    """Return whether `word` is in a title, or its stem in a body (bodies keep only stems)."""
    if any(reader.doc_frequency(field, word) for field in SPELLING_FIELDS):
        return True
    return any(reader.doc_frequency("body", token.text) for token in _STEMS(word))


def _closest(reader: Any, word: str) -> str | None:
    """Return the most frequent known word one edit from `word` (else two edits), if any."""
    fields = [field for field in SPELLING_FIELDS if field in reader.indexed_field_names()]
    for distance in (1, 2):
        candidates = {
            candidate
            for field in fields
            for candidate in reader.terms_within(field, word, distance, prefix=1)
            if candidate != word
        }
        if candidates:
            return max(
                candidates,
                key=lambda c: (sum(reader.doc_frequency(f, c) for f in fields), c),
            )
    return None


def _outside_quotes_only(text: str) -> str:
    # Words inside quotes are a phrase the person typed on purpose: mask them from respelling.
    return re.sub(r'"[^"]*"', lambda m: "\0" * len(m.group()), text)


def _restore_quotes(original: str, respelt: str) -> str:
    if "\0" not in respelt:
        return respelt
    quoted = iter(re.findall(r'"[^"]*"', original))
    return re.sub(r"\0+", lambda _m: next(quoted), respelt)
