"""The small helpers behind the pages: page windows, filters, parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from search_ui.errors import InvalidParameter
from search_ui.filters import human_date, is_wikinews, paragraphs, web_url
from search_ui.params import int_arg
from search_ui.views import page_window


@pytest.mark.parametrize(
    ("page", "pages", "window"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
        (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),
    ],
)
def test_page_window(page: int, pages: int, window: list[int | None]) -> None:
    assert page_window(page, pages) == window


def test_human_date() -> None:
    assert human_date(datetime(2015, 9, 1, 8, 30, tzinfo=UTC)) == "1 Sep 2015"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://example.org/a", "HTTP://example.org/a"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("", ""),
    ],
)
def test_web_url_keeps_only_web_links(url: str, safe: str) -> None:
    assert web_url(url) == safe


def test_is_wikinews() -> None:
    assert is_wikinews("https://en.wikinews.org/wiki/Story")
    assert not is_wikinews("https://en.wikinews.org.evil.example/wiki/Story")
    assert not is_wikinews("https://example.org/en.wikinews.org")


def test_paragraphs_split_on_blank_lines() -> None:
    assert paragraphs("One.\n\nTwo\nlines.\n \n\n\nThree.\n") == ["One.", "Two\nlines.", "Three."]


def test_int_arg() -> None:
    args = MultiDict({"page": "3", "empty": "", "bad": "3e2", "padded": " 3 "})
    assert int_arg(args, "page", default=1, low=1, high=10) == 3
    assert int_arg(args, "absent", default=1, low=1, high=10) == 1
    assert int_arg(args, "empty", default=1, low=1, high=10) == 1
    for name in ("bad", "padded"):  # as the OpenAPI document describes: digits alone
        with pytest.raises(InvalidParameter, match=f"{name} must be a whole number from 1 to 10"):
            int_arg(args, name, default=1, low=1, high=10)
