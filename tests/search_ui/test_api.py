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


@pytest.mark.parametrize(
    "query",
    [
        "source=" + "&source=".join(["Daily Planet"] * 21),  # repeats count
        "section=Politics" + "&section=" * 20,  # blank values count
        "year=" + "&year=".join(str(year) for year in range(2000, 2021)),
    ],
)
def test_search_json_rejects_a_filter_given_over_20_times(client: FlaskClient, query: str) -> None:
    error = get_json(client, f"/search.json?{query}", status=400)["error"]
    assert error["code"] == "invalid_parameter"
    assert "at most 20 times" in error["message"]


def test_search_json_takes_a_filter_given_20_times(client: FlaskClient) -> None:
    query = "source=Daily+Planet" + "&source=" * 18 + "&source=Daily+Planet"
    assert get_json(client, f"/search.json?q=budget&{query}")["total"] == 12


@pytest.mark.parametrize(
    "query",
    [
        "from=2015-09-01T10:00",  # ISO forms the document does not give
        "from=20150901",
        "to=2015-W36",
        "from=%D9%A2%D9%A0%D9%A1%D9%A5",  # 2015 in Arabic-Indic digits
        "from=+2015",
        "to=2015%0A",
        "from=2015-13",
        "to=2015-09-32",
        "from=0000",
    ],
)
def test_search_json_takes_dates_only_as_documented(client: FlaskClient, query: str) -> None:
    error = get_json(client, f"/search.json?{query}", status=400)["error"]
    assert error["message"].endswith("must be a date written 2015, 2015-09 or 2015-09-01.")


@pytest.mark.parametrize(
    "query",
    ["q=+" + "a" * 1000, "q=" + "a" * 1000 + "+", "q=" + "+" * 1001],
)
def test_search_json_counts_spaces_in_the_query_length(client: FlaskClient, query: str) -> None:
    error = get_json(client, f"/search.json?{query}", status=400)["error"]
    assert error["message"] == "q must be at most 1000 characters long."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=+newest", "sort must be one of relevance, newest, oldest."),
        ("page=2+", "page must be a whole number from 1 to 1000."),
        ("per_page=+5", "per_page must be a whole number from 1 to 100."),
    ],
)
def test_search_json_rejects_padded_values(client: FlaskClient, query: str, message: str) -> None:
    assert get_json(client, f"/search.json?{query}", status=400)["error"]["message"] == message


def test_search_json_takes_empty_values_as_defaults(client: FlaskClient) -> None:
    data = get_json(client, "/search.json?q=budget&from=&to=&sort=&page=&per_page=&source=")
    assert (data["total"], data["page"], data["per_page"]) == (12, 1, 10)
    assert [hit["title"] for hit in data["hits"]] == [
        hit["title"] for hit in get_json(client, "/search.json?q=budget")["hits"]
    ]
