"""The body is found on real page shapes that class names and containers get wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import NotAnArticle, extract_article

PAGES = Path(__file__).parent / "fixtures" / "body"
OPENING = "The city council voted on Tuesday to close the old harbour bridge"
CLOSING = "a shuttle bus will link both banks every ten minutes during the day."


def page(name: str) -> bytes:
    """Return the bytes of fixture page `name`."""
    return (PAGES / name).read_bytes()


@pytest.mark.parametrize(
    "name", ["body_in_sidebar_classed_wrapper.html", "body_in_share_classed_entry.html"]
)
def test_body_inside_a_wrapper_named_like_furniture_is_kept(name: str) -> None:
    # Real pages: The New Republic's "sidebar-and-content-body", a WordPress theme's
    # "entry share" (both were refused as "0 characters of body text").
    article = extract_article(page(name))

    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith(OPENING)
    assert paragraphs[-1].endswith(CLOSING)
    assert len(paragraphs) == 3  # the related list beside the body stays out


def test_standfirst_above_the_body_container_opens_the_story() -> None:
    article = extract_article(page("standfirst_above_body.html"))

    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Repairs would have cost more than a new crossing")
    assert paragraphs[1].startswith(OPENING)
    assert article.title not in article.text


def test_a_cookie_notice_is_never_the_body() -> None:
    with pytest.raises(NotAnArticle, match="no article text"):
        extract_article(page("cookie_notice_only.html"))
