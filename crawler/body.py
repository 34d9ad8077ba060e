"""The article body as paragraphs: the publisher's container first, then readings of more.

Class names and containers are guesses that real pages break (a body inside a "widget", a
container the CMS leaves empty and fills by script). Each strategy below reads the page its
own way; the first whose text is long enough, and is not a consent notice, is the body. The
passes delete in place, so every strategy after the first reads a fresh parse of the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import islice

from bs4 import BeautifulSoup, Tag

from crawler.boilerplate import (
    CAPTION_TAGS,
    STRUCTURAL_TAGS,
    has_boilerplate_role,
    is_about_other_stories,
    is_boilerplate_text,
)
from crawler.clean import prune
from crawler.content import (
    SCORED_TAGS,
    anchor_block,
    densest_block,
    find_lead,
    find_main_content,
    paragraphs,
)
from crawler.pagetype import HEADLINE_LINK_WORDS, INDEX_MIN_HEADLINE_LINKS, is_consent_notice
from crawler.text import normalise_space

# Less body text than this is an error page, an index or a stub, not an article.
MIN_TEXT_CHARS = 80
# How many opening paragraphs may repeat the headline.
HEADLINE_WITHIN = 3
# A paragraph whose parent holds a headline link this many levels below it is a card's teaser.
CARD_LEVELS = 3
# In the last resort, a paragraph with more of its text in links than this is navigation.
MAX_LINK_SHARE = 0.5


def body_paragraphs(
    soup: BeautifulSoup, reparse: Callable[[], BeautifulSoup], title: str
) -> list[str]:
    """Return the body of the page `soup` as paragraphs, without the headline `title`.

    `reparse` returns a fresh, junk-free parse of the same page for the fallbacks. The result
    may be shorter than MIN_TEXT_CHARS (or empty) when no strategy finds more.
    """
    best: list[str] = []
    for attempt, strategy in enumerate(STRATEGIES):
        found = _drop_leading_headline(strategy(soup if attempt == 0 else reparse()), title)
        if is_consent_notice("\n\n".join(found)):
            continue
        if _length(found) >= MIN_TEXT_CHARS:
            return found
        best = max(best, found, key=_length)
    return best


def _in_container(soup: BeautifulSoup) -> list[str]:
    # The publisher's body container (or the densest block), its standfirst, pruned.
    main = find_main_content(soup)
    if main is None:
        return []
    lead = find_lead(main)
    opening = paragraphs(lead) if lead is not None else []
    prune(main, anchor_block(main))
    body = paragraphs(main)
    # A standfirst the body repeats (some CMSs print it in both places) is kept once.
    repeated = {_fold(paragraph) for paragraph in body[:3]}
    return [p for p in opening if _fold(p) not in repeated] + body


def _in_densest_block(soup: BeautifulSoup) -> list[str]:
    # The block of prose with the most text around it, whatever the selectors said; a block
    # of story cards is an index's, not a body, and captions are a gallery's.
    block = densest_block(soup)
    if block is None or _headline_links(block) >= INDEX_MIN_HEADLINE_LINKS:
        return []
    if any(t.name in CAPTION_TAGS for t in (block, *block.parents)):
        return []  # a gallery's captions
    prune(block)
    return paragraphs(block)


def _every_paragraph(soup: BeautifulSoup) -> list[str]:
    # The last resort: every paragraph of prose outside menus, headers and footers.
    found = []
    # Elements holding a headline link a few levels down: story cards, whose text is a teaser.
    cards = {
        id(holder)
        for link in soup.find_all("a")
        if len(link.get_text(" ").split()) >= HEADLINE_LINK_WORDS
        for holder in islice(link.parents, CARD_LEVELS)
    }
    for tag in soup.find_all(SCORED_TAGS):
        if any(p.name in SCORED_TAGS for p in tag.parents) or _outside_story(tag):
            continue
        if id(tag.parent) in cards:
            continue
        text = normalise_space(tag.get_text(" "))
        linked = sum(len(a.get_text()) for a in tag.find_all("a"))
        if text and not is_boilerplate_text(text) and linked <= MAX_LINK_SHARE * len(text):
            found.append(text)
    return found


STRATEGIES: tuple[Callable[[BeautifulSoup], list[str]], ...] = (
    _in_container,
    _in_densest_block,
    _every_paragraph,
)


def _outside_story(tag: Tag) -> bool:
    # In a menu, header, footer, caption, or a block about other stories.
    return is_about_other_stories(tag) or any(
        p.name in STRUCTURAL_TAGS or p.name in CAPTION_TAGS or has_boilerplate_role(p)
        for p in tag.parents
    )


def _headline_links(root: Tag) -> int:
    return sum(len(a.get_text(" ").split()) >= HEADLINE_LINK_WORDS for a in root.find_all("a"))


def _length(body: list[str]) -> int:
    return sum(map(len, body)) + 2 * max(len(body) - 1, 0)


def _drop_leading_headline(body: list[str], title: str) -> list[str]:
    # The headline repeated at the top of the body, above or below the standfirst.
    for at, paragraph in enumerate(body[:HEADLINE_WITHIN]):
        if title and _fold(paragraph) == _fold(title):
            return body[:at] + body[at + 1 :]
    return body


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()
