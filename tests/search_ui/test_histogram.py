"""The search page's server-side SVG date histogram."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from search_ui.histogram import MAX_BARS, PLOT_HEIGHT, TITLE_ID, date_histogram

SVG = "{http://www.w3.org/2000/svg}"


def link(date_from: str, date_to: str) -> str:
    return f"/search?q=rain&from={date_from}&to={date_to}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(svg: ET.Element) -> list[tuple[str, float, str | None]]:
    """(class, height, href or None) of every bar, left to right."""
    found = []
    for element in svg:
        if element.tag == f"{SVG}a":
            rect = element.find(f"{SVG}rect")
            found.append((rect.get("class"), float(rect.get("height")), element.get("href")))
        elif element.tag == f"{SVG}rect":
            found.append((element.get("class"), float(element.get("height")), None))
    return found


def labels(svg: ET.Element) -> list[str]:
    return [a.get("aria-label") for a in svg.iter(f"{SVG}a")]


def test_years_fill_gaps_with_empty_bars() -> None:
    svg = parse(date_histogram([("2012", 4), ("2015", 2)], [], link))
    assert svg.get("class") == "histogram"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox")
    assert svg.get("aria-labelledby") == TITLE_ID
    title = svg.find(f"{SVG}title")
    assert title.get("id") == TITLE_ID and title.text == "Matches by year"
    assert [(cls, href) for cls, _, href in bars(svg)] == [
        ("bar", link("2012", "2012")),
        ("bar bar-empty", None),
        ("bar bar-empty", None),
        ("bar", link("2015", "2015")),
    ]
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["2012", "2015"]


def test_leading_and_trailing_zero_counts_are_trimmed() -> None:
    svg = parse(date_histogram([("2010", 0), ("2011", 5), ("2012", 0)], [], link))
    assert labels(svg) == ["2011: 5 articles"]
    assert len(bars(svg)) == 1


def test_short_span_is_drawn_by_month() -> None:
    months = [("2014-11", 3), ("2015-02", 6)]
    svg = parse(date_histogram([("2014", 3), ("2015", 6)], months, link))
    assert svg.find(f"{SVG}title").text == "Matches by month"
    assert [href for _, _, href in bars(svg)] == [
        link("2014-11", "2014-11"),
        None,
        None,
        link("2015-02", "2015-02"),
    ]
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["2014-11", "2015-02"]


def test_24_months_is_short_but_25_is_not() -> None:
    years = [("2013", 1), ("2014", 1), ("2015", 1)]
    by_month = date_histogram(years, [("2013-01", 1), ("2014-12", 1)], link)
    assert len(bars(parse(by_month))) == 24
    by_year = parse(date_histogram(years, [("2013-01", 1), ("2015-01", 1)], link))
    assert by_year.find(f"{SVG}title").text == "Matches by year"
    assert len(bars(by_year)) == 3


def test_heights_are_proportional_and_the_tallest_fills_the_plot() -> None:
    svg = parse(date_histogram([("2001", 10), ("2002", 5), ("2003", 0), ("2004", 1)], [], link))
    heights = [height for _, height, _ in bars(svg)]
    assert heights == [PLOT_HEIGHT, PLOT_HEIGHT / 2, 0, PLOT_HEIGHT / 10]
    rects = list(svg.iter(f"{SVG}rect"))
    assert all(float(r.get("y")) + float(r.get("height")) == PLOT_HEIGHT for r in rects)


def test_a_tiny_count_stays_visible() -> None:
    svg = parse(date_histogram([("2001", 100_000), ("2002", 1)], [], link))
    assert [height for _, height, _ in bars(svg)] == [PLOT_HEIGHT, 1]


def test_zero_count_bars_are_not_links() -> None:
    svg = parse(date_histogram([("2001", 2), ("2002", 0), ("2003", 7)], [], link))
    assert [href for _, _, href in bars(svg)] == [link("2001", "2001"), None, link("2003", "2003")]
    assert len(list(svg.iter(f"{SVG}a"))) == 2


def test_links_come_from_link_and_are_escaped() -> None:
    markup = date_histogram([("2015", 1)], [], link)
    assert 'href="/search?q=rain&amp;from=2015&amp;to=2015"' in markup
    assert "&from" not in markup
    assert parse(markup).find(f"{SVG}a").get("href") == "/search?q=rain&from=2015&to=2015"


def test_link_receives_the_bar_range() -> None:
    calls = []

    def recording_link(date_from: str, date_to: str) -> str:
        calls.append((date_from, date_to))
        return "/"

    date_histogram([], [("2020-03", 1), ("2020-05", 2)], recording_link)
    assert calls == [("2020-03", "2020-03"), ("2020-05", "2020-05")]


def test_aria_labels_and_titles_say_article_or_articles() -> None:
    svg = parse(date_histogram([("2014", 1), ("2015", 12), ("2016", 1234)], [], link))
    expected = ["2014: 1 article", "2015: 12 articles", "2016: 1,234 articles"]
    assert labels(svg) == expected
    assert [a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")] == expected


def test_empty_input_gives_empty_markup() -> None:
    for result in (
        date_histogram([], [], link),
        date_histogram([("2015", 0)], [("2015-01", 0)], link),
    ):
        assert isinstance(result, Markup)
        assert result == ""


def test_script_in_hrefs_and_values_never_reaches_the_output() -> None:
    def hostile_link(date_from: str, date_to: str) -> str:
        return f'/search?q="><script>alert(1)</script>&from={date_from}'

    markup = date_histogram([("<script>alert(1)</script>", 9), ("2015", 3)], [], hostile_link)
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup and "&#34;&gt;" in markup
    svg = parse(markup)
    assert labels(svg) == ["2015: 3 articles"]  # a facet value that is not a year is skipped
    assert svg.find(f"{SVG}a").get("href") == hostile_link("2015", "2015")


def test_no_inline_styles_or_scripts() -> None:
    markup = date_histogram([("1990", 3), ("2020", 5)], [], link)
    assert "style=" not in markup and "<script" not in markup and "fill=" not in markup


def test_bar_count_is_capped_keeping_the_latest_years() -> None:
    svg = parse(date_histogram([("1900", 1), ("2020", 2)], [], link))
    found = bars(svg)
    assert len(found) == MAX_BARS == 60
    assert found[-1][2] == link("2020", "2020")
    assert all(href is None for _, _, href in found[:-1])  # 1900 fell off the start
    assert [t.text for t in svg.iter(f"{SVG}text")] == [str(2020 - MAX_BARS + 1), "2020"]
