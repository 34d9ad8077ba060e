"""The export routes: CSV downloads, Atom feeds and the OpenSearch description."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article
from indexer import NewsIndex
from search_ui import exports
from tests.conftest import XSS_TITLE
from tests.search_ui.conftest import served

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
BIG_ARCHIVE_SIZE = 230  # more than two export pages
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'
QUOTED_TITLE = 'He said "no", twice'
SCRIPT_URL = "javascript:alert(document.cookie)"


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of BIG_ARCHIVE_SIZE storm reports, one an hour, report 0 the oldest."""
    path = tmp_path_factory.mktemp("big")
    start = datetime(2022, 1, 1, tzinfo=UTC)
    reports = [
        Article(
            url=f"https://storms.example/{number}",
            title=f"Storm report {number}",
            text=f"A storm hit town number {number} today.",
            published=start + timedelta(hours=number),
            source="Storm Desk",
            language="en",
        )
        for number in range(BIG_ARCHIVE_SIZE)
    ]
    with NewsIndex.open(path, create=True) as index:
        index.add(reports)
    return path


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose metadata tries formula injection, CSV breakage and script links."""
    path = tmp_path_factory.mktemp("hostile")
    hostile = [
        Article(
            url=SCRIPT_URL,
            title=FORMULA_TITLE,
            text="Zebra crossings were repainted.",
            authors=["@admin", "Plain Author"],
            section="-Opinion",
            source="+Wire",
            language="en",
        ),
        Article(
            url="https://quotes.example/1",
            title=QUOTED_TITLE,
            text="Zebra sightings rose.",
            section="\tTabbed",
            published=datetime(2023, 5, 1, tzinfo=UTC),
            language="en",
        ),
    ]
    with NewsIndex.open(path, create=True) as index:
        index.add(hostile)
    return path


@pytest.fixture
def big_client(make_app: Callable[..., Flask], big_archive: Path) -> FlaskClient:
    """A test client of an app over `big_archive`."""
    return make_app(big_archive).test_client()


@pytest.fixture
def hostile_client(make_app: Callable[..., Flask], hostile_archive: Path) -> FlaskClient:
    """A test client of an app over `hostile_archive`."""
    return make_app(hostile_archive).test_client()


def csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    """GET `url`, check it is a CSV download, and return its rows (header first)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="newsarchive-search.csv"'
    )
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def csv_records(client: FlaskClient, url: str) -> list[dict[str, str]]:
    """Return the data rows of the CSV download at `url` as dicts keyed by column."""
    header, *rows = csv_rows(client, url)
    return [dict(zip(header, row, strict=True)) for row in rows]


def json_total(client: FlaskClient, url: str) -> int:
    """Return the total number of matches `/search.json` reports for `url`'s query string."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def feed(client: FlaskClient, url: str) -> ET.Element:
    """GET `url`, check it is an Atom feed, and return its parsed <feed> element."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def link(element: ET.Element, rel: str = "alternate") -> str:
    """Return the href of `element`'s Atom link `rel` (a link without rel is alternate)."""
    (href,) = [
        tag.get("href")
        for tag in element.findall(f"{ATOM}link")
        if tag.get("rel", "alternate") == rel
    ]
    return href


def test_csv_has_the_header_and_columns(client: FlaskClient, articles: list[Article]) -> None:
    header, *rows = csv_rows(client, "/search.csv?q=ankara")
    assert header == list(exports.CSV_COLUMNS) == [
        "id", "url", "title", "source", "section", "authors", "published", "language"
    ]  # fmt: skip
    putin = next(article for article in articles if "ankara" in article.url)
    assert rows == [
        [
            putin.id,
            putin.url,
            putin.title,
            "Example News",
            "World",
            "Jane Doe; Ali Kaya",
            "2018-04-02T00:00:00+00:00",
            "en",
        ]
    ]


def test_csv_leaves_published_empty_when_undated(client: FlaskClient) -> None:
    (record,) = csv_records(client, "/search.csv?q=bokonzi")
    assert (record["title"], record["published"], record["authors"]) == ("Bokonzi ya nzoto", "", "")


def test_csv_streams_every_match_of_the_archive(
    client: FlaskClient, articles: list[Article]
) -> None:
    response = client.get("/search.csv")
    assert response.is_streamed
    response.close()
    ids = [record["id"] for record in csv_records(client, "/search.csv?page=2&per_page=3")]
    assert len(ids) == json_total(client, "/search.json") == len(articles)
    assert sorted(ids) == sorted(article.id for article in articles)


def test_csv_streams_every_page_of_a_big_search(big_client: FlaskClient) -> None:
    records = csv_records(big_client, "/search.csv?q=storm&sort=oldest")
    assert len(records) == json_total(big_client, "/search.json?q=storm") == BIG_ARCHIVE_SIZE
    assert [record["title"] for record in records] == [
        f"Storm report {number}" for number in range(BIG_ARCHIVE_SIZE)
    ]


