"""The JSON routes: search results and articles, and their error objects."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from crawler import Article


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:
    """GET `url`, check its status and JSON type, and return the decoded body."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_json_has_the_results_shape(client: FlaskClient, articles: list[Article]) -> None:
    data = get_json(client, "/search.json?q=peroxide")
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "pages",
        "took_ms",
        "suggestion",
        "facets",
        "hits",
    }
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("peroxide", 1, 1, 10)
    hit = data["hits"][0]
    ants = next(article for article in articles if article.url.endswith("ants"))
    assert hit["id"] == ants.id and hit["url"] == ants.url
    assert hit["published"] == "2015-09-01T08:30:00+00:00"
    assert "<mark>" in hit["snippet"]


def test_search_json_pages(client: FlaskClient) -> None:
    data = get_json(client, "/search.json?q=budget&page=3&per_page=5")
    assert (data["total"], data["pages"], data["page"], len(data["hits"])) == (12, 3, 3, 2)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "page=-1",
        "page=1.5",
        "page=" + "9" * 5000,
        "per_page=0",
        "per_page=101",
    ],
)
def test_search_json_rejects_bad_numbers(client: FlaskClient, query: str) -> None:
    error = get_json(client, f"/search.json?q=budget&{query}", status=400)["error"]
    assert error["code"] == "invalid_parameter"
    assert "must be a whole number" in error["message"]


def test_search_json_rejects_an_overlong_query(client: FlaskClient) -> None:
    error = get_json(client, "/search.json?q=" + "a" * 1001, status=400)["error"]
    assert error == {
        "code": "invalid_parameter",
        "message": "q must be at most 1000 characters long.",
    }


def test_search_json_rejects_an_unusable_query(client: FlaskClient) -> None:
    error = get_json(client, "/search.json?q=published:[abc TO def]", status=400)["error"]
    assert error["code"] == "invalid_query"
    assert "published:2015" in error["message"]


def test_article_json_is_the_stored_article(client: FlaskClient, articles: list[Article]) -> None:
    article = articles[1]
    assert get_json(client, f"/article/{article.id}.json") == article.to_dict()


def test_unknown_article_json_is_404(client: FlaskClient) -> None:
    error = get_json(client, "/article/nope.json", status=404)["error"]
    assert error["code"] == "not_found" and "nope" in error["message"]
