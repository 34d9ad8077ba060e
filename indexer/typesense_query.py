"""Translating newsarchive's query language (README "Query syntax") into Typesense search
parameters.

What differs from NewsIndex (Whoosh), plainly:

- Words are matched as written (lowercased), neither stemmed nor stripped of stop words:
  `flood` does not find "floods". Typesense 0.24 has no stemming.
- Free words are OR-ed through Typesense's token dropping: articles holding all the words come
  first, then those holding the words left after dropping from the right, then from the left.
  With one or two free words that is exactly OR; with three or more, an article holding only
  a middle word (`b` of `a b c`) is not found.
- A "phrase" is always required, and once a query holds one, Typesense requires its free words
  too (it drops no tokens then).
- Beside a filter or a +word, NewsIndex lists every article passing it with free words only
  ranking them (`source:X budget` is all of source X); Typesense needs one of the words too.
- `title:word` (`description:`, `body:`) requires the word in that field instead of ranking it.
- Refused with a QueryError: parentheses, `"phrase"~N`, `word*`, `wo?d`, `word~`, several
  words after `title:`, and excluding a word from one field (`-title:word`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from indexer.errors import QueryError
from indexer.filters import FILTER_ALIASES, Filters, parse_date
from indexer.schema import CHOICES, DEFAULTS
from indexer.typesense_schema import FACETS, TEXT_FIELDS

# Large enough that Typesense drops tokens until no shorter query is left to try.
DROP_ALL_TOKENS = 1_000_000
_TOKEN = re.compile(
    r"""(?P<sign>[+-]?)
    (?:(?P<field>\w+):(?:\[(?P<range>[^\]]*)\]|"(?P<fvalue>[^"]*)"|(?P<fword>[^\s()"]+))
      |"(?P<phrase>[^"]*)"(?P<slop>~\d*)?
      |(?P<word>[^\s()"]+)
      |(?P<paren>[()]))""",
    re.VERBOSE,
)
_OPERATORS = {"AND", "OR", "NOT"}
_WILD = re.compile(r"[*?]|~\d*$")
_RANGE = re.compile(r"\s*(\S*)\s+TO\s+(\S*)\s*", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
# Query-language field names and the Typesense field each filters.
_TEXT_FIELDS = {"title": "title", "description": "description", "body": "text"}
_VALUE_FIELDS = {
    "source": "source",
    "section": "section",
    "language": "language",
    "access": "access",
    "author": "authors",
    "authors": "authors",
    "tag": "tags",
    "tags": "tags",
}
_DATE_FIELDS = {"published", "year", "month"}
# A word or phrase without a letter or digit is punctuation (a lone ?, "..."), as in NewsIndex.
_SEARCHABLE = re.compile(r"\w")
# A filter no article passes (`undated` is 0 or 1): the query of a text with nothing to search.
NOTHING = "undated:>1"


@dataclass
class Translation:
    """A query as Typesense search parameters: `q`, `filter_by` parts (AND-ed) and whether
    Typesense may drop words (our OR)."""

    required: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    @property
    def q(self) -> str:
        """Return Typesense's `q`: required words first, so that dropping keeps them longest."""
        words = [*self.required, *self.optional, *(f"-{word}" for word in self.excluded)]
        return " ".join(words) or "*"

    @property
    def drop_tokens_threshold(self) -> int:
        """Return 0 (every word required) unless the query has optional words."""
        return DROP_ALL_TOKENS if self.optional else 0

    def filter_by(self, extra: Iterable[str] = ()) -> str:
        """Return the `filter_by` of the query's filters and `extra` ones, AND-ed."""
        return " && ".join([*self.filters, *extra])


def translate(text: str) -> Translation:
    """Return the Typesense translation of query `text` (normalised); QueryError when some
    part of it has no Typesense equivalent."""
    if text.strip() in ("", "*"):
        return Translation()
    operators = not (text == text.upper() and re.search(r"[^\W\d_]", text))
    found = Translation()
    pending = ""  # the operator before the next term: "AND", "NOT" or ""
    previous: tuple[str, str] | None = None  # the last free word or phrase, with its sign
    for match in _TOKEN.finditer(text):
        word = match["word"]
        if operators and word in _OPERATORS:
            if word == "AND" and previous is not None:
                _require(found, previous)
            pending = word if word != "OR" else ""
            continue
        sign = {"NOT": "-", "AND": "+"}.get(pending, match["sign"])
        pending = ""
        previous = _term(found, match, sign)
    if not (found.required or found.optional or found.excluded or found.filters):
        found.filters.append(NOTHING)  # only punctuation: NewsIndex finds nothing either
    return found


def _require(found: Translation, term: tuple[str, str]) -> None:
    """Move an optional free word or phrase to the required ones (`a AND b`)."""
    kind, value = term
    if kind == "word" and value in found.optional:
        found.optional.remove(value)
        found.required.append(value)
        found.filters.append(word_filter(value))


def _term(found: Translation, match: re.Match[str], sign: str) -> tuple[str, str] | None:
    """Add one term of the query to `found`; return it if it is a free word or phrase."""
    if match["paren"]:
        raise QueryError(
            "The Typesense backend cannot group with parentheses: write the words without them "
            "(+word to require one, -word to exclude one)."
        )
    if match["phrase"] is not None:
        return _phrase(found, match["phrase"], match["slop"], sign)
    if match["field"] is not None:
        name = match["field"].lower()
        value = match["range"] if match["range"] is not None else match["fvalue"] or match["fword"]
        if name in _TEXT_FIELDS or name in _VALUE_FIELDS or name in _DATE_FIELDS:
            _field_term(found, name, value or "", sign, bool(match["range"] is not None))
            return None
        # A field this language does not know is read as words, as NewsIndex reads it.
        for word in (match["field"], *(value or "").split()):
            _word(found, word, sign)
        return None
    return _word(found, match["word"], sign)


def _word(found: Translation, word: str, sign: str) -> tuple[str, str] | None:
    """Add a free word (with its + or - sign) to `found`."""
    if not _SEARCHABLE.search(word):
        return None
    if _WILD.search(word):
        raise QueryError(
            f"The Typesense backend cannot search {word!r}: it has no wildcards (*, ?) or fuzzy "
            "words (~); write whole words."
        )
    word = word.strip("-+")
    if not word:
        return None
    if sign == "-":
        found.excluded.append(word)
    elif sign == "+":
        found.required.append(word)
        found.filters.append(word_filter(word))
    else:
        found.optional.append(word)
    return ("word", word)


def _phrase(found: Translation, phrase: str, slop: str | None, sign: str) -> tuple[str, str] | None:
    """Add a "phrase" to `found` (required unless excluded)."""
    if slop:
        raise QueryError(
            'The Typesense backend cannot search words some distance apart ("..."~N): drop '
            "the ~N to search the exact phrase."
        )
    words = " ".join(phrase.replace("`", " ").split())
    if not _SEARCHABLE.search(words):
        return None
    quoted = f'"{words}"'
    if sign == "-":
        found.excluded.append(quoted)
    else:
        found.required.append(quoted)
    return ("phrase", quoted)


def word_filter(word: str) -> str:
    """Return the filter an article passes when one of its text fields holds `word`."""
    return "(" + " || ".join(f"{name}:{_quoted(word)}" for name in TEXT_FIELDS) + ")"


def _field_term(found: Translation, name: str, value: str, sign: str, ranged: bool) -> None:
    """Add a `field:value` term to `found` as a filter."""
    if name in _TEXT_FIELDS:
        if sign == "-" or len(value.split()) != 1:
            raise QueryError(
                f"The Typesense backend can require one word in {name}: (as in {name}:ankara), "
                f"not exclude it or several; search the words without {name}: instead."
            )
        found.filters.append(f"{_TEXT_FIELDS[name]}:{_quoted(value)}")
    elif name in _VALUE_FIELDS:
        condition = value_filter(_VALUE_FIELDS[name], [value], exclude=sign == "-")
        if condition:
            found.filters.append(condition)
    elif sign == "-":
        raise QueryError(
            f"The Typesense backend cannot exclude dates (-{name}:): give the range to keep "
            "instead, as in published:[2010 TO 2015]."
        )
    else:
        found.filters.append(_date_condition(name, value, ranged))


def _date_condition(name: str, value: str, ranged: bool) -> str:
    """Return the filter of `published:`, `year:` or `month:` with `value`."""
    if name == "year" and _YEAR.fullmatch(value):
        return f"year:={value}"
    if name == "month" and _MONTH.fullmatch(value):
        year, month = _MONTH.fullmatch(value).groups()  # type: ignore[union-attr]
        return f"month:={year}-{int(month):02d}"
    if name == "published":
        bounds = _RANGE.fullmatch(value) if ranged else None
        if ranged and bounds is None:
            raise QueryError(f"Could not read the range [{value}]: write published:[2010 TO 2015].")
        start, end = bounds.groups() if bounds else (value, value)
        condition = date_filter(None if start == "*" else start, None if end == "*" else end)
        return condition or "published:>=0"
    raise QueryError(
        f"Could not read {name}:{value}: write published:2015, published:[2010 TO 2015], "
        "year:2015 or month:2015-09."
    )


def value_filter(field_name: str, values: list[str], exclude: bool = False) -> str:
    """Return the filter of articles holding one of `values` in `field_name` (none of them with
    `exclude`); "" when every article passes."""
    default = DEFAULTS.get(field_name)
    if default not in values:
        return f"{field_name}:{'!=' if exclude else '='}[{','.join(map(_quoted, values))}]"
    # Articles indexed before the field was added hold its default but no value, which
    # Typesense's != matches and = does not: the filter names the other values instead.
    others = [_quoted(value) for value in CHOICES[field_name] if value not in values]
    if not others:
        return NOTHING if exclude else ""
    return f"{field_name}:{'=' if exclude else '!='}[{','.join(others)}]"


def date_filter(start: date | str | None, end: date | str | None) -> str:
    """Return the filter of a publication date range (inclusive; either end may be open)."""
    first = parse_date(start, end=False)
    last = parse_date(end, end=True)
    if first and last and first > last:
        raise QueryError("The start of the date range is after its end: swap them.")
    parts = []
    if first:
        parts.append(f"published:>={_seconds(first)}")
    if last:
        parts.append(f"published:<={_seconds(last)}")
    return " && ".join(parts)


def _seconds(moment: datetime) -> int:
    """Return naive UTC `moment` as whole unix seconds (rounded down)."""
    return int(moment.replace(tzinfo=UTC).timestamp() // 1)


def _quoted(value: str) -> str:
    """Return `value` as a filter value (in backticks, which it may not hold)."""
    return "`" + value.replace("`", " ").strip() + "`"


def facet_field(name: str) -> str:
    """Return the Typesense field of filter or facet `name`; QueryError for unknown names."""
    field_name = FILTER_ALIASES.get(name, name)
    if field_name not in FACETS:
        raise QueryError(f"Unknown filter {name!r}: use one of {', '.join(sorted(FACETS))}.")
    return field_name


def filter_parts(
    filters: Filters | None, date_from: date | str | None, date_to: date | str | None
) -> dict[str, str]:
    """Return the filter each filtered field must pass (values OR-ed within a field, fields
    AND-ed; "published" for the dates)."""
    parts: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        chosen = [values] if isinstance(values, str) else [str(v) for v in values]
        chosen = [value for value in chosen if value]
        if chosen:
            field_name = facet_field(name)
            parts.setdefault(field_name, []).append(value_filter(field_name, chosen))
    dates = date_filter(date_from, date_to) if date_from or date_to else ""
    joined = {name: " && ".join(filter(None, conditions)) for name, conditions in parts.items()}
    return {**joined, "published": dates} if dates else joined
