"""The web page and JSON API over a Typesense cluster, as `newsarchive serve --backend
typesense` runs them: the same pages, from the same code, on the other backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from flask import Flask

from crawler import Article
from indexer.backends import Backend
from indexer.typesense_backend import TypesenseIndex
from tests.indexer.typesense_cluster import API_KEY, Cluster
from tests.search_ui.conftest import served


def test_search_page_and_api_on_a_typesense_cluster(
    typesense_cluster: Cluster,
    articles: list[Article],
    make_app: Callable[..., Flask],
    tmp_path: Path,
) -> None:
    backend = Backend("typesense", tuple(typesense_cluster.addresses), API_KEY, "web")
    with TypesenseIndex.open(
        tmp_path, create=True, nodes=backend.nodes, api_key=API_KEY, collection="web"
    ) as index:
        index.add(articles)
    app = make_app(tmp_path, TESTING=False, BACKEND=backend)
    with served(app) as url:
        api = httpx.get(f"{url}/search.json", params={"q": "budget"}).json()
        page = httpx.get(f"{url}/search", params={"q": "budget"})
        article = httpx.get(f"{url}/article/{api['hits'][0]['id']}")
    expected = {a.id for a in articles if "budget" in f"{a.title} {a.text}".lower()}
    assert api["total"] == len(expected) > 0
    assert {hit["id"] for hit in api["hits"]} <= expected
    assert page.status_code == 200 and api["hits"][0]["title"] in page.text
    assert article.status_code == 200
