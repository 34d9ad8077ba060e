"""Filters, date ranges and sort orders of a search, as Whoosh queries and facets."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time

from whoosh.query import And, DateRange, Or, Query, Term

from indexer.errors import QueryError
from indexer.schema import FACET_FIELDS

SORTS = ("relevance", "newest", "oldest")
# Filter names people use beside the facet names (the web page's `author=`, `tag=`).
FILTER_ALIASES = {"author": "authors", "tag": "tags"}
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")

Filters = Mapping[str, str | Iterable[str]]


def filter_field(name: str) -> str:
    """Return the index field behind filter or facet `name`; QueryError for unknown names."""
    name = FILTER_ALIASES.get(name, name)
    if name not in FACET_FIELDS:
        known = ", ".join(sorted(FACET_FIELDS))
        raise QueryError(f"Unknown filter {name!r}: use one of {known}.")
    return FACET_FIELDS[name]


def filter_query(
    filters: Filters | None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> Query | None:
    """Return the query every result must match (values OR-ed within a field, fields AND-ed)."""
    chosen = list(filter_parts(filters, date_from, date_to).values())
    if not chosen:
        return None
    return chosen[0] if len(chosen) == 1 else And(chosen)


def filter_parts(
    filters: Filters | None, date_from: date | str | None = None, date_to: date | str | None = None
) -> dict[str, Query]:
    """Return the query each filtered index field must match ("published" for the dates)."""
    parts: dict[str, Query] = {}
    for name, values in (filters or {}).items():
        field = filter_field(name)
        chosen = [values] if isinstance(values, str) else [str(v) for v in values]
        chosen = [value for value in chosen if value]
        if chosen:
            values_query = Or([Term(field, value) for value in chosen])
            parts[field] = And([parts[field], values_query]) if field in parts else values_query
    start, end = parse_date(date_from, end=False), parse_date(date_to, end=True)
    if start and end and start > end:
        raise QueryError("The start of the date range is after its end: swap them.")
    if start or end:
        parts["published"] = DateRange("published", start, end)  # read on the date column
    return parts


def parse_date(value: date | str | None, *, end: bool) -> datetime | None:
    """Return `value` (a date, datetime, or "2015", "2015-09", "2015-09-01") as naive UTC;
    a partial date stands for its first moment, or its last with `end`."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        try:
            moment = value.astimezone(UTC) if value.tzinfo else value
        except OverflowError:
            raise QueryError(f"{value.isoformat()} is out of the range of dates.") from None
        return moment.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time.max if end else time.min)
    match = _PARTIAL_DATE.fullmatch(value.strip())
    if not match:
        try:
            return parse_date(datetime.fromisoformat(value.strip()), end=end)
        except ValueError:
            pass
        raise QueryError(f"Could not read the date {value!r}: write 2015, 2015-09 or 2015-09-01.")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if end:
            month = month or 12
            day = day or calendar.monthrange(year, month)[1]
            return datetime.combine(date(year, month, day), time.max)
        return datetime(year, month or 1, day or 1)
    except ValueError:
        raise QueryError(f"{value!r} is not a real date.") from None
