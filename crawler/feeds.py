"""Reading RSS, Atom and JSON Feed documents into the `Link`s of their entries."""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html

from crawler.dates import parse_date, plausible
from crawler.errors import FeedError
from crawler.links import FEED_TYPES, Link
from crawler.urls import absolute_url

logger = logging.getLogger(__name__)

MAX_ENTRIES = 10_000

_SNIFF_BYTES = 4096
_XML_FEED = re.compile(rb"<(?:rss|feed)\b|<(?:[\w.-]+:)?RDF\b[\s\S]*<(?:[\w.-]+:)?channel\b")
_JSON_FEED = re.compile(rb"^\{[\s\S]*jsonfeed\.org/version")


def parse_feed(content: bytes, base_url: str) -> list[Link]:
    """Return one `Link` per entry of an RSS 0.9x/1.0/2.0, Atom or JSON Feed document."""
    if _strip(content).startswith(b"{"):
        return _unique(_json_links(content, base_url), base_url)
    # A stream, never a str: feedparser would fetch a str that looks like a URL or a path.
    # The base (content-location) resolves relative links; only links, dates, titles are read.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": base_url},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    if not parsed.get("version") and not parsed.get("entries"):
        raise FeedError(f"{base_url} is not an RSS, Atom or JSON feed.")
    return _unique((_entry_link(entry, base_url) for entry in parsed.entries), base_url)


def is_feed(content: bytes, content_type: str = "") -> bool:
    """Return whether `content` looks like an RSS, Atom or JSON feed (or is declared one)."""
    head = _strip(content[:_SNIFF_BYTES])
    media_type = content_type.split(";")[0].strip().lower()
    return media_type in FEED_TYPES or bool(_XML_FEED.search(head) or _JSON_FEED.match(head))


def _entry_link(entry: Mapping[str, Any], base_url: str) -> Link | None:
    alternates = [
        link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"
    ]
    url = absolute_url(entry.get("link"), base_url)
    url = url or next(filter(None, (absolute_url(href, base_url) for href in alternates)), None)
    # A guid counts only as a full URL: "tag:" ids and bare numbers are no addresses.
    url = url or absolute_url(entry.get("id"), None)
    if url is None:
        return None
    # dict.get: feedparser's own get() maps a missing "updated" to "published", with a warning.
    return Link(
        url,
        lastmod=_struct_date(dict.get(entry, "updated_parsed")),
        published=_struct_date(dict.get(entry, "published_parsed")),
        title=_entry_title(entry),
    )


def _entry_title(entry: Mapping[str, Any]) -> str:
    """Return the entry's title as plain text (an Atom type="html" title keeps its tags)."""
    title = _text(entry.get("title"))
    if "<" in title and (entry.get("title_detail") or {}).get("type") == "text/html":
        title = lxml.html.fragment_fromstring(title, create_parent="div").text_content()
    return " ".join(title.split())


def _json_links(content: bytes, base_url: str) -> Iterable[Link]:
    try:
        document = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"{base_url} is not readable JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedError(f"{base_url} is not a JSON Feed: it has no list of items.")
    for item in document["items"]:
        if not isinstance(item, dict):
            continue
        url = absolute_url(_text(item.get("url")), base_url)
        url = url or absolute_url(_text(item.get("id")), None)
        if url:
            yield Link(
                url,
                lastmod=parse_date(_text(item.get("date_modified"))),
                published=parse_date(_text(item.get("date_published"))),
                title=" ".join(_text(item.get("title")).split()),
            )


def _unique(links: Iterable[Link | None], base_url: str) -> list[Link]:
    found: dict[str, Link] = {}
    for link in filter(None, links):
        if len(found) >= MAX_ENTRIES:
            logger.warning("%s has over %d entries; the rest are ignored", base_url, MAX_ENTRIES)
            break
        found.setdefault(link.url, link)
    return list(found.values())


def _struct_date(value: time.struct_time | None) -> datetime | None:
    """Return feedparser's parsed date (a UTC struct_time) as an aware UTC datetime."""
    if value is None:
        return None
    try:
        return plausible(datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strip(content: bytes) -> bytes:
    return content.removeprefix(codecs.BOM_UTF8).lstrip()
