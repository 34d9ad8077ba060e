"""Hostile and broken input: extraction gives an Article or an ExtractionError, never worse."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import Article, ExtractionError, NotAnArticle, extract_article

URL = "https://news.example/story"
PARAGRAPH = (
    "<p>" + "The harbour council met on Tuesday to argue about the new budget. " * 4 + "</p>"
)
TAGS = [
    "p",
    "div",
    "span",
    "a",
    "article",
    "main",
    "nav",
    "header",
    "footer",
    "aside",
    "ul",
    "li",
    "h1",
    "h2",
    "script",
    "style",
    "figure",
    "figcaption",
    "table",
    "td",
    "br",
    "time",
]
ATTRIBUTES = [
    "",
    ' class="share"',
    ' class="article-body"',
    ' role="navigation"',
    " hidden",
    ' itemprop="articleBody"',
    ' style="display:none"',
    ' id="related"',
    ' lang="fr"',
]


def outcome(html: str | bytes) -> Article | None:
    """Extract `html`; None when it was refused with an ExtractionError."""
    try:
        article = extract_article(html, URL)
    except ExtractionError:
        return None
    assert article.text.strip()
    return article


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Random tag soup: known tags and boilerplate attributes, unclosed tags, stray text."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "element", "broken"] if depth < 4 else ["text"]))
        if kind == "text":
            parts.append(draw(st.text(max_size=120)))
        elif kind == "element":
            tag, attrs = draw(st.sampled_from(TAGS)), draw(st.sampled_from(ATTRIBUTES))
            parts.append(f"<{tag}{attrs}>{draw(markup(depth + 1))}</{tag}>")
        else:
            parts.append(
                draw(st.sampled_from(["<p", "</div>", "<<>", "<!--", "&#x110000;", "]]>"]))
            )
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup(), st.sampled_from(["", PARAGRAPH]))
def test_random_tag_soup(soup: str, paragraph: str) -> None:
    article = outcome(f"<html><body>{soup}{paragraph}</body></html>")
    if article is not None:
        assert "<script" not in article.text.lower()


@pytest.mark.timeout(60)
def test_ten_thousand_deep_nesting() -> None:
    html = "<html><body>" + "<div><span>" * 10_000 + PARAGRAPH * 3
    article = outcome(html)
    assert article is not None and article.text.startswith("The harbour council met")


@pytest.mark.timeout(120)
def test_fifty_megabyte_page_is_capped_not_swallowed() -> None:
    html = ("<html><body><article>" + PARAGRAPH * 190_000 + "</article></body></html>").encode()
    assert len(html) > 50_000_000
    with pytest.raises(NotAnArticle, match="more than any article"):
        extract_article(html, URL)  # far past any real article: refused, not indexed


def test_script_inside_a_paragraph_is_dropped() -> None:
    html = (
        f"<html><body><article>{PARAGRAPH}<p>Before the script <script>var a = "
        "'Accessibility links';</script>and after it the story goes on.</p></article></body></html>"
    )
    article = outcome(html)
    assert article is not None
    assert "Before the script and after it the story goes on." in article.text
    assert "Accessibility" not in article.text and "var a" not in article.text


def test_a_page_that_is_all_navigation_is_refused() -> None:
    links = "".join(f"<li><a href='/s/{i}'>Section {i} of the website</a></li>" for i in range(200))
    with pytest.raises(NotAnArticle):
        extract_article(f"<html><body><nav><ul>{links}</ul></nav></body></html>", URL)


def test_a_page_of_headline_links_is_refused() -> None:
    cards = "".join(
        f"<p><a href='/news/{i}'>Headline {i}: council meets to discuss the harbour budget</a></p>"
        for i in range(60)
    )
    with pytest.raises(NotAnArticle):
        extract_article(f"<html><body><div>{cards}</div></body></html>", URL)
