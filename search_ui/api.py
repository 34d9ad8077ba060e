"""The JSON API: the same searches and articles as the HTML pages, as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search_ui.archive import FACETS, find_article, search
from search_ui.params import SearchParams

bp = Blueprint("api", __name__)


@bp.get("/search.json")
def search_json() -> Response:
    """Return one page of results with facet counts, for the same parameters as `/search`."""
    params = SearchParams.from_args(request.args)
    return jsonify(search(params, facets=FACETS).to_dict())


@bp.get("/article/<article_id>.json")
def article_json(article_id: str) -> Response:
    """Return one stored article."""
    return jsonify(find_article(article_id).to_dict())
