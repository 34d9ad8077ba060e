"""The HTML pages: home, search results, pagination, articles."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article


def page(client: FlaskClient, url: str, status: int = 200) -> BeautifulSoup:
    """GET `url`, check its status, and return the parsed HTML."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(tag: BeautifulSoup) -> str:
    """Return the visible text of `tag` with whitespace collapsed."""
    return " ".join(tag.get_text().split())


def by_slug(articles: list[Article], slug: str) -> Article:
    """Return the test article whose URL ends with `slug`."""
    return next(article for article in articles if article.url.endswith(slug))


def test_home_has_one_search_box_hint_and_counts(client: FlaskClient) -> None:
    soup = page(client, "/")
    assert soup.title.string == "newsarchive"
    assert soup.html["lang"] == "en"
    forms = soup.find_all("form", role="search")
    assert len(forms) == 1
    assert forms[0]["action"] == "/search"
    field = forms[0].find("input", attrs={"name": "q"})
    assert forms[0].find("label", attrs={"for": field["id"]})
    assert forms[0].find("button")
    content = text(soup)
    assert "Search 17 archived news articles from 3 sources." in content
    for hint in ('"prime minister"', "-poll", " OR ", "title:"):
        assert hint in content
    assert "Daily Planet 14 articles" in content and "VOA Lingala 1 article" in content


def test_layout_is_accessible_and_has_no_inline_code(client: FlaskClient) -> None:
    soup = page(client, "/search?q=ants")
    assert soup.find("a", class_="skip-link")["href"] == "#results"
    assert soup.find(id="results")
    assert soup.find("main", id="main") and soup.header and soup.footer
    assert soup.find("meta", attrs={"name": "viewport"})
    assert soup.find("link", rel="stylesheet")["href"].startswith("/static/style.css?v=")
    assert not soup.find_all("script") and not soup.find_all("style")
    assert not soup.find_all(style=True)
    headings = [int(tag.name[1]) for tag in soup.find_all(["h1", "h2", "h3"])]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))


def test_search_ranks_the_distinctive_article_first(
    client: FlaskClient, articles: list[Article]
) -> None:
    ants = by_slug(articles, "ants")
    soup = page(client, "/search?q=peroxide")
    assert "1 result (" in text(soup.find(class_="summary"))
    first = soup.select_one("ol.hits > li")
    title_link = first.select_one("h3 a")
    assert title_link.get_text() == ants.title
    assert title_link["href"] == ants.url
    assert title_link["rel"] == ["noopener", "noreferrer"]
    assert first.find("a", href=f"/article/{ants.id}")
    meta = text(first.find(class_="meta"))
    assert "Example News" in meta and "Science" in meta and "1 Sep 2015" in meta
    assert "Nick Bos" in meta
    assert first.select_one(".snippet mark").get_text().lower() == "peroxide"


def test_hit_without_date_shows_no_date(client: FlaskClient) -> None:
    soup = page(client, "/search?q=nzoto")
    hit = soup.select_one("ol.hits > li")
    assert hit.find(class_="meta") and not hit.find("time")


def test_results_escape_html_in_titles_and_bodies(client: FlaskClient) -> None:
    html = client.get("/search?q=Zorbatown").get_data(as_text=True)
    assert "<mark>" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_pagination_keeps_the_query(client: FlaskClient) -> None:
    soup = page(client, "/search?q=budget")
    assert len(soup.select("ol.hits > li")) == 10
    nav = soup.find("nav", class_="pagination")
    assert nav.find("a", attrs={"aria-current": "page"}).get_text() == "1"
    assert nav.find("a", rel="next")["href"] == "/search?q=budget&page=2"
    assert not nav.find("a", rel="prev")

    soup = page(client, "/search?q=budget&page=2")
    assert len(soup.select("ol.hits > li")) == 2
    assert soup.select_one("ol.hits")["start"] == "11"
    nav = soup.find("nav", class_="pagination")
    assert nav.find("a", rel="prev")["href"] == "/search?q=budget"
    assert not nav.find("a", rel="next")


def test_page_past_the_end_points_back(client: FlaskClient) -> None:
    soup = page(client, "/search?q=budget&page=9")
    assert not soup.select("ol.hits > li")
    assert "past the last page" in text(soup)


def test_empty_state_suggests_what_to_do(client: FlaskClient) -> None:
    soup = page(client, "/search?q=xylophonic")
    empty = text(soup.find(class_="empty"))
    assert "No articles match xylophonic. Use fewer or more general words" in empty
    assert soup.find(class_="empty").find("a", href="/advanced")


def test_empty_query_lists_every_article(client: FlaskClient) -> None:
    soup = page(client, "/search?q=")
    assert text(soup.find(class_="summary")).startswith("17 results")


def test_config_sets_results_per_page(make_app: Callable[..., Flask], archive_path: Path) -> None:
    soup = page(make_app(archive_path, PER_PAGE=5).test_client(), "/search?q=budget")
    assert len(soup.select("ol.hits > li")) == 5


def test_article_page_shows_the_stored_article(
    client: FlaskClient, articles: list[Article]
) -> None:
    ants = by_slug(articles, "ants")
    soup = page(client, f"/article/{ants.id}")
    assert soup.h1.get_text() == ants.title
    meta = text(soup.find(class_="meta"))
    assert "Example News" in meta and "Science" in meta and "Nick Bos" in meta
    assert soup.find("time")["datetime"].startswith("2015-09-01T08:30")
    assert soup.find(class_="lede").get_text() == ants.description
    assert soup.find("a", href=ants.url)["rel"] == ["noopener", "noreferrer"]
    body = [p.get_text() for p in soup.select(".body p")]
    assert body == ants.text.split("\n\n")
    assert "Wikinews" not in text(soup)


def test_article_page_escapes_html(client: FlaskClient, articles: list[Article]) -> None:
    xss = by_slug(articles, "xss")
    html = client.get(f"/article/{xss.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_wikinews_article_carries_attribution(
    make_app: Callable[..., Flask], wikinews_archive: Path, wikinews_article: Article
) -> None:
    client = make_app(wikinews_archive).test_client()
    soup = page(client, f"/article/{wikinews_article.id}")
    attribution = soup.find(class_="attribution")
    assert text(attribution).startswith("From Wikinews, CC BY 2.5")
    assert attribution.a["href"] == "https://creativecommons.org/licenses/by/2.5/"


def test_unknown_article_is_404(client: FlaskClient) -> None:
    soup = page(client, "/article/0000000000000000", status=404)
    assert "There is no article '0000000000000000'" in text(soup.find(class_="error"))


def test_stylesheet_is_served(client: FlaskClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    response.close()
    assert "prefers-color-scheme: dark" in css and "mark" in css and "system-ui" in css
