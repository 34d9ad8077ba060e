"""End-to-end tests of `extract_article` on realistic saved pages."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crawler.decode import MAX_HTML_BYTES, decode_html
from crawler.errors import ExtractionError
from crawler.extract import extract_article

Loader = Callable[[str], bytes]

RFERL = "rferl_skip_links_ticker_share_related_cookie.html"
RFERL_URL = "https://www.rferl.org/a/putin-to-visit-ankara/29138316.html"
JSONLD = "jsonld_graph_byline_two_authors_tweet.html"
CYRILLIC = "windows1251_cyrillic_meta_charset.html"
UTF8 = "utf8_without_charset_declaration.html"
BROKEN = "broken_markup_unclosed_tags_byline_list.html"
INDEX = "section_index_page_no_article.html"

BOILERPLATE = (
    "Accessibility links",
    "Skip to",
    "Breaking News",
    "Kremlin Critic Detained",
    "Share on",
    "Print",
    "Related",
    "Erdogan, Putin Agree",
    "Most Popular",
    "Most read",
    "TurkStream",
    "cookie",
    "newsletter",
    "Subscribe",
    "Copyright",
    "©",
    "All Rights Reserved",
    "About Us",
    "Central Asia",
    "window.analytics",
    "position: absolute",
    "Advertisement",
    "Comments",
    "About time too",
    "Photo: City Council",
    "Flooding",
    "Facebook",
    "Port expansion",
)


def assert_paragraphs_in_order(text: str, expected: list[str]) -> None:
    """Assert that `text` is exactly the `expected` paragraphs joined by blank lines."""
    assert text.split("\n\n") == expected


def assert_no_boilerplate(text: str) -> None:
    """Assert that no known furniture string leaked into the body text."""
    leaked = [phrase for phrase in BOILERPLATE if phrase.lower() in text.lower()]
    assert leaked == []


def test_rferl_page_keeps_every_body_paragraph_and_drops_furniture(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(RFERL), f"{RFERL_URL}?utm_source=twitter&gclid=x")

    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Relations between Turkey and Russia are fast improving")
    assert paragraphs[-1] == "With reporting by Reuters, TASS, Interfax, and AP"
    assert len(paragraphs) == 17
    assert_no_boilerplate(article.text)


def test_rferl_page_leaves_out_headline_and_photo_caption(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(RFERL), RFERL_URL)

    assert "Putin To Visit Ankara" not in article.text
    assert "(Right to left:)" not in article.text


def test_rferl_page_metadata(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(RFERL), "https://www.rferl.org/some/old/path")

    assert article.url == RFERL_URL  # relative canonical resolved against the fetch URL
    assert article.title == (
        "Putin To Visit Ankara This Week For Talks With Turkish, Iranian Leaders"
    )
    assert article.source == "RFE/RL"
    assert article.authors == []  # "By RFE/RL" credits an organisation, not a person
    assert article.published == datetime(2018, 4, 2, 11, 41, tzinfo=UTC)
    assert article.language == "en"
    assert article.tags == ["Turkey", "Russia", "Iran"]
    assert article.image_url == "https://www.rferl.org/img/putin-erdogan-rohani.jpg"
    assert article.fetched_at is None


def test_jsonld_graph_page_body(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(JSONLD))

    # The standfirst printed above the body container opens the story, as readers see it.
    assert_paragraphs_in_order(
        article.text,
        [
            "The £40m barrier will protect 3,000 homes along the Ouse.",
            "Councillors voted 31 to 12 on Wednesday night to build a flood barrier along the "
            "riverside, ending a decade of argument over how to protect the city centre.",
            "The barrier, a mix of walls and “demountable” gates, will run for 2.4km.",
            "What happens next",
            "Work is due to start in the spring. The council listed three stages:",
            "Surveys of the river bed",
            "Building the permanent walls",
            "Installing the gates",
            "“This is the most important decision this council has taken in a generation,” "
            "said the council leader.",
            "Delighted the barrier has finally been approved. Residents have waited long enough.",
            "— River Ouse Residents (@OuseResidents) June 3, 2021",
            "Opponents said the cost was too high and that the money should go to upstream "
            "planting instead.",
        ],
    )
    assert_no_boilerplate(article.text)


def test_jsonld_graph_page_metadata_prefers_jsonld(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(JSONLD))

    assert article.url == (
        "https://www.dailyplanet.example/news/2021/06/03/flood-barrier-approved?page=2"
    )
    assert article.title == "City council approves riverside flood barrier"
    assert article.authors == ["Jane Doe", "John Smith"]
    assert article.published == datetime(2021, 6, 3, 18, 5, tzinfo=UTC)
    assert article.modified == datetime(2021, 6, 4, 8, 30, tzinfo=UTC)
    assert article.section == "Local"
    assert article.source == "The Daily Planet"
    assert article.language == "en"
    assert article.description == "The £40m barrier will protect 3,000 homes along the Ouse."
    assert article.tags == ["flooding", "council", "River Ouse", "Local politics"]
    assert article.image_url == "https://cdn.dailyplanet.example/images/barrier-ld.jpg"


def test_windows_1251_page_is_decoded_from_its_meta_charset(page_bytes: Loader) -> None:
    article = extract_article(
        page_bytes(CYRILLIC), "https://sibvesti.example.ru/moroz?utm_medium=x"
    )

    assert article.url == "https://sibvesti.example.ru/moroz"
    assert article.title == "Морозы в Сибири побили рекорд столетия"
    assert article.text.split("\n\n")[0].startswith("В ночь на субботу температура в Якутске")
    assert article.text.endswith(
        "«Мы такого не помним с детства», — рассказала жительница города Мария Петрова."
    )
    assert "Поделиться" not in article.text and "Все права" not in article.text
    assert article.authors == ["Анна Иванова"]
    assert article.source == "Сибирские вести"
    assert article.section == "Погода"
    assert article.language == "ru"
    assert article.published == datetime(2023, 1, 14, 2, 30, tzinfo=UTC)


def test_koi8_page_is_decoded_with_the_caller_supplied_charset(page_bytes: Loader) -> None:
    html = page_bytes(CYRILLIC).decode("windows-1251").replace('charset="windows-1251"', "")
    data = html.encode("koi8-r", "xmlcharrefreplace")  # "—" and "«»" become &#...; references
    article = extract_article(data, "https://sibvesti.example.ru/m", charset="koi8-r")

    assert article.title == "Морозы в Сибири побили рекорд столетия"
    assert "Синоптики предупреждают" in article.text


def test_utf8_page_without_declaration(page_bytes: Loader) -> None:
    article = extract_article(page_bytes(UTF8), "https://zuri.example.ch/cafes?fbclid=IwAR0")

    assert article.url == "https://zuri.example.ch/cafes"
    assert article.title == "Café owners in Zürich celebrate the return of the terrace season"
    assert_paragraphs_in_order(
        article.text,
        [
            "After a long winter, the cafés along the Limmat reopened their terraces on Saturday, "
            "and señoras and herren alike queued for the first crème brûlée of the year.",
            "“It feels like the city is breathing again,” said Jürgen Müller, who has run the "
            "Café Zähringer for twenty-two years.",
            "Prices have risen by about 8 % since last spring, which owners blame on energy "
            "costs – a complaint heard from Łódź to São Paulo.",
        ],
    )
    assert article.source == "zuri.example.ch"  # no declared name: the host stands in
    assert article.language == "en"  # undeclared: detected from the text


def test_broken_markup_page(page_bytes: Loader) -> None:
    url = "https://courier.example/2022/05/06/harbour-strike"
    article = extract_article(page_bytes(BROKEN), url)

    assert_paragraphs_in_order(
        article.text,
        [
            "Dock workers at the harbour voted on Friday to accept a new pay offer, "
            "ending a strike",
            "that had left more than forty ships waiting off the coast.",
            "The deal gives workers a 6 per cent rise this year and another 4 per cent next year.",
            'Union leaders called it "a fair outcome" & said night shifts would resume at once.',
            "Exporters said it would take weeks to clear the backlog of containers.",
            "Some shipments of fruit had already been lost.",
        ],
    )
    assert_no_boilerplate(article.text)
    assert article.title == "Harbour strike ends after nine days"
    assert article.source == "Coastal Courier"
    assert article.authors == ["Anna Petrova", "Ivan Sidorov", "Maria Gonzalez"]
    assert article.published == datetime(2022, 5, 6, tzinfo=UTC)  # from the URL's date path


def test_section_index_page_is_not_an_article(page_bytes: Loader) -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(page_bytes(INDEX), "https://news.example.com/world")


def test_page_without_any_url_asks_for_one(page_bytes: Loader) -> None:
    with pytest.raises(ExtractionError, match="URL"):
        extract_article(page_bytes(UTF8))


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (b"", "empty"),
        ("   \n\t ", "empty"),
        (bytes(range(256)) * 40, "binary"),
        ("Just a line of plain text, with no markup at all.", "no HTML tags"),
        ("<html><body></body></html>", "no article text"),
        ("<?xml version='1.0'?><rss><channel><title>Feed</title></channel></rss>", "article"),
    ],
)
def test_inputs_without_article_raise_extraction_error(html: str | bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_article(html, "https://example.com/a")


def test_deeply_nested_markup_does_not_crash() -> None:
    body = "<div>" * 5000 + "<p>" + "Deeply nested prose survives the walk. " * 5 + "</p>"
    article = extract_article(f"<html><body>{body}</body></html>", "https://example.com/deep")

    assert article.text.startswith("Deeply nested prose survives the walk.")


def test_windows_1252_bytes_are_decoded_from_meta_http_equiv() -> None:
    html = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "<p>\u201cNa\u00efve\u201d caf\u00e9 \u2013 50\u20ac</p>"
    ).encode("windows-1252")

    assert "\u201cNa\u00efve\u201d caf\u00e9 \u2013 50\u20ac" in decode_html(html)


def test_bom_wins_over_declared_charset() -> None:
    html = codecs.BOM_UTF8 + '<meta charset="windows-1251"><p>Grüße</p>'.encode()

    assert "Grüße" in decode_html(html, "koi8-r")


def test_oversized_input_is_capped_before_parsing() -> None:
    html = b"<p>" + "é".encode() * MAX_HTML_BYTES

    text = decode_html(html)
    assert len(text.encode()) <= MAX_HTML_BYTES
    assert re.fullmatch(r"<p>é+", text)


def test_loose_text_with_line_breaks_is_split_on_double_breaks() -> None:
    html = (
        "<html><body><div class='menu'><a href='/'>Home</a> <a href='/n'>News</a></div>"
        "<div id='story'>The ferry service resumed on Monday after a week of storms.<br><br>"
        "Passengers said the crossing was rough<br>but on time.</div></body></html>"
    )

    article = extract_article(html, "https://ferry.example/a")

    assert article.text == (
        "The ferry service resumed on Monday after a week of storms.\n\n"
        "Passengers said the crossing was rough but on time."
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le gouvernement a annoncé mardi de nouvelles mesures pour les entreprises.", "fr"),
        ("Minisitele ya bokonzi ya nzoto alobi ete malali ekiti na mboka mpe bato.", "ln"),
        ("قال الرئيس إن المحادثات ستستمر الأسبوع المقبل في القاهرة وسط توقعات باتفاق.", "ar"),
    ],
)
def test_language_is_detected_when_the_page_declares_none(text: str, language: str) -> None:
    html = f"<html><body><article><h1>T</h1><p>{text}</p><p>{text}</p></article></body></html>"
    assert extract_article(html, "https://n.example/a").language == language


def test_declared_language_wins_over_detection() -> None:
    text = "The minister spoke to reporters in Kinshasa about the new health programme."
    html = f'<html lang="ln"><body><article><p>{text}</p><p>{text}</p></article></body></html>'
    assert extract_article(html, "https://n.example/a").language == "ln"


def test_tweet_inside_a_figure_is_kept_without_its_caption() -> None:
    html = (
        "<html><body><article><p>The club announced the decision on Tuesday evening after "
        "a meeting of the board.</p><figure class='element-tweet'><blockquote "
        "class='twitter-tweet'><p>We thank Steve for his hard work and wish him well.</p>"
        "&mdash; Brackley Town (@BrackleyTownFC)</blockquote><figcaption>Photo: Club</figcaption>"
        "</figure><p>The search for a successor begins at once, the chairman said.</p>"
        "</article></body></html>"
    )
    text = extract_article(html, "https://n.example/a").text
    assert "We thank Steve for his hard work and wish him well." in text
    assert "Photo: Club" not in text
