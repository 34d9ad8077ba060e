"""The query-string parameters of a search: read, checked, and written back into links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer import SORTS, QueryError
from indexer.filters import parse_date
from search_ui.errors import InvalidParameter

MAX_PAGE = 1000
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 1000
MAX_FILTER_VALUES = 20
# The dates `from` and `to` take: a year, a month or a day (2015, 2015-09, 2015-09-01).
DATE_PATTERN = "[0-9]{4}(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?"
# Filter parameters (repeatable) and the facet each filters and counts.
FILTER_PARAMS = {
    "source": "source",
    "section": "section",
    "author": "authors",
    "language": "language",
    "access": "access",
    "year": "year",
}


@dataclass(frozen=True)
class SearchParams:
    """One search as its URL states it: every page, format and link is built from this."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # param -> values
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    @classmethod
    def from_args(cls, args: MultiDict[str, str], per_page: int = 10) -> SearchParams:
        """Read a search from query-string `args`; InvalidParameter says what is wrong."""
        q = query_arg(args)
        filters = {}
        for name in FILTER_PARAMS:
            values = filter_arg(args, name)
            if values:
                filters[name] = values
        params = cls(
            q=q,
            filters=filters,
            date_from=date_arg(args, "from", end=False),
            date_to=date_arg(args, "to", end=True),
            sort=sort_arg(args),
            page=int_arg(args, "page", default=1, low=1, high=MAX_PAGE),
            per_page=int_arg(args, "per_page", default=per_page, low=1, high=MAX_PER_PAGE),
        )
        start, end = params.date_range
        if start and end and start > end:
            raise InvalidParameter("from must not be after to.")
        return params

    @property
    def date_range(self) -> tuple[datetime | None, datetime | None]:
        """Return the first and last moments of the date range (None where open)."""
        return parse_date(self.date_from, end=False), parse_date(self.date_to, end=True)

    def index_filters(self) -> dict[str, list[str]]:
        """Return the filters as `NewsIndex.search` takes them (facet name -> values)."""
        return {FILTER_PARAMS[name]: list(values) for name, values in self.filters.items()}

    def has(self, name: str, value: str) -> bool:
        """Return whether filter `name` holds `value`."""
        return value in self.filters.get(name, ())

    def toggled(self, name: str, value: str) -> SearchParams:
        """Return this search with `value` added to filter `name`, or removed if there (page 1)."""
        values = self.filters.get(name, ())
        changed = tuple(v for v in values if v != value) if value in values else (*values, value)
        filters = {**self.filters, name: changed}
        return replace(self, filters={k: v for k, v in filters.items() if v}, page=1)

    def changed(self, **changes: object) -> SearchParams:
        """Return this search with `changes` (e.g. page=2, sort="newest")."""
        return replace(self, **changes)

    def pairs(self) -> list[tuple[str, str]]:
        """Return the query-string pairs of this search, defaults left out."""
        pairs = [("q", self.q)] if self.q else []
        for name in FILTER_PARAMS:
            pairs += [(name, value) for value in self.filters.get(name, ())]
        pairs += [(name, value) for name, value in (("from", self.date_from), ("to", self.date_to))]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return [(name, value) for name, value in pairs if value]

    def query_string(self, **changes: object) -> str:
        """Return the query string of this search with `changes`, for links."""
        params = self.changed(**changes) if changes else self
        return urlencode(params.pairs())


def query_arg(args: MultiDict[str, str]) -> str:
    """Return the stripped `q` parameter ("" when absent); InvalidParameter when too long."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidParameter(f"q must be at most {MAX_QUERY_CHARS} characters long.")
    return q.strip()


def filter_arg(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    """Return the distinct non-blank values of filter `name`; InvalidParameter if given too
    often (blank and repeated values count, as the OpenAPI document's maxItems does)."""
    given = args.getlist(name)
    if len(given) > MAX_FILTER_VALUES:
        raise InvalidParameter(f"{name} may be given at most {MAX_FILTER_VALUES} times.")
    return tuple(dict.fromkeys(value.strip() for value in given if value.strip()))


def sort_arg(args: MultiDict[str, str]) -> str:
    """Return the `sort` parameter ("relevance" if absent or empty); InvalidParameter if unknown."""
    sort = args.get("sort", "") or "relevance"
    if sort not in SORTS:
        raise InvalidParameter(f"sort must be one of {', '.join(SORTS)}.")
    return sort


def int_arg(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return integer parameter `name` (default when absent or empty); InvalidParameter unless
    it is written in ASCII digits alone and in range."""
    raw = args.get(name, "")
    if not raw:
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not digits or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def date_arg(args: MultiDict[str, str], name: str, *, end: bool) -> str:
    """Return date parameter `name` as given ("" when absent); InvalidParameter unless it is
    empty or a real date written as DATE_PATTERN says."""
    raw = args.get(name, "")
    if raw and not (re.fullmatch(DATE_PATTERN, raw) and is_real_date(raw, end=end)):
        raise InvalidParameter(f"{name} must be a date written 2015, 2015-09 or 2015-09-01.")
    return raw


def is_real_date(text: str, *, end: bool) -> bool:
    """Return whether `text` (2015, 2015-09 or 2015-09-01) names a date that exists."""
    try:
        parse_date(text, end=end)
    except QueryError:
        return False
    return True
