"""Putting matches in order and cutting out one page, near-duplicates collapsed."""

from __future__ import annotations

import numpy as np

from indexer.columns import Columns

# How many more candidates than the page needs to sort first when collapsing copies.
_OVERSHOOT = 4


def page(
    mask: np.ndarray,
    score: np.ndarray,
    columns: Columns,
    sort: str,
    start: int,
    count: int,
    collapse: bool,
) -> np.ndarray:
    """Return the article numbers of matches `start` to `start + count` in `sort` order.

    Relevance ranks by score, ties by article number; `newest` and `oldest` rank undated
    articles last. With `collapse`, only the first article of each near-duplicate key counts.
    """
    docs = np.flatnonzero(mask)
    need = start + count
    keys = columns.values("dupkey").ords if collapse else None
    if sort != "relevance":
        published = columns.numbers("published")[docs]
        undated = columns.numbers("undated")[docs]
        order = np.lexsort((docs, published if sort == "oldest" else ~published, undated))
        return _first_copies(docs[order], keys)[start:need]
    take = need * _OVERSHOOT if collapse else need
    while True:
        ordered = _best(docs, score[docs], take)
        kept = _first_copies(ordered, keys)
        if len(kept) >= need or len(ordered) == len(docs):
            return kept[start:need]
        take *= _OVERSHOOT


def _best(docs: np.ndarray, scores: np.ndarray, take: int) -> np.ndarray:
    """Return at least the `take` best of `docs` by score, best first (ties: lower number)."""
    if take < len(docs):
        threshold = np.partition(scores, len(docs) - take)[len(docs) - take]
        chosen = scores >= threshold
        docs, scores = docs[chosen], scores[chosen]
    return docs[np.lexsort((docs, -scores))]


def _first_copies(ordered: np.ndarray, keys: np.ndarray | None) -> np.ndarray:
    """Return `ordered` without the articles whose near-duplicate key came earlier."""
    if keys is None or not len(ordered):
        return ordered
    found = keys[ordered]
    _unique, first = np.unique(found, return_index=True)
    keep = found < 0  # an article without a key is nobody's copy
    keep[first] = True
    return ordered[keep]
