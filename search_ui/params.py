"""Reading and checking the query-string parameters the search routes take."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from search_ui.errors import InvalidParameter

MAX_PAGE = 1000


def query_arg(args: MultiDict[str, str]) -> str:
    """Return the stripped `q` parameter ("" when absent; the index checks its length)."""
    return args.get("q", "").strip()


def int_arg(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return integer parameter `name` (default when absent); InvalidParameter if not in range."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not digits or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)
