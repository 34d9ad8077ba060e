"""Turn one saved or fetched news page into an `Article`.

The page is parsed once; small passes then share that tree: metadata is read first (it
needs the <head>, scripts and bylines), then junk and boilerplate are deleted, then the
body is located and rendered as paragraphs.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup
from lxml import etree

from crawler.article import Access, Article
from crawler.body import MIN_TEXT_CHARS, body_paragraphs
from crawler.clean import remove_junk
from crawler.decode import decode_html
from crawler.errors import ExtractionError, NotAnArticle
from crawler.language import detect_language
from crawler.metadata import extract_metadata
from crawler.pagetype import is_teaser, not_article_reason, page_signals

logger = logging.getLogger(__name__)

# More than this is a dump or a generated page: the longest real articles are a few 100k.
MAX_TEXT_CHARS = 1_000_000
# Extraction takes up to a hundred microseconds per element or attribute (bs4 builds them,
# then walks the tree some forty times), so this bounds one page's time to about 6 s on one
# core (the worst page built at the cap). Real article pages hold a few thousand to 15,000
# (live blogs, inline icons): the cap leaves room for them.
MAX_NODES = 60_000

_TAG = re.compile(r"<[a-zA-Z!/?]")
# Leading XML declaration or processing instructions: meaningless once decoded, and they
# make bs4 warn that the page may be XML.
_PROLOGUE = re.compile(r"^\s*(?:<\?[^>]*>\s*)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Share of control characters in the first few KB above which the input is binary.
_MAX_CONTROL_SHARE = 0.05
_SNIFF_CHARS = 4096


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    charset: str | None = None,
    keep_refused: bool = False,
) -> Article:
    """Return the article in `html`, fetched from `url`; raise ExtractionError if there is none.

    Input beyond 10 MB is ignored (see `crawler.decode.MAX_HTML_BYTES`). A page of more than
    `MAX_NODES` elements and attributes raises NotAnArticle: that bounds the time one page
    takes. `charset` is the encoding the server declared, if any. `fetched_at` is left for
    the caller to set. With `keep_refused`, a page with body text that would be refused as
    not an article gives its Article instead.
    """
    decoded = decode_html(html, charset)
    soup = parse_html(decoded)
    metadata = extract_metadata(soup, url)
    remove_junk(soup)
    signals = page_signals(soup)

    def reparse() -> BeautifulSoup:
        fresh = parse_html(decoded)
        remove_junk(fresh)
        return fresh

    text = "\n\n".join(body_paragraphs(soup, reparse, metadata.title))
    if len(text) > MAX_TEXT_CHARS and not keep_refused:
        raise NotAnArticle(
            f"the page{_where(url)} has {len(text):,} characters of body text, more than "
            f"any article ({MAX_TEXT_CHARS:,}); it is probably a dump or a generated page"
        )
    if not text:
        raise NotAnArticle(f"no article text found in the page{_where(url)}")
    if len(text) < MIN_TEXT_CHARS and not keep_refused:
        raise NotAnArticle(
            f"the page{_where(url)} has only {len(text)} characters of body text; "
            "it is probably an index, error or media page rather than an article"
        )
    reason = not_article_reason(signals, metadata, text)
    if reason and not keep_refused:
        raise NotAnArticle(f"the page{_where(url)} is not an article: {reason}")
    if not metadata.url:
        raise ExtractionError(
            "the page declares no canonical URL (rel=canonical or og:url); "
            "pass the URL it was fetched from as `url`"
        )
    return Article(
        url=metadata.url,
        title=metadata.title,
        text=text,
        authors=metadata.authors,
        published=metadata.published,
        modified=metadata.modified,
        section=metadata.section,
        source=metadata.source,
        # Pages with no <p> prose told metadata nothing; the body text tells more.
        language=metadata.language or detect_language(text),
        description=metadata.description,
        tags=metadata.tags,
        image_url=metadata.image_url,
        access=Access.TEASER if is_teaser(signals, metadata, text) else Access.FULL,
        fetched_at=None,
    )


def parse_html(text: str) -> BeautifulSoup:
    """Parse decoded page text with lxml; raise ExtractionError if it is not HTML at all,
    NotAnArticle if it holds more than MAX_NODES elements and attributes."""
    text = _PROLOGUE.sub("", text.lstrip("\ufeff"), count=1)
    head = text[:_SNIFF_CHARS]
    if not head.strip():
        raise ExtractionError("the page is empty")
    if len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        raise ExtractionError("the page is binary data, not HTML (check the Content-Type)")
    if not _TAG.search(text):
        raise ExtractionError("the page contains no HTML tags; is it plain text?")
    text = _CONTROL.sub("", text)
    if too_many_nodes(text):
        raise NotAnArticle(
            f"the page has more than {MAX_NODES:,} HTML elements and attributes, more than "
            "any article page; it is probably a dump or a generated page"
        )
    return BeautifulSoup(text, "lxml")


class _TooMany(Exception):
    """Raised inside lxml's parse to stop counting once the element cap is passed."""


class _NodeCounter:
    """An lxml parser target counting elements and attributes, as bs4's tree builder sees them."""

    def __init__(self) -> None:
        self.count = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Count one element and its attributes; stop the parse past MAX_NODES."""
        self.count += 1 + len(attrib)
        if self.count > MAX_NODES:
            raise _TooMany

    def close(self) -> int:
        """Return the number of elements and attributes."""
        return self.count


def too_many_nodes(text: str) -> bool:
    """Return whether `text` holds more than MAX_NODES elements and attributes.

    lxml reads the page at C speed, a few milliseconds for a real page. It calls a parser
    target, as bs4 does: lxml's own tree stops nesting at 256 levels and undercounts.
    """
    parser = etree.HTMLParser(target=_NodeCounter())
    try:
        parser.feed(text)
        parser.close()
    except _TooMany:
        return True
    return False


def _where(url: str | None) -> str:
    return f" at {url}" if url else ""