def test_csv_keeps_the_sort(client: FlaskClient) -> None:
    records = csv_records(client, "/search.csv?q=budget&sort=newest")
    assert [record["title"] for record in records][:2] == [
        "Budget debate, day 12",
        "Budget debate, day 11",
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("author=Nick+Bos", ["Biologist says ants self-medicate"]),
        ("language=ln", ["Bokonzi ya nzoto"]),
        (
            "q=budget&source=Daily+Planet&section=Politics&from=2021-03-05&to=2021-03-07",
            [f"Budget debate, day {day}" for day in (5, 6, 7)],
        ),
        ("year=2018&year=2019", [
            "Putin to visit Ankara for talks with Turkish and Iranian leaders",
            "River floods farmland after record rain",
        ]),
        ("source=Example+News&section=World", [
            "Putin to visit Ankara for talks with Turkish and Iranian leaders"
        ]),
    ],
)  # fmt: skip
def test_csv_respects_the_filters(client: FlaskClient, query: str, titles: list[str]) -> None:
    records = csv_records(client, f"/search.csv?{query}&sort=oldest")
    assert [record["title"] for record in records] == titles


def test_csv_stops_at_the_cap(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 5)
    records = csv_records(client, "/search.csv?q=budget&sort=oldest")
    assert [record["title"] for record in records] == [
        f"Budget debate, day {day}" for day in range(1, 6)
    ]


def test_csv_cap_stops_fetching_pages(
    big_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched: list[int] = []

    def counting_search(params: exports.SearchParams, **options: object) -> object:
        searched.append(params.page)
        return real_search(params, **options)

    real_search = exports.search
    monkeypatch.setattr(exports, "search", counting_search)
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 150)
    assert len(csv_records(big_client, "/search.csv?q=storm")) == 150
    assert searched == [1, 2]


def test_csv_neutralises_formulas_and_quotes_cells(hostile_client: FlaskClient) -> None:
    response = hostile_client.get("/search.csv?q=zebra&sort=oldest")
    body = response.get_data(as_text=True)
    assert '"He said ""no"", twice"' in body
    assert "\r\n=" not in body and ",=" not in body
    header, *rows = csv.reader(io.StringIO(body, newline=""))
    records = [dict(zip(header, row, strict=True)) for row in rows]
    quoted, formula = records  # undated articles sort last
    # Facet values are cleaned when indexed (crawler.facetvalues): a leading tab or
    # dash never reaches the CSV.
    assert (quoted["title"], quoted["section"]) == (QUOTED_TITLE, "Tabbed")
    assert formula["title"] == "'" + FORMULA_TITLE
    assert (formula["source"], formula["section"]) == ("'+Wire", "Opinion")
    assert formula["authors"] == "Plain Author"  # a handle is no author (facet-value rules)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "per_page=abc",
        "sort=random",
        "from=2015-13",
        "from=2020&to=2019",
        "q=" + "a" * 1001,
    ],
)
def test_csv_rejects_bad_parameters(client: FlaskClient, query: str) -> None:
    response = client.get(f"/search.csv?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers


def test_csv_rejects_an_unreadable_query_before_streaming(client: FlaskClient) -> None:
    response = client.get("/search.csv?q=published:notadate")
    assert response.status_code == 400
    assert "Could not read the date" in response.get_data(as_text=True)


def test_atom_feed_lists_the_newest_matches(client: FlaskClient, articles: list[Article]) -> None:
    root = feed(client, "/search.atom?q=budget")
    assert root.findtext(f"{ATOM}title") == "newsarchive: budget"
    assert (
        root.findtext(f"{ATOM}id") == link(root, "self") == "http://localhost/search.atom?q=budget"
    )
    assert link(root) == "http://localhost/search?q=budget"
    assert root.findtext(f"{ATOM}updated") == "2021-03-12T00:00:00+00:00"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        f"Budget debate, day {day}" for day in range(12, 0, -1)
    ]
    first = entries[0]
    day12 = next(article for article in articles if article.url.endswith("2021/03/12/budget"))
    assert link(first) == day12.url
    assert first.findtext(f"{ATOM}id") == f"urn:newsarchive:{day12.id}"
    assert first.findtext(f"{ATOM}published") == "2021-03-12T00:00:00+00:00"
    assert first.findtext(f"{ATOM}updated") == "2021-03-12T00:00:00+00:00"
    summary = first.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text.startswith("Lawmakers argued over the budget on day 12")


def test_atom_feed_names_authors_and_keeps_filters(client: FlaskClient) -> None:
    root = feed(client, "/search.atom?source=Example+News&sort=oldest&page=3")
    assert root.findtext(f"{ATOM}title") == "newsarchive: all articles"
    assert link(root) == "http://localhost/search?source=Example+News&sort=oldest&page=3"
    titles_authors = [
        (
            entry.findtext(f"{ATOM}title"),
            [name.text for name in entry.findall(f"{ATOM}author/{ATOM}name")],
        )
        for entry in root.findall(f"{ATOM}entry")
    ]
    assert titles_authors == [
        (
            "Putin to visit Ankara for talks with Turkish and Iranian leaders",
            ["Jane Doe", "Ali Kaya"],
        ),
        ("Biologist says ants self-medicate", ["Nick Bos"]),
    ]


