"""Locate the article body in a page and render it as paragraphs of plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice

from bs4 import BeautifulSoup, NavigableString, Tag

from crawler.boilerplate import CAPTION_TAGS, class_words, is_about_other_stories
from crawler.clean import is_furniture
from crawler.text import normalise_space

# Class names (split into '-'-joined words, see `class_words`) that publishers give the body.
BODY_CLASSES = frozenset(
    {
        "article-body",
        "articlebody",
        "article-content",
        "article-text",
        "story-body",
        "story-content",
        "story-text",
        "entry-content",
        "post-content",
        "post-body",
        "body-text",
        "content-body",
        "td-post-content",
        "wsw",
        "mw-parser-output",
        "articulo-cuerpo",
    }
)

# A semantic container is trusted only if it holds at least this share of the text held by
# the densest block; otherwise it is probably a teaser or a wrapper of the headline only.
MIN_SHARE_OF_DENSEST = 0.5
# A block inside furniture must score this many times the best block outside it before the
# class names are distrusted.
FURNITURE_TRUST = 2.0
# Class words of a standfirst set apart above the body (whole words, as in the vocabulary).
LEAD_WORDS = re.compile(
    r"(?:^|-)(?:lead|lede|intro|introduction|standfirst|summary|excerpt|dek|deck|abstract"
    r"|subtitle|chapo|chapeau|teaser-text|article-teaser|vorspann|einleitung|entradilla)(?:-|$)"
)
# How far above the body container a standfirst is looked for, its least length (non-space
# characters) and the most of it that may be link text.
LEAD_MAX_LEVELS = 3
LEAD_MIN_CHARS = 40
LEAD_MAX_LINK_SHARE = 0.3
# Paragraphs shorter than this carry no signal when scoring blocks by text density.
MIN_SCORED_CHARS = 25

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tr",
        "ul",
    }
)
CELL_TAGS = frozenset({"td", "th"})
SCORED_TAGS = ("p", "pre", "blockquote", "td")
# Containers whose own loose text (old layouts: text and <br>s straight in a <div>) is scored.
LOOSE_TEXT_TAGS = ("div", "section", "article", "main", "font", "center")

_BREAK = "\x00"  # stands for <br>; NUL never survives decoding into the tree
_DOUBLE_BREAK = re.compile(_BREAK + r"\s*" + _BREAK)


# Where publishers put the body, most specific first: the first that holds enough text wins.
BODY_SELECTORS: tuple[Callable[[Tag], bool], ...] = (
    lambda t: "articlebody" in str(t.get("itemprop", "")).lower().split(),
    lambda t: any(name in BODY_CLASSES for name in class_words(t)),
    lambda t: t.name == "article",
    lambda t: t.name == "main" or str(t.get("role", "")).lower() == "main",
)


def find_main_content(soup: BeautifulSoup) -> Tag | None:
    """Return the element holding the article body, or None if the page has no prose."""
    cache: dict[int, bool] = {}
    found = _trusted_densest(soup, cache)
    if found is None:
        return None
    densest, avoid_furniture = found
    floor = MIN_SHARE_OF_DENSEST * text_length(densest)
    for selector in BODY_SELECTORS:
        candidates = [
            t for t in soup.find_all(selector) if not (avoid_furniture and _in_furniture(t, cache))
        ]
        if candidates:
            best = max(candidates, key=text_length)
            if text_length(best) >= floor:
                return best
    return densest


def find_lead(main: Tag) -> Tag | None:
    """Return the standfirst printed just before the body container `main`, if any.

    Publishers set the opening paragraph apart ("lead", "intro", "standfirst") above the body
    container; it is the story's first paragraph, not furniture.
    """
    branch = main
    for ancestor in islice(main.parents, LEAD_MAX_LEVELS):
        if ancestor.name in ("body", "html", "[document]"):
            break
        for tag in ancestor.find_all(True):
            if tag is branch:
                break  # only what comes before the body
            if _is_lead(tag):
                return tag
        branch = ancestor
    return None


def _is_lead(tag: Tag) -> bool:
    if not any(LEAD_WORDS.search(name) for name in class_words(tag)):
        return False
    if tag.find(CAPTION_TAGS) or tag.name in CAPTION_TAGS or is_about_other_stories(tag):
        return False
    text = "".join(tag.get_text().split())
    linked = sum(len("".join(a.get_text().split())) for a in tag.find_all("a"))
    return len(text) >= LEAD_MIN_CHARS and linked <= LEAD_MAX_LINK_SHARE * len(text)


def anchor_block(root: Tag) -> Tag | None:
    """Return the block of prose below `root` that the body is built around."""
    found = _trusted_densest(root, {})
    return found[0] if found else None


def densest_block(soup: BeautifulSoup) -> Tag | None:
    """Return the block of the page with the most prose around it, furniture or not."""
    found = _densest_block(soup, False, {})
    return found[0] if found else None


def _trusted_densest(root: Tag, cache: dict[int, bool]) -> tuple[Tag, bool] | None:
    # The densest block outside furniture, unless one inside furniture scores more than
    # FURNITURE_TRUST times as high: then the class names lied (the body sits in a "sidebar-
    # and-content" or "entry share" wrapper, or a page wraps everything in "feature" blocks).
    # Also whether furniture was avoided to find it.
    clean = _densest_block(root, True, cache)
    anywhere = _densest_block(root, False, cache)
    if clean is not None and (anywhere is None or anywhere[1] <= FURNITURE_TRUST * clean[1]):
        return clean[0], True
    return (anywhere[0], False) if anywhere else None


def text_length(tag: Tag) -> int:
    """Return the number of non-space characters of paragraph text under `tag`."""
    if tag.name in SCORED_TAGS:
        return _block_length(tag)
    return _block_length(tag) + sum(_block_length(b) for b in _scored_blocks(tag))


def _scored_blocks(root: Tag) -> list[Tag]:
    # Paragraphs and loose-text containers below `root`, skipping those inside a paragraph;
    # one pass in document order (parents first) instead of a parent walk per element.
    inside: set[int] = set()
    blocks = []
    for tag in root.find_all(True):
        parent = tag.parent
        if id(parent) in inside or (parent is not root and parent.name in SCORED_TAGS):
            inside.add(id(tag))
        elif tag.name in SCORED_TAGS or tag.name in LOOSE_TEXT_TAGS:
            blocks.append(tag)
    return blocks


def _block_length(tag: Tag) -> int:
    if tag.name in SCORED_TAGS:
        return len("".join(tag.get_text().split()))
    if tag.name in LOOSE_TEXT_TAGS:
        return sum(len("".join(s.split())) for s in tag.find_all(string=True, recursive=False))
    return 0


def paragraphs(root: Tag) -> list[str]:
    """Return the text of `root` as paragraphs, one per block element, whitespace normalised."""
    out: list[str] = []
    buffer: list[str] = []
    flush = object()

    def emit() -> None:
        for chunk in _DOUBLE_BREAK.split("".join(buffer)):
            text = normalise_space(chunk.replace(_BREAK, " "))
            if text:
                out.append(text)
        buffer.clear()

    # An explicit stack instead of recursion: broken pages can nest thousands of levels deep.
    stack: list[object] = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if node is flush:
            emit()
        elif isinstance(node, Tag):
            if node.name == "br":
                buffer.append(_BREAK)
                continue
            if node.name in BLOCK_TAGS:
                emit()
                stack.append(flush)
            elif node.name in CELL_TAGS and "".join(buffer).strip():
                buffer.append(" | ")  # a table row is one paragraph, its cells set apart
            stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:
            buffer.append(str(node))
    emit()
    return out


def _in_furniture(tag: Tag, cache: dict[int, bool]) -> bool:
    # cache: element id -> whether it or an ancestor below <body> is furniture.
    chain: list[Tag] = []
    node = tag.parent
    inside = False
    while node is not None and node.name not in ("html", "body", "[document]"):
        if id(node) in cache:
            inside = cache[id(node)]
            break
        chain.append(node)
        node = node.parent
    for ancestor in reversed(chain):
        inside = inside or is_furniture(ancestor)
        cache[id(ancestor)] = inside
    return inside


def _densest_block(
    soup: BeautifulSoup, avoid_furniture: bool, cache: dict[int, bool]
) -> tuple[Tag, float] | None:
    # The best-scoring block and its score.
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for block in _scored_blocks(soup):
        if avoid_furniture and _in_furniture(block, cache):
            continue
        length = _block_length(block)
        if length < MIN_SCORED_CHARS:
            continue
        # Like readability: a paragraph's parent scores its text, the grandparent half of it;
        # loose text scores for the container holding it and half for that one's parent.
        holders = [block, block.parent] if block.name in LOOSE_TEXT_TAGS else block.parents
        for weight, ancestor in zip((1.0, 0.5), holders, strict=False):
            if ancestor is None or ancestor.name in ("html", "[document]"):
                break
            tags[id(ancestor)] = ancestor
            scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + weight * length
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    return tags[best], scores[best]
