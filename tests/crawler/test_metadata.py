"""Tests of the metadata helpers: credits, dates, languages, titles, URLs, JSON-LD."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from crawler import Article
from crawler.dates import parse_date
from crawler.facetvalues import (
    clean_author,
    clean_section,
    clean_source,
    normalise_facets,
)
from crawler.metadata import (
    Metadata,
    extract_metadata,
    is_person,
    normalise_language,
    split_names,
    strip_site_name,
)
from crawler.urls import strip_tracking


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        (
            "Anna Petrova, Ivan Sidorov and Maria Gonzalez",
            ["Anna Petrova", "Ivan Sidorov", "Maria Gonzalez"],
        ),
        ("BY JANE DOE & JOHN SMITH", ["Jane Doe", "John Smith"]),
        ("  Written by\n  Kim Lee ", ["Kim Lee"]),
    ],
)
def test_split_names(credit: str, names: list[str]) -> None:
    assert split_names(credit) == names


@pytest.mark.parametrize(
    "credit",
    ["Wikinews contributors", "VOA Lingala", "Reuters", "Staff", "AP", "The Daily Planet"],
)
def test_organisation_credits_are_not_people(credit: str) -> None:
    assert not is_person(credit, ["The Daily Planet"])


@pytest.mark.parametrize("name", ["Jane Doe", "Анна Иванова", "Jean-Luc O'Neill"])
def test_personal_names_are_people(name: str) -> None:
    assert is_person(name, ["The Daily Planet"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-03T14:05:00-04:00", datetime(2021, 6, 3, 18, 5, tzinfo=UTC)),
        ("2021-06-03T14:05:00Z", datetime(2021, 6, 3, 14, 5, tzinfo=UTC)),
        ("2021-06-03T14:05:00+0200", datetime(2021, 6, 3, 12, 5, tzinfo=UTC)),
        ("2021-06-03 14:05", datetime(2021, 6, 3, 14, 5, tzinfo=UTC)),
        ("2015-09-01", datetime(2015, 9, 1, tzinfo=UTC)),
        ("Thu, 03 Jun 2021 14:05:00 GMT", datetime(2021, 6, 3, 14, 5, tzinfo=UTC)),
        ("Tuesday, September 1, 2015", datetime(2015, 9, 1, tzinfo=UTC)),
        ("Updated 3 June 2021, 2:05 pm", datetime(2021, 6, 3, 14, 5, tzinfo=UTC)),
        ("1850-01-01", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_dates_in_the_future_are_rejected() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)

    assert parse_date("2024-01-01T20:00:00Z", now=now) is not None
    assert parse_date((now + timedelta(days=3)).isoformat(), now=now) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [("en-US", "en"), ("en_GB", "en"), ("RU", "ru"), ("eng", "en"), ("sn_ZW", "sn"), ("", "")],
)
def test_normalise_language(value: str, code: str) -> None:
    assert normalise_language(value) == code


@pytest.mark.parametrize(
    ("title", "sites", "clean"),
    [
        ("Putin To Visit Ankara - RFE/RL", ["RFE/RL"], "Putin To Visit Ankara"),
        ("Floods hit north | BBC News", ["BBC News"], "Floods hit north"),
        ("Ants - Wikinews, the free news source", ["Wikinews"], "Ants"),
        ("Frost — Сибирские вести", ["Сибирские вести"], "Frost"),
        ("BBC News :: Floods hit north", ["BBC"], "Floods hit north"),
        ("Putin - Erdogan talks resume", ["RFE/RL"], "Putin - Erdogan talks resume"),
    ],
)
def test_strip_site_name(title: str, sites: list[str], clean: str) -> None:
    assert strip_site_name(title, sites)[0] == clean


def test_strip_tracking_keeps_other_parameters_untouched_and_drops_the_fragment() -> None:
    url = "https://a.example/x?id=5&utm_source=tw&q=a%20b&fbclid=1&gclid=2#part"

    assert strip_tracking(url) == "https://a.example/x?id=5&q=a%20b"


def _metadata(head: str, body: str = "", url: str | None = "https://news.example/a") -> Metadata:
    return extract_metadata(BeautifulSoup(f"<html>{head}<body>{body}</body></html>", "lxml"), url)


def test_jsonld_list_with_organisation_author_gives_no_people() -> None:
    meta = _metadata(
        """<head><script type="application/ld+json">[
        {"@type": "WebSite", "name": "Wikinews"},
        {"@type": "NewsArticle", "headline": "Ants self-medicate",
         "author": {"@type": "Organization", "name": "Wikinews contributors"},
         "publisher": {"@type": "Organization", "name": "Wikinews"},
         "inLanguage": "en", "datePublished": "2015-09-01T00:00:00Z"}]</script></head>""",
        '<span class="byline">By <span class="author">Wikinews contributors</span></span>',
    )

    assert meta.title == "Ants self-medicate"
    assert meta.authors == []
    assert meta.source == "Wikinews"
    assert meta.language == "en"
    assert meta.published == datetime(2015, 9, 1, tzinfo=UTC)


def test_invalid_jsonld_is_skipped_for_meta_tags() -> None:
    meta = _metadata(
        """<head><script type="application/ld+json">{"@type": "NewsArticle", </script>
        <meta property="og:title" content="Harbour reopens">
        <meta property="og:locale" content="fr_FR">
        <meta property="article:published_time" content="2020-02-02T10:00:00+01:00"></head>"""
    )

    assert meta.title == "Harbour reopens"
    assert meta.language == "fr"
    assert meta.published == datetime(2020, 2, 2, 9, 0, tzinfo=UTC)


def test_microdata_and_time_element_fill_in_missing_meta() -> None:
    meta = _metadata(
        "<head><title>Dam plan</title></head>",
        """<article itemscope itemtype="https://schema.org/NewsArticle">
        <h1 itemprop="headline">Dam plan approved</h1>
        <span itemprop="author" itemscope><span itemprop="name">Kim Lee</span></span>
        <span itemprop="articleSection">Environment</span>
        <time datetime="2019-03-14T08:00:00+05:30">14 March</time></article>""",
    )

    assert meta.title == "Dam plan approved"
    assert meta.authors == ["Kim Lee"]
    assert meta.section == "Environment"
    assert meta.published == datetime(2019, 3, 14, 2, 30, tzinfo=UTC)


def test_url_date_is_the_last_resort_for_published() -> None:
    meta = _metadata("<head></head>", "", url="https://news.example/2019/03/14/dam-plan")

    assert meta.published == datetime(2019, 3, 14, tzinfo=UTC)
    assert meta.source == "news.example"


def test_og_url_is_used_when_there_is_no_canonical_link() -> None:
    meta = _metadata(
        '<head><meta property="og:url" content="https://n.example/a?utm_medium=rss"></head>',
        url=None,
    )

    assert meta.url == "https://n.example/a"


def test_saved_page_without_its_own_url_is_known_by_its_file_address() -> None:
    meta = _metadata("<head></head>", "<article><p>Text.</p></article>", url="file:///p/a.html")

    assert meta.url == "file:///p/a.html"


def test_visible_byline_is_matched_by_class_word() -> None:
    meta = _metadata(
        "<head></head>",
        '<article><h1>Dam plan</h1><p class="story-byline">By '
        '<span class="story-byline__name">Tendai Moyo and Rudo Chari</span></p></article>',
    )

    assert meta.authors == ["Tendai Moyo", "Rudo Chari"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue 2 Jul 2024 18.45 BST", datetime(2024, 7, 2, 17, 45, tzinfo=UTC)),
        ("Tuesday, May 3, 2005 at 10:00 pm EDT", datetime(2005, 5, 4, 2, 0, tzinfo=UTC)),
        ("Publié le 03 juillet 2024 à 06h00", datetime(2024, 7, 3, 6, 0, tzinfo=UTC)),
        ("3 de julio de 2024", datetime(2024, 7, 3, tzinfo=UTC)),
        ("2012年05月03日 10:25:36", datetime(2012, 5, 3, 10, 25, 36, tzinfo=UTC)),
    ],
)
def test_printed_dates_in_many_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_dates_without_a_zone_are_read_in_the_pages_local_zone() -> None:
    meta = _metadata(
        '<head><meta name="publishdate" content="2012-05-03"></head>',
        '<div lang="ja"><span id="pubtime">2012年05月03日 18:12</span></div>',
    )
    assert meta.published == datetime(2012, 5, 3, 18, 12, tzinfo=UTC)  # no language: UTC
    meta = _metadata(
        '<head><meta http-equiv="content-language" content="ja">'
        '<meta name="publishdate" content="2012-05-03"></head>',
        '<span id="pubtime">2012年05月03日 18:12</span>',
    )
    assert meta.published == datetime(2012, 5, 3, 9, 12, tzinfo=UTC)  # JST, to the minute


def test_a_bare_day_stays_that_day_in_a_zone_east_of_utc() -> None:
    # Real pages (KATAPULT, Junge Freiheit): "2023-10-26" read as midnight in Berlin was
    # stored, and shown, as 25 October.
    meta = _metadata(
        '<head><meta http-equiv="content-language" content="de">'
        '<meta name="publishdate" content="2023-10-26"></head>',
        "<p>Ein Bericht aus der Stadt.</p>",
    )
    assert meta.published == datetime(2023, 10, 26, tzinfo=UTC)
    assert parse_date("19. Oktober 2019", local=ZoneInfo("Europe/Berlin")) == datetime(
        2019, 10, 19, tzinfo=UTC
    )


def test_dates_of_related_stories_are_not_the_articles() -> None:
    meta = _metadata(
        "<head></head>",
        '<article><section class="related"><time datetime="2024-03-01T09:00:00Z">1d</time>'
        '</section><div class="article-meta">Tue 2 Jul 2024 18.45 BST</div></article>',
    )
    assert meta.published == datetime(2024, 7, 2, 17, 45, tzinfo=UTC)


def test_section_from_breadcrumbs_then_kicker() -> None:
    crumbs = (
        '<nav class="breadcrumbs"><a href="/">Home</a> <a href="/markets">Markets</a> '
        '<a href="/markets/bonds">Rates &amp; Bonds</a></nav>'
    )
    assert _metadata("<head></head>", crumbs).section == "Rates & Bonds"
    assert _metadata("<head></head>", '<p class="kicker">Climate</p>').section == "Climate"


def test_byline_as_readers_see_it() -> None:
    meta = _metadata(
        "<head></head>",
        '<div data-testid="byline"><span class="x-VisuallyHidden">Author, </span>'
        '<div>By Morag Kinnear</div><span class="x-VisuallyHidden">Role, </span>'
        '<div>BBC Scotland transport correspondent</div><button class="share">Share</button>'
        "</div>",
    )
    assert meta.authors == ["Morag Kinnear"]


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("김민수 기자 minsu@chosun.com", ["김민수"]),
        ("Фото: Глеб Щелкунов", []),
        ("By Maria Lopez, Tom Chen and Sara Ali", ["Maria Lopez", "Tom Chen", "Sara Ali"]),
    ],
)
def test_credits_that_are_not_names(credit: str, names: list[str]) -> None:
    assert [n for n in split_names(credit) if is_person(n)] == names


def test_a_title_part_spelling_the_host_is_the_site_name() -> None:
    meta = _metadata(
        "<head><title>County fair called off | Valley Newsdesk</title></head>",
        url="https://www.valleynewsdesk.net/2021/05/03/fair",
    )
    assert (meta.title, meta.source) == ("County fair called off", "Valley Newsdesk")


# Failure classes seen on real pages, each as a small page of the same shape.
FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def _page(name: str) -> Metadata:
    html = (FIXTURES / name).read_text("utf-8")
    return extract_metadata(BeautifulSoup(html, "lxml"), f"https://www.site.example/{name}")


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        # A JSON-LD naming only the organisation yields to the visible byline of two people;
        # "Analysis by" goes, and the footer's and sponsor box's "author" lists are no credit.
        ("org_jsonld_visible_byline_two_people.html", "authors", ["Matthew Digby", "Minh Do"]),
        ("one_word_byline_markup.html", "authors", ["Regan"]),
        ("role_labels_cyrillic_and_org_credit.html", "authors", ["Лида Буслаева"]),
        ("section_breadcrumb_over_tag.html", "section", "Science & Astronomy"),
        ("section_lowercase_declared_crumb.html", "section", "U.S. News"),
        ("source_domain_handle_title_suffix.html", "source", "CBS Sports"),
        ("source_handle_only.html", "source", "PolitiFact"),
        ("title_logo_h1_in_header.html", "title", "가수 김하늘 새 앨범 발표"),
        (
            "title_seo_and_visible_headline.html",
            "title",
            "Flood barrier vote: what you need to know before Thursday",
        ),
        ("date_published_label_factcheck.html", "published", datetime(2019, 11, 18, tzinfo=UTC)),
        (
            "date_time_in_story_after_teaser.html",
            "published",
            datetime(2022, 3, 15, 9, 30, tzinfo=UTC),
        ),
        ("language_english_page_tagged_german.html", "language", "en"),
    ],
)
def test_real_page_failure_classes(name: str, field: str, expected: object) -> None:
    assert getattr(_page(name), field) == expected


def test_a_logo_h1_is_the_source_not_the_headline() -> None:
    assert _page("title_logo_h1_in_header.html").source == "엔터 미디어"


@pytest.mark.parametrize(
    "value",
    [
        "Privacy Policy",
        "Contact Us",
        "San Francisco",
        "sponsored links",
        "Pre-Workout Meal",
        "Now get prepping!",
        "publisher of The Space Review",
        "No Author",
        "Gib hier deinen Kommentar ein",
    ],
)
def test_values_that_are_not_people(value: str) -> None:
    assert clean_author(value) == ""


@pytest.mark.parametrize(
    ("credit", "name"),
    [
        ("Analysis by Chris Cillizza", "Chris Cillizza"),
        ("Текст: Лида Буслаева", "Лида Буслаева"),
        ("BY: JANE DOE", "Jane Doe"),
        ("Von Christoph von Eichhorn", "Christoph von Eichhorn"),
        ("Par Jean Dupont", "Jean Dupont"),
        ("Perry Bacon Jr.", "Perry Bacon Jr."),
    ],
)
def test_role_prefixes_leave_the_name(credit: str, name: str) -> None:
    assert clean_author(credit) == name


def test_one_word_names_need_byline_markup() -> None:
    assert clean_author("Regan", single_word=False) == ""
    assert clean_author("Regan") == "Regan"


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("By Matthew Digby, Minh Do", ["Matthew Digby", "Minh Do"]),
        ("Anna Weber und Jonas Keller", ["Anna Weber", "Jonas Keller"]),
        ("Ana Ruiz & Tom Lee", ["Ana Ruiz", "Tom Lee"]),
    ],
)
def test_lists_of_names_are_split(credit: str, names: list[str]) -> None:
    assert split_names(credit) == names


@pytest.mark.parametrize(
    ("value", "section"),
    [
        ("post", ""),
        ("Homepage", ""),
        ("EMAIL ME", ""),
        ("@pshanley88", ""),
        ("gizmodo.com", ""),
        ("/columnists/", ""),
        ("Business, PRESS RELEASE, caribbean financial access roundtable, gis", ""),
        ("crime-safety", ""),
        ("news", "News"),
        ("  POLITICS ", "Politics"),
        ("UK", "UK"),
        ("Science & Astronomy", "Science & Astronomy"),
    ],
)
def test_section_values(value: str, section: str) -> None:
    assert clean_section(value) == section


@pytest.mark.parametrize(
    ("value", "source"),
    [
        ("@politifact", "politifact"),
        ("https://www.newsnation.in", "newsnation.in"),
        ("www.wday.ru", "wday.ru"),
        ("Hosted", ""),
        ("  The   Guardian ", "The Guardian"),
    ],
)
def test_source_values(value: str, source: str) -> None:
    assert clean_source(value) == source


def test_index_time_normalisation_mends_old_facet_values() -> None:
    article = Article(
        url="https://www.oregonlive.example/a",
        title="A",
        text="Body text.",
        authors=["Privacy Policy", "Jane Doe", "JANE DOE"],
        section="news",
        source="",
    )

    mended = normalise_facets(article)

    assert (mended.authors, mended.section, mended.source) == (
        ["Jane Doe"],
        "News",
        "oregonlive.example",
    )