def test_atom_feed_holds_the_20_newest(big_client: FlaskClient) -> None:
    root = feed(big_client, "/search.atom?q=storm&per_page=5")
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    newest = BIG_ARCHIVE_SIZE - 1
    assert titles == [f"Storm report {number}" for number in range(newest, newest - 20, -1)]


def test_atom_entry_without_a_date_is_still_valid(client: FlaskClient) -> None:
    root = feed(client, "/search.atom?q=bokonzi")
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}published") is None
    assert entry.findtext(f"{ATOM}updated") == root.findtext(f"{ATOM}updated")
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")).tzinfo is not None


def test_atom_feed_of_no_matches_is_empty(client: FlaskClient) -> None:
    root = feed(client, "/search.atom?q=xylophonequartet")
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated")


def test_atom_feed_escapes_hostile_titles_and_snippets(client: FlaskClient) -> None:
    response = client.get("/search.atom?q=zorbatown")
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "<img" not in body and "<mark>" not in body
    (entry,) = ET.fromstring(response.data).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == XSS_TITLE
    assert "<img src=x onerror=alert(1)>" in entry.findtext(f"{ATOM}summary")


def test_atom_never_links_to_script_urls(hostile_client: FlaskClient) -> None:
    response = hostile_client.get("/search.atom?q=zebra")
    root = ET.fromstring(response.data)
    hrefs = [tag.get("href") for tag in root.iter(f"{ATOM}link")]
    assert hrefs and not any("javascript" in href.lower() for href in hrefs)
    formula = next(
        entry
        for entry in root.findall(f"{ATOM}entry")
        if entry.findtext(f"{ATOM}title") == FORMULA_TITLE
    )
    article_id = formula.findtext(f"{ATOM}id").removeprefix("urn:newsarchive:")
    assert link(formula) == f"http://localhost/article/{article_id}"
    assert hostile_client.get(f"/article/{article_id}").status_code == 200


@pytest.mark.parametrize("query", ["sort=random", "year=" + "&year=".join(map(str, range(21)))])
def test_atom_rejects_bad_parameters(client: FlaskClient, query: str) -> None:
    assert client.get(f"/search.atom?{query}").status_code == 400


def test_opensearch_description_has_literal_templates(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.findtext(f"{OPENSEARCH}ShortName") == "newsarchive"
    assert root.findtext(f"{OPENSEARCH}Description")
    assert root.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"
    templates = {url.get("type"): url.get("template") for url in root.findall(f"{OPENSEARCH}Url")}
    assert templates == {
        "text/html": "http://localhost/search?q={searchTerms}",
        "application/json": "http://localhost/search.json?q={searchTerms}",
        "application/atom+xml": "http://localhost/search.atom?q={searchTerms}",
    }


def test_opensearch_templates_lead_to_the_routes(client: FlaskClient) -> None:
    root = ET.fromstring(client.get("/opensearch.xml").data)
    for url in root.findall(f"{OPENSEARCH}Url"):
        path = url.get("template").replace("{searchTerms}", "budget")
        response = client.get(path.removeprefix("http://localhost"))
        assert response.status_code == 200
        assert response.mimetype == url.get("type")


def test_exports_past_the_slots_are_asked_to_retry_while_searches_go_on(
    make_app: Callable[..., Flask], big_archive: Path
) -> None:
    app = make_app(big_archive, TESTING=False, EXPORT_SLOTS=1)
    with served(app) as url:
        slots = app.extensions[exports.SLOTS]
        assert slots.acquire(blocking=False)  # as an export in progress does
        busy = httpx.get(f"{url}/search.csv?q=storm")
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == str(exports.EXPORT_RETRY_AFTER)
        assert "try again in a few seconds" in busy.text
        assert httpx.get(f"{url}/search.json?q=storm").json()["total"] == BIG_ARCHIVE_SIZE
        slots.release()

        for _ in range(3):  # each export, finished or refused as a bad query, frees its slot
            done = httpx.get(f"{url}/search.csv?q=storm")
            assert done.status_code == 200
            assert done.text.count("\r\n") == BIG_ARCHIVE_SIZE + 1
            assert httpx.get(f"{url}/search.csv?q=published:[abc TO def]").status_code == 400

        with httpx.stream("GET", f"{url}/search.csv?q=storm") as cut_off:
            next(cut_off.iter_bytes())  # a client that goes away after the first bytes
        deadline = time.monotonic() + 5
        while not slots.acquire(blocking=False):
            assert time.monotonic() < deadline, "the slot of an abandoned export never came back"
            time.sleep(0.05)
