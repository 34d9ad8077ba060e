"""The query-string parameters of a search: read, checked, and written back into links."""

from __future__ import annotations

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
# Filter parameters (repeatable) and the facet each filters and counts.
FILTER_PARAMS = {
    "source": "source",
    "section": "section",
    "author": "authors",
    "language": "language",
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
            values = tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
            if len(values) > MAX_FILTER_VALUES:
                raise InvalidParameter(f"{name} may be given at most {MAX_FILTER_VALUES} times.")
            if values:
                filters[name] = values
        sort = args.get("sort", "").strip() or "relevance"
        if sort not in SORTS:
            raise InvalidParameter(f"sort must be one of {', '.join(SORTS)}.")
        params = cls(
            q=q,
            filters=filters,
            date_from=date_arg(args, "from", end=False),
            date_to=date_arg(args, "to", end=True),
            sort=sort,
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
    q = args.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidParameter(f"q must be at most {MAX_QUERY_CHARS} characters long.")
    return q


def int_arg(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return integer parameter `name` (default when absent); InvalidParameter if not in range."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not digits or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def date_arg(args: MultiDict[str, str], name: str, *, end: bool) -> str:
    """Return date parameter `name` as given ("" when absent); InvalidParameter if unreadable."""
    raw = args.get(name, "").strip()
    try:
        parse_date(raw, end=end)
    except QueryError:
        raise InvalidParameter(
            f"{name} must be a date written 2015, 2015-09 or 2015-09-01."
        ) from None
    return raw
