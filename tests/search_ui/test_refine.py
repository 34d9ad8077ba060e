"""Refining a search on the results page: facets, filter chips, sorting, dates, advanced form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article
from indexer import NewsIndex
from tests.search_ui.test_pages import page, text

DUPES = Path(__file__).resolve().parent.parent / "indexer" / "fixtures" / "dupes"


def facet(soup: BeautifulSoup, name: str) -> dict[str, tuple[int, str, bool]]:
    """Return facet `name` of the sidebar: value -> (count, link, chosen)."""
    section = soup.find(id=f"facet-{name}").find_parent("section")
    found = {}
    for link in section.find_all("a"):
        value = text(link.find(class_="value")).removeprefix("✓ ")
        count = int(text(link.find(class_="count")).replace(",", ""))
        found[value] = (count, link["href"], "chosen" in link.get("class", []))
    return found


def args(url: str) -> dict[str, list[str]]:
    """Return the query-string parameters of `url`."""
    return parse_qs(urlsplit(url).query)


def test_facets_count_every_match_and_link_to_filters(client: FlaskClient) -> None:
    soup = page(client, "/search?q=")
    sources = facet(soup, "source")
    assert {name: count for name, (count, _, _) in sources.items()} == {
        "Daily Planet": 14,
        "Example News": 2,
        "VOA Lingala": 1,
    }
    assert args(sources["Example News"][1]) == {"source": ["Example News"]}
    years = facet(soup, "year")
    assert list(years)[:2] == ["2021", "2020"]  # newest first
    assert years["2021"][0] == 12


def test_choosing_a_facet_value_filters_and_shows_a_removable_chip(client: FlaskClient) -> None:
    soup = page(client, "/search?q=&source=Example+News")
    assert text(soup.find(class_="summary")).startswith("2 results")
    sources = facet(soup, "source")
    count, remove, chosen = sources["Example News"]
    assert chosen and count == 2
    assert "source" not in args(remove)
    # The source facet still lists the alternatives (it ignores its own filter).
    assert sources["Daily Planet"][0] == 14
    assert args(sources["Daily Planet"][1])["source"] == ["Example News", "Daily Planet"]
    chip = soup.find("ul", class_="chips").find("a", class_="chip")
    assert text(chip).startswith("Source: Example News")
    assert "source" not in args(chip["href"])


def test_values_of_one_facet_are_ored_and_facets_anded(client: FlaskClient) -> None:
    both = page(client, "/search?source=Example+News&source=VOA+Lingala")
    assert text(both.find(class_="summary")).startswith("3 results")
    narrowed = page(client, "/search?source=Example+News&source=VOA+Lingala&section=World")
    assert text(narrowed.find(class_="summary")).startswith("1 result")


def test_sort_links_keep_the_search_and_mark_the_current_order(client: FlaskClient) -> None:
    soup = page(client, "/search?q=budget&section=Politics&sort=newest")
    links = {text(a): a for a in soup.find("nav", class_="sorts").find_all("a")}
    assert links["Newest"]["aria-current"] == "true"
    assert args(links["Oldest"]["href"]) == {
        "q": ["budget"],
        "section": ["Politics"],
        "sort": ["oldest"],
    }
    titles = [text(h) for h in soup.select("ol.hits h3")]
    assert titles[0] == "Budget debate, day 12"


def test_date_range_filters_and_the_histogram_narrows_it(client: FlaskClient) -> None:
    soup = page(client, "/search?q=&from=2018&to=2019")
    assert text(soup.find(class_="summary")).startswith("2 results")
    chips = [text(a) for a in soup.select("ul.chips a.chip")]
    assert any(chip.startswith("From 2018") for chip in chips)
    assert any(chip.startswith("To 2019") for chip in chips)
    histogram = page(client, "/search?q=").find("svg", class_="histogram")
    bars = {a["aria-label"]: a["href"] for a in histogram.find_all("a")}
    assert args(bars["2021: 12 articles"]) == {"from": ["2021"], "to": ["2021"]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=best", "sort must be one of relevance, newest, oldest."),
        ("from=last+week", "from must be a date written 2015, 2015-09 or 2015-09-01."),
        ("from=2020&to=2019", "from must not be after to."),
        ("per_page=500", "per_page must be a whole number from 1 to 100."),
        ("&".join(f"source=s{n}" for n in range(21)), "source may be given at most 20 times."),
    ],
)
def test_bad_parameters_are_400_with_one_error_shape(
    client: FlaskClient, query: str, message: str
) -> None:
    html = client.get(f"/search?{query}")
    assert html.status_code == 400 and message in html.get_data(as_text=True)
    response = client.get(f"/search.json?{query}")
    assert response.status_code == 400
    assert response.get_json() == {"error": {"code": "invalid_parameter", "message": message}}


def test_json_takes_the_same_filters_and_counts_facets(client: FlaskClient) -> None:
    data = client.get("/search.json?source=Example+News&sort=oldest").get_json()
    assert data["total"] == 2
    assert [hit["source"] for hit in data["hits"]] == ["Example News", "Example News"]
    assert data["hits"][0]["published"] < data["hits"][1]["published"]
    sources = {pair["value"]: pair["count"] for pair in data["facets"]["source"]}
    assert sources == {"Daily Planet": 14, "Example News": 2, "VOA Lingala": 1}


def test_did_you_mean_links_to_the_respelt_search(client: FlaskClient) -> None:
    soup = page(client, "/search?q=budgett&section=Politics")
    link = soup.find(class_="suggestion").find("a")
    assert args(link["href"]) == {"q": ["budget"], "section": ["Politics"]}


def test_advanced_form_builds_the_query_and_keeps_the_filters(client: FlaskClient) -> None:
    soup = page(client, "/advanced")
    form = soup.find("form", class_="advanced")
    for name in ("all", "phrase", "any", "none", "title_only", "source", "author", "from", "to"):
        field = form.find(attrs={"name": name})
        assert field is not None and form.find("label", attrs={"for": field["id"]})
    sources = [option["value"] for option in form.find("select", id="source").find_all("option")]
    assert "Daily Planet" in sources
    response = client.get(
        "/advanced?all=budget+debate&phrase=session+ran&any=lawmakers+late&none=weather+(rain)"
        "&source=Daily+Planet&from=2021&sort=newest"
    )
    assert response.status_code == 302
    target = args(response.headers["Location"])
    assert target["q"] == ['+budget +debate +"session ran" +(lawmakers OR late) -weather -rain']
    assert (target["source"], target["from"], target["sort"]) == (
        ["Daily Planet"],
        ["2021"],
        ["newest"],
    )
    found = page(client, response.headers["Location"])
    assert text(found.find(class_="summary")).startswith("12 results")


def test_advanced_title_only_searches_headlines(client: FlaskClient) -> None:
    response = client.get("/advanced?all=ants&title_only=1")
    assert args(response.headers["Location"])["q"] == ["+title:ants"]


def test_about_page_counts_by_source_language_and_year(client: FlaskClient) -> None:
    soup = page(client, "/about")
    content = text(soup)
    assert "17 articles, last added" in content
    tables = {text(t.find_previous("h2")): t for t in soup.find_all("table")}
    rows = [[text(td) for td in tr.find_all("td")] for tr in tables["By year"].select("tbody tr")]
    assert ["2021", "12"] in rows
    assert ["ln", "1"] in [
        [text(td) for td in tr.find_all("td")] for tr in tables["By language"].select("tbody tr")
    ]


def test_article_page_lists_articles_like_it(client: FlaskClient) -> None:
    soup = page(client, "/search?q=budget+debate+day+4")
    first = soup.select_one("ol.hits > li")
    more = first.find("a", href=lambda href: href.endswith("#more-like-this"))
    assert more["href"].endswith("#more-like-this")
    article = page(client, more["href"].split("#")[0])
    section = article.find(id="more-like-this")
    titles = [text(a) for a in section.find_all("a")]
    assert titles and all(title.startswith("Budget debate") for title in titles)
    assert text(article.find("h1")) not in titles


def test_wire_copies_fold_into_one_hit_listed_on_its_article_page(
    tmp_path: Path, make_app: Callable[..., Flask]
) -> None:
    story = DUPES / "quake"
    copies = [
        Article(
            url=f"https://site{n}.example/quake",
            title=f"Earthquake report {n}",
            text=(story / name).read_text(),
            source=f"Site {n}",
            language="en",
        )
        for n, name in enumerate(["original.txt", "dup-boilerplate.txt", "dup-typos.txt"])
    ]
    with NewsIndex.open(tmp_path, create=True) as index:
        index.add(copies)
    client = make_app(tmp_path).test_client()
    soup = page(client, "/search?q=earthquake")
    hits = soup.select("ol.hits > li")
    assert len(hits) == 1
    similar = hits[0].find("a", href=lambda href: href.endswith("#copies"))
    assert text(similar).startswith("2 similar stories")
    listed = page(client, similar["href"].split("#")[0]).find(id="copies")
    assert len(listed.select("li")) == 2
    every = client.get("/search.json?q=earthquake").get_json()
    assert every["total"] == 3 and len(every["hits"]) == 1
    assert every["hits"][0]["duplicates"] == 2
