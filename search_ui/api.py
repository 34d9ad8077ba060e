"""The JSON API: the same searches and articles as the HTML pages, as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search_ui.archive import find_article, search
from search_ui.params import MAX_PAGE, int_arg, query_arg

bp = Blueprint("api", __name__)

MAX_PER_PAGE = 100


@bp.get("/search.json")
def search_json() -> Response:
    """Return one page of results for `q` (`page`, `per_page` up to 100)."""
    q = query_arg(request.args)
    page = int_arg(request.args, "page", default=1, low=1, high=MAX_PAGE)
    per_page = int_arg(request.args, "per_page", default=10, low=1, high=MAX_PER_PAGE)
    return jsonify(search(q, page=page, per_page=per_page).to_dict())


@bp.get("/article/<article_id>.json")
def article_json(article_id: str) -> Response:
    """Return one stored article."""
    return jsonify(find_article(article_id).to_dict())
