"""Telling articles from pages that only look like them: indexes, error pages; and teasers.

Each rule names the reason it gives, so a refused page says why (`NotAnArticle`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from crawler.boilerplate import STRUCTURAL_TAGS, is_about_other_stories
from crawler.jsonld import ARTICLE_TYPES
from crawler.metadata import Metadata

# JSON-LD types of listing pages; a page that also declares an article type is an article.
INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
# A link whose text has this many words reads as a headline, not a menu entry.
HEADLINE_LINK_WORDS = 4
# An undeclared page with this many headline links and more headline text than prose lists
# stories rather than telling one.
INDEX_MIN_HEADLINE_LINKS = 8
# Error pages are short; a page with more readable text than this is an article whatever
# else it says.
ERROR_PAGE_MAX_CHARS = 2000
# A paywalled page with at most this much readable text holds only the opening of the story
# (a "teaser"); longer ones are metered pages that sent the whole text. Short stories that
# are whole are marked paywalled too (isAccessibleForFree false on a 2,200-character story).
TEASER_MAX_CHARS = 1200
# A consent or cookie notice is short and says so; a longer text mentioning cookies is a story.
CONSENT_MAX_CHARS = 1500

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

CONSENT_TEXT = re.compile(
    r"\bcookies?\b|\bconsent\b|\bdatenschutz|\beinwilligung|\bzustimm|\bconsentement"
    r"|\bconsentimiento|\bprivacy (?:policy|settings)|\bgdpr\b|\bdsgvo\b",
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
        if len(words) >= HEADLINE_LINK_WORDS and not _in_frame(link):
            links += 1
            chars += sum(map(len, words))
    return PageSignals(
        h1=" ".join(h1.get_text(" ").split()) if isinstance(h1, Tag) else "",
        headline_links=links,
        headline_link_chars=chars,
        paywall_text=bool(PAYWALL_TEXT.search(soup.get_text(" "))),
    )


def _in_frame(tag: Tag) -> bool:
    # Menus, footers and blocks about other stories (related, most read, sidebars) surround
    # articles as much as indexes: their links tell nothing.
    return any(parent.name in STRUCTURAL_TAGS for parent in tag.parents) or (
        is_about_other_stories(tag)
    )


def not_article_reason(signals: PageSignals, metadata: Metadata, text: str) -> str | None:
    """Return why a page with these `signals`, `metadata` and body `text` is no article."""
    title = " | ".join(part for part in (metadata.title, signals.h1) if part)
    if len(text) <= ERROR_PAGE_MAX_CHARS and ERROR_TITLE.search(title):
        return f"it is an error page ({title!r})"
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


def is_teaser(signals: PageSignals, metadata: Metadata, text: str) -> bool:
    """Return whether `text` is only the opening a paywall left readable."""
    paywalled = metadata.accessible_for_free is False or signals.paywall_text
    return paywalled and len(text) <= TEASER_MAX_CHARS


def is_consent_notice(text: str) -> bool:
    """Return whether body `text` is a cookie or consent notice rather than a story."""
    return len(text) <= CONSENT_MAX_CHARS and len(CONSENT_TEXT.findall(text)) >= 2
