"""Jinja filters the templates use to show article metadata."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask

from crawler.article import Access

WIKINEWS_HOST = "en.wikinews.org"
# How each access value reads in the sidebar, the filter chips and the advanced form.
ACCESS_LABELS = {Access.FULL: "Full text", Access.TEASER: "Paywalled (teaser only)"}


def human_date(value: datetime) -> str:
    """Format a date as people read it, e.g. "1 Sep 2015"."""
    return f"{value.day} {value:%b %Y}"


def web_url(url: str) -> str:
    """Return `url` if it is an http(s) link, else "" (never a javascript: link)."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


def is_wikinews(url: str) -> bool:
    """Tell whether `url` is an English Wikinews page (whose text needs attribution)."""
    return (urlsplit(url).hostname or "") == WIKINEWS_HOST


def paragraphs(text: str) -> list[str]:
    """Split stored article text into its paragraphs (separated by blank lines)."""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def value_label(name: str, value: str) -> str:
    """Return how value `value` of filter `name` reads on the page."""
    return ACCESS_LABELS.get(value, value) if name == "access" else value


def register(app: Flask) -> None:
    """Make the filters, and the access values with their labels, available to templates."""
    for function in (human_date, web_url, is_wikinews, paragraphs):
        app.add_template_filter(function)
    app.jinja_env.globals.update(Access=Access, access_labels=ACCESS_LABELS)
