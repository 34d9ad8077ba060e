"""Links a crawl discovers: the `Link` record, a page's links and feeds, and URL filters."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag, urlsplit

import lxml.html
from lxml import etree

from crawler.decode import decode_html
from crawler.urls import absolute_url, host_name

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})

# Matched (case-insensitively) against the URL's path plus "?query". A name ends at "/", "?",
# "." or the end; a file extension at "?" or the end.
_NAME_END = r"(?=[/?.]|$)"
_EXT_END = r"(?=\?|$)"
# Paths that are never one article: listings, account pages, feeds, media and assets.
NON_ARTICLE_PATTERNS = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        r"^/?(?:\?|$)",
        r"/(?:tags?|category|categories|topics?|authors?|writers?)/",
        r"/(?:search|login|signin|sign-in|register|subscribe|subscription|newsletters?)"
        + _NAME_END,
        r"/(?:about|about-us|contact|contact-us|privacy|privacy-policy|cookies?|cookie-policy)"
        + _NAME_END,
        r"/(?:terms|terms-of-service|terms-of-use|terms-and-conditions)" + _NAME_END,
        r"[?&]page=\d",
        r"/page/\d+/?" + _EXT_END,
        r"/(?:feed|feeds|rss|atom)" + _NAME_END,
        r"\.(?:xml|rss|atom|jpe?g|png|gif|webp|svg|ico|pdf|mp3|mp4|m4a|webm|zip|gz|css|js|json)"
        + _EXT_END,
    )
)
# Paths that look like one article: a date, a numeric id, a long slug, a static page.
ARTICLE_PATTERNS = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?=[/-]|$)",
        r"/(?:19|20)\d{6}(?=[/_.-]|$)",
        r"(?:[/_.-]|\bid=)\d{5,}(?=[/_.?-]|$)",
        r"/[^/?]*[^\W_]+-[^\W_]+-[^\W_]+[^/?]*/?" + _EXT_END,
        r"\.s?html?" + _EXT_END,
    )
)


@dataclass(frozen=True)
class Link:
    """A URL found in a sitemap, feed or page, with what the source says about it."""

    url: str
    lastmod: datetime | None = None  # aware UTC (sitemap <lastmod>, feed updated)
    published: datetime | None = None  # news:publication_date, feed published
    title: str = ""


def page_links(html: str | bytes, base_url: str) -> list[str]:
    """Return the page's absolute http(s) <a href> links, fragments dropped, each once, in order.

    In-page links ("#main", "#top") are skipped: they lead back to the page itself.
    """
    tree = _parse_html(html)
    if tree is None:
        return []
    base = _document_base(tree, base_url)
    hrefs = (href for href in tree.xpath("//a/@href") if not href.strip().startswith("#"))
    return _unique(absolute_url(href, base) for href in hrefs)


def feed_urls(html: str | bytes, base_url: str) -> list[str]:
    """Return the absolute URLs of the RSS, Atom and JSON feeds a page advertises in <link>."""
    tree = _parse_html(html)
    if tree is None:
        return []
    base = _document_base(tree, base_url)
    hrefs = (
        absolute_url(link.get("href"), base)
        for link in tree.iter("link")
        if "alternate" in (link.get("rel") or "").lower().split()
        and (link.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES
    )
    return _unique(hrefs)


def same_site(url: str, seed: str) -> bool:
    """Return whether `url` is on the seed's host or a subdomain of it ("www." ignored)."""
    if urlsplit(url).scheme not in ("http", "https"):
        return False
    host, seed_host = host_name(url), host_name(seed)
    return bool(seed_host) and (host == seed_host or host.endswith("." + seed_host))


def looks_like_article_url(url: str) -> bool:
    """Return whether `url`'s shape suggests one article (cheap filter, no fetching)."""
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    if any(pattern.search(target) for pattern in NON_ARTICLE_PATTERNS):
        return False
    return any(pattern.search(target) for pattern in ARTICLE_PATTERNS)


def _parse_html(html: str | bytes) -> etree._Element | None:
    text = decode_html(html) if isinstance(html, bytes) else html
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("unparsable page: %s", exc)
        return None


def _document_base(tree: etree._Element, base_url: str) -> str:
    for href in tree.xpath("//base/@href")[:1]:
        return absolute_url(href, base_url) or base_url
    return base_url


def _unique(urls: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for url in urls:
        if url:
            seen.setdefault(urldefrag(url).url, None)
    return list(seen)
