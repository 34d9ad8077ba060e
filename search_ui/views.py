"""The HTML pages: home, search results, advanced search, one stored article, about."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from indexer import SORTS, SearchResults
from search_ui.advanced import build_query, has_query
from search_ui.archive import FACETS, find_article, get_index, search
from search_ui.captures import latest_capture
from search_ui.filters import value_label
from search_ui.histogram import date_histogram
from search_ui.params import DATE_PATTERN, FILTER_PARAMS, SearchParams

bp = Blueprint("views", __name__)

# Facet values listed in the sidebar before the rest are left out.
SHOWN_VALUES = 8
MORE_LIKE_THIS = 5
FACET_TITLES = {
    "source": "Source",
    "section": "Section",
    "author": "Author",
    "language": "Language",
    "access": "Access",
    "year": "Year",
}
# Bidi embeddings, overrides and isolates: stored text holding one can reorder what follows it.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


@bp.app_context_processor
def link_helpers() -> dict[str, object]:
    """Give templates `search_url(params)` for links that change the search."""
    return {"search_url": search_url}


@bp.app_template_filter()
def isolated(text: str) -> str:
    """Return `text` wrapped in a bidi isolate if it holds bidi controls (for plain-text spots
    such as <title>, where no <bdi> can keep them from reordering the rest)."""
    if BIDI_CONTROLS.search(text):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


@bp.get("/")
def home() -> str:
    """Show the search box, a syntax hint and what the archive holds."""
    return render_template("index.html", stats=get_index().stats())


@bp.get("/search")
def results() -> str:
    """Show one page of results with facets, the active filters and a date histogram."""
    params = SearchParams.from_args(request.args, per_page=current_app.config["PER_PAGE"])
    found = search(params, facets=FACETS)
    return render_template(
        "search.html",
        q=params.q,
        params=params,
        results=found,
        sorts=SORTS,
        facets=facet_lists(params, found),
        chips=active_filters(params),
        histogram=histogram(params, found),
        window=page_window(found.page, found.pages),
    )


@bp.get("/advanced")
def advanced() -> Response | str:
    """Show the form that builds a query for people who do not know the syntax; once filled
    in, send them to the search it describes."""
    if has_query(request.args):
        params = SearchParams.from_args(request.args, per_page=current_app.config["PER_PAGE"])
        return redirect(search_url(params.changed(q=build_query(request.args), page=1)))
    return render_template("advanced.html", stats=get_index().stats(), date_pattern=DATE_PATTERN)


@bp.get("/article/<article_id>")
def article(article_id: str) -> str:
    """Show one stored article, its near-duplicates and articles like it."""
    stored = find_article(article_id)
    index = get_index()
    return render_template(
        "article.html",
        article=stored,
        capture=latest_capture(stored),
        copies=index.duplicates(article_id),
        similar=index.more_like_this(article_id, n=MORE_LIKE_THIS),
    )


@bp.get("/about")
def about() -> str:
    """Show what the archive holds: counts by source, language and year, and its last update."""
    return render_template("about.html", stats=get_index().stats())


def search_url(params: SearchParams) -> str:
    """Return the search page's URL for `params`."""
    query = params.query_string()
    return url_for("views.results") + (f"?{query}" if query else "")


def facet_lists(params: SearchParams, found: SearchResults) -> list[dict[str, object]]:
    """Return each facet of the sidebar: its values with counts, links and whether chosen."""
    lists = []
    for name, facet in FILTER_PARAMS.items():
        counts = found.facets.get(facet, [])
        if name == "year":
            counts = sorted(counts, reverse=True)
        shown = [
            pair for n, pair in enumerate(counts) if n < SHOWN_VALUES or params.has(name, pair[0])
        ]
        values = [
            {
                "value": value,
                "label": value_label(name, value),
                "count": count,
                "chosen": params.has(name, value),
                "url": search_url(params.toggled(name, value)),
            }
            for value, count in shown
        ]
        if values:
            lists.append({"name": name, "title": FACET_TITLES[name], "values": values})
    return lists


def active_filters(params: SearchParams) -> list[dict[str, str]]:
    """Return a removable chip for each active filter value and date bound."""
    chips = [
        {
            "label": f"{FACET_TITLES[name]}: {value_label(name, value)}",
            "url": search_url(params.toggled(name, value)),
        }
        for name, values in params.filters.items()
        for value in values
    ]
    if params.date_from:
        unbounded = params.changed(date_from="", page=1)
        chips.append({"label": f"From {params.date_from}", "url": search_url(unbounded)})
    if params.date_to:
        unbounded = params.changed(date_to="", page=1)
        chips.append({"label": f"To {params.date_to}", "url": search_url(unbounded)})
    return chips


def histogram(params: SearchParams, found: SearchResults) -> Markup:
    """Return the SVG histogram of the matches by year or month, bars narrowing the dates."""

    def narrowed(start: str, end: str) -> str:
        return search_url(params.changed(date_from=start, date_to=end, page=1))

    return date_histogram(found.facets.get("year", []), found.facets.get("month", []), narrowed)


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers to link: first, last and `around` either side; None = gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
