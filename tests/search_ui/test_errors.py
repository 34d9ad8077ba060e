"""Error pages, the missing-archive page and the security headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article
from indexer import NewsIndex
from search_ui import SECURITY_HEADERS


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=1001", "page=%EF%BC%91"])
def test_bad_page_is_400_with_a_clear_message(client: FlaskClient, query: str) -> None:
    response = client.get(f"/search?q=budget&{query}")
    assert response.status_code == 400
    assert "page must be a whole number from 1 to 1000." in response.get_data(as_text=True)


def test_overlong_query_is_400_saying_the_limit(client: FlaskClient) -> None:
    response = client.get("/search?q=" + "a" * 1001)
    assert response.status_code == 400
    assert "q must be at most 1000 characters long." in response.get_data(as_text=True)


def test_unusable_query_is_400_with_the_index_message(client: FlaskClient) -> None:
    response = client.get("/search?q=published:[abc TO def]")
    assert response.status_code == 400
    assert "write dates as published:2015" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ['"ants', "title:(", "(ants", "ants)", "AND", "published:abc"])
def test_odd_queries_never_fail(client: FlaskClient, query: str) -> None:
    assert client.get("/search", query_string={"q": query}).status_code in (200, 400)


def test_unknown_page_is_a_styled_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1" in html and "Not Found" in html and "/static/style.css" in html
    assert client.get("/no/such/page.json").get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/search")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.fixture
def failing_app(make_app: Callable[..., Flask], archive_path: Path) -> Flask:
    """An app (not in testing mode) with routes that crash."""
    app = make_app(archive_path, TESTING=False)

    def crash() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule("/crash", view_func=crash)
    app.add_url_rule("/crash.json", endpoint="crash_json", view_func=crash)
    return app


def test_crash_is_a_500_page_without_details(failing_app: Flask) -> None:
    client = failing_app.test_client()
    response = client.get("/crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Internal Server Error" in html and "secret detail" not in html
    response = client.get("/crash.json")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_server_error"


@pytest.mark.parametrize(
    "url", ["/", "/search?q=ants", "/search.json?q=ants", "/nope", "/search?page=0"]
)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/search?q=ants", "/article/abc"])
def test_missing_archive_is_503_with_instructions(
    make_app: Callable[..., Flask], tmp_path: Path, url: str
) -> None:
    response = make_app(tmp_path / "missing").test_client().get(url)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert f"No archive at {tmp_path / 'missing'}" in html
    assert "newsarchive crawl SOURCE --archive" in html
    assert response.headers["X-Frame-Options"] == "DENY"


def test_missing_archive_json_is_503(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    error = make_app(tmp_path).test_client().get("/search.json?q=x").get_json()["error"]
    assert error["code"] == "archive_not_found" and str(tmp_path) in error["message"]


def test_archive_built_after_start_is_picked_up(
    make_app: Callable[..., Flask], tmp_path: Path, wikinews_article: Article
) -> None:
    client = make_app(tmp_path).test_client()
    assert client.get("/").status_code == 503
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add([wikinews_article])
    assert client.get("/").status_code == 200


def test_one_index_is_shared_by_requests(app: Flask, articles: list[Article]) -> None:
    client = app.test_client()
    client.get("/")
    index = app.extensions["newsarchive"].index
    client.get(f"/article/{articles[0].id}")
    assert app.extensions["newsarchive"].index is index
