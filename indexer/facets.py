"""Facet counts: how many matching articles each source, section, author, year... holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import sorting

from indexer.filters import filter_field

# Facets listed in time order; the others most frequent first, the longest lists cut.
CHRONOLOGICAL = ("year", "month")
MAX_VALUES = 50

FacetCounts = dict[str, list[tuple[str, int]]]


def grouping(names: Iterable[str]) -> dict[str, Any]:
    """Return the Whoosh `groupedby` argument that counts facets `names`."""
    return {
        name: sorting.FieldFacet(filter_field(name), allow_overlap=name in ("authors", "tags"))
        for name in names
    }


def counts(results: Any, names: Iterable[str]) -> FacetCounts:
    """Return the counts of facets `names` from Whoosh `results` grouped by `grouping`."""
    return {name: ordered(name, results.groups(name)) for name in names}


def ordered(name: str, groups: dict[Any, int]) -> list[tuple[str, int]]:
    """Return (value, count) pairs in display order, missing values left out."""
    pairs = [(str(value), count) for value, count in groups.items() if value not in (None, "")]
    if name in CHRONOLOGICAL:
        return sorted(pairs)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0].lower()))[:MAX_VALUES]
