"""The HTML pages: home, search results, one stored article."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from search_ui.archive import find_article, get_index, search
from search_ui.params import MAX_PAGE, int_arg, query_arg

bp = Blueprint("views", __name__)


@bp.get("/")
def home() -> str:
    """Show the search box, a syntax hint and what the archive holds."""
    return render_template("index.html", stats=get_index().stats())


@bp.get("/search")
def results() -> str:
    """Show one page of results for `q`."""
    q = query_arg(request.args)
    page = int_arg(request.args, "page", default=1, low=1, high=MAX_PAGE)
    found = search(q, page=page, per_page=current_app.config["PER_PAGE"])
    return render_template(
        "search.html", q=q, results=found, window=page_window(found.page, found.pages)
    )


@bp.get("/article/<article_id>")
def article(article_id: str) -> str:
    """Show one stored article with a link to the original."""
    return render_template("article.html", article=find_article(article_id))


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers to link: first, last and `around` either side; None = gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
