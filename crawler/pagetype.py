"""Telling articles from pages that only look like them: indexes, error pages, paywall stubs.

Each rule names the reason it gives, so a refused page says why (`NotAnArticle`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from crawler.boilerplate import STRUCTURAL_TAGS
from crawler.jsonld import ARTICLE_TYPES
from crawler.metadata import Metadata

# JSON-LD types of listing pages; a page that also declares an article type is an article.
INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
# A link whose text has this many words reads as a headline, not a menu entry.
HEADLINE_LINK_WORDS = 4
# An undeclared page with this many headline links and more headline text than prose lists
# stories rather than telling one.
INDEX_MIN_HEADLINE_LINKS = 8
# Error pages and paywall stubs are short; a page with more readable text than these is an
# article whatever else it says.
ERROR_PAGE_MAX_CHARS = 2000
PAYWALL_STUB_MAX_CHARS = 1200

ERROR_TITLE = re.compile(
    r"\b(404|410|page not found|not found|no longer available|page unavailable|error)\b"
    r"|seite nicht gefunden|page introuvable|página no encontrada|pagina non trovata"
    r"|страница не найдена|sayfa bulunamadı|الصفحة غير موجودة|页面不存在|找不到"
    r"|ページが見つかりません|페이지를 찾을 수 없습니다",
    re.IGNORECASE,
)
PAYWALL_TEXT = re.compile(
    r"subscribe to (continue|keep) reading|(continue|keep) reading with a subscription"
    r"|this (article|story|post) is (only )?(for|available to) (paid )?subscribers"
    r"|subscribers only|already a subscriber\?|for paid subscribers"
    r"|réservé aux abonnés|nur für abonnenten|exclusivo para suscriptores",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PageSignals:
    """What the whole page shows, read once junk is gone and before the body is pruned."""

    h1: str
    headline_links: int
    headline_link_chars: int
    paywall_text: bool


def page_signals(soup: BeautifulSoup) -> PageSignals:
    """Return the signals of `soup` that tell an article from other pages."""
    h1 = soup.find("h1")
    links = chars = 0
    for link in soup.find_all("a"):
        words = link.get_text(" ").split()
        # A plain walk up: bs4's find_parent builds a filter per call, slow on many links.
        if len(words) >= HEADLINE_LINK_WORDS and not _in_structural(link):
            links += 1
            chars += sum(map(len, words))
    return PageSignals(
        h1=" ".join(h1.get_text(" ").split()) if isinstance(h1, Tag) else "",
        headline_links=links,
        headline_link_chars=chars,
        paywall_text=bool(PAYWALL_TEXT.search(soup.get_text(" "))),
    )


def _in_structural(tag: Tag) -> bool:
    return any(parent.name in STRUCTURAL_TAGS for parent in tag.parents)


def not_article_reason(signals: PageSignals, metadata: Metadata, text: str) -> str | None:
    """Return why a page with these `signals`, `metadata` and body `text` is no article."""
    title = " | ".join(part for part in (metadata.title, signals.h1) if part)
    if len(text) <= ERROR_PAGE_MAX_CHARS and ERROR_TITLE.search(title):
        return f"it is an error page ({title!r})"
    paywalled = metadata.accessible_for_free is False or signals.paywall_text
    if paywalled and len(text) <= PAYWALL_STUB_MAX_CHARS:
        return f"it is a paywall stub: only {len(text)} characters are readable"
    # og:type "article" is set on listings too by some CMSs; JSON-LD is more specific.
    ld_article = bool(metadata.page_types & ARTICLE_TYPES)
    if metadata.page_types & INDEX_TYPES and not ld_article:
        listed = ", ".join(sorted(metadata.page_types & INDEX_TYPES))
        return f"it declares itself a listing ({listed}), not an article"
    links = signals.headline_links
    declared_article = ld_article or "og:article" in metadata.page_types
    if not declared_article and links >= INDEX_MIN_HEADLINE_LINKS:
        if signals.headline_link_chars > len(text):
            return f"it is an index: {links} headline links, {len(text)} characters of prose"
    return None
