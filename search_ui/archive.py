"""The app's one shared `NewsIndex` (opened on first use, reused by every request)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app
from werkzeug.exceptions import NotFound

from indexer import ArticleNotFoundError, NewsIndex, QueryError, SearchResults
from search_ui.errors import InvalidQuery
from search_ui.params import FILTER_PARAMS, SearchParams

if TYPE_CHECKING:
    from crawler import Article

EXTENSION = "newsarchive"
# Facets the search page counts: one per filter parameter, plus months for the histogram.
FACETS = (*FILTER_PARAMS.values(), "month")


@dataclass
class _ArchiveState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    index: NewsIndex | None = None


def init_archive(app: Flask) -> None:
    """Prepare `app` to open its archive lazily."""
    app.extensions[EXTENSION] = _ArchiveState()


def get_index() -> NewsIndex:
    """Return the current app's index, opening it on first use (ArchiveNotFoundError if none)."""
    state: _ArchiveState = current_app.extensions[EXTENSION]
    with state.lock:
        if state.index is None:
            state.index = NewsIndex.open(
                current_app.config["ARCHIVE"],
                readonly=True,
                backend=current_app.config.get("BACKEND"),  # None: from the environment
            )
        return state.index


def close_archive(app: Flask) -> None:
    """Close `app`'s index if it was opened; the next request opens it again."""
    state: _ArchiveState = app.extensions[EXTENSION]
    with state.lock:
        if state.index is not None:
            state.index.close()
            state.index = None


def search(
    params: SearchParams,
    facets: Sequence[str] = FACETS,
    collapse: bool = True,
    highlight: bool = True,
) -> SearchResults:
    """Run the search `params` state; a query the index cannot read becomes InvalidQuery (400)."""
    try:
        return get_index().search(
            params.q,
            filters=params.index_filters(),
            date_from=params.date_from or None,
            date_to=params.date_to or None,
            sort=params.sort,
            page=params.page,
            per_page=params.per_page,
            facets=facets,
            collapse=collapse,
            highlight=highlight,
        )
    except QueryError as error:
        raise InvalidQuery(str(error)) from error


def find_article(article_id: str) -> Article:
    """Return the stored article `article_id`, or raise NotFound (404)."""
    try:
        return get_index().get(article_id)
    except ArticleNotFoundError as error:
        shown = article_id if len(article_id) <= 80 else f"{article_id[:80]}…"
        raise NotFound(f"There is no article {shown!r} in this archive.") from error
