"""Facet counts: how many matching articles each source, section, author, year... holds."""

from __future__ import annotations

from typing import Any

# Facets listed in time order; the others most frequent first, the longest lists cut.
CHRONOLOGICAL = ("year", "month")
MAX_VALUES = 50

FacetCounts = dict[str, list[tuple[str, int]]]


def ordered(name: str, groups: dict[Any, int]) -> list[tuple[str, int]]:
    """Return (value, count) pairs in display order, missing values left out."""
    pairs = [(str(value), count) for value, count in groups.items() if value not in (None, "")]
    if name in CHRONOLOGICAL:
        return sorted(pairs)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0].lower()))[:MAX_VALUES]
