"""Paywalled articles kept as teasers: their badge, the access filter and facet, the article
page's note linking to the original, and `access` in the JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article
from crawler.article import Access
from indexer import NewsIndex
from tests.search_ui.test_pages import page, text
from tests.search_ui.test_refine import args, facet

TEASER = Article(
    url="https://paywall.example.com/2024/harbour-<b>deal</b>",
    title="Harbour deal <script>alert(1)</script> struck",
    text="The harbour authority agreed a deal on Monday.",
    source="Paywall Times",
    access=Access.TEASER,
)
FULL = Article(
    url="https://free.example.org/2024/harbour",
    title="Harbour deal explained",
    text="The harbour deal, explained in full.\n\nEvery clause of it.",
    source="Free Press",
)
BADGE = "Teaser: paywalled, only the opening is archived"


@pytest.fixture(scope="module")
def teaser_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of one teaser and one full article about the same deal."""
    path = tmp_path_factory.mktemp("teasers")
    with NewsIndex.open(path, create=True) as index:
        index.add([TEASER, FULL])
    return path


@pytest.fixture
def client(make_app: Callable[..., Flask], teaser_archive: Path) -> FlaskClient:
    return make_app(teaser_archive).test_client()


def _badges(soup: object) -> dict[str, str]:
    """Return each hit's title and its access badge line ("" for none)."""
    found = {}
    for hit in soup.find_all(class_="hit"):  # type: ignore[attr-defined]
        line = hit.find(class_="access")
        found[text(hit.find(class_="hit-title"))] = text(line) if line else ""
    return found


def test_teaser_hits_carry_a_badge(client: FlaskClient) -> None:
    soup = page(client, "/search?q=harbour")
    assert _badges(soup) == {TEASER.title: BADGE, FULL.title: ""}  # the title shown as text
    assert soup.find(class_="badge").string == "Teaser"
    assert soup.find("script", string="alert(1)") is None


def test_access_facet_and_filter(client: FlaskClient) -> None:
    soup = page(client, "/search?q=harbour")
    access = facet(soup, "access")
    assert {label: count for label, (count, _, _) in access.items()} == {
        "Full text": 1,
        "Paywalled (teaser only)": 1,
    }
    only_teasers = access["Paywalled (teaser only)"][1]
    assert args(only_teasers) == {"q": ["harbour"], "access": ["teaser"]}
    filtered = page(client, only_teasers)
    assert list(_badges(filtered)) == [TEASER.title]
    chips = [text(chip) for chip in filtered.find_all(class_="chip")]
    assert chips == ["Access: Paywalled (teaser only) (remove filter) ×"]
    assert list(_badges(page(client, "/search?q=harbour&access=full"))) == [FULL.title]


def test_article_page_says_it_is_a_teaser_and_links_the_original(client: FlaskClient) -> None:
    note = page(client, f"/article/{TEASER.id}").find(class_="paywall-note")
    assert "only the opening" in text(note)
    assert note.find("a")["href"] == TEASER.url
    assert page(client, f"/article/{FULL.id}").find(class_="paywall-note") is None


def test_json_has_access_and_takes_the_filter(client: FlaskClient) -> None:
    data = client.get("/search.json?q=harbour").get_json()
    assert {hit["title"]: hit["access"] for hit in data["hits"]} == {
        TEASER.title: "teaser",
        FULL.title: "full",
    }
    assert data["facets"]["access"] == [
        {"value": "full", "count": 1},
        {"value": "teaser", "count": 1},
    ]
    teasers = client.get("/search.json?q=harbour&access=teaser").get_json()
    assert [hit["id"] for hit in teasers["hits"]] == [TEASER.id]
    assert client.get(f"/article/{TEASER.id}.json").get_json()["access"] == "teaser"


def test_advanced_form_offers_the_access_filter(client: FlaskClient) -> None:
    select = page(client, "/advanced").find("select", id="access")
    options = {option["value"]: text(option) for option in select.find_all("option")}
    assert options == {
        "": "Full text or teaser",
        "full": "Full text",
        "teaser": "Paywalled (teaser only)",
    }
    response = client.get("/advanced?all=harbour&access=teaser")
    assert args(response.headers["Location"]) == {"q": ["+harbour"], "access": ["teaser"]}
