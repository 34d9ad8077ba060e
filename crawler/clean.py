"""Tree passes that delete boilerplate in place; each pass is independent and idempotent."""

from __future__ import annotations

from typing import NamedTuple

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from crawler.boilerplate import (
    BOILERPLATE_TEXT_MAX_CHARS,
    CAPTION_TAGS,
    COPYRIGHT_TEXT_MAX_CHARS,
    JUNK_TAGS,
    LINK_LIST_TAGS,
    LONG_PARAGRAPH_CHARS,
    MAX_LINK_DENSITY,
    MAX_PARAGRAPH_LINK_DENSITY,
    STRUCTURAL_TAGS,
    TRAILING_SECTION_HEADINGS,
    has_boilerplate_class,
    has_boilerplate_role,
    is_boilerplate_text,
    is_embed,
    is_hidden,
)

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Stock phrases and copyright lines are short; longer blocks are never checked.
MAX_STOCK_TEXT_CHARS = max(BOILERPLATE_TEXT_MAX_CHARS, COPYRIGHT_TEXT_MAX_CHARS)
# Blocks whose whole text is checked against the stock furniture phrases.
STOCK_TEXT_TAGS = frozenset({"p", "li", "div", "span", "section", "strong", "b", *HEADING_TAGS})


def remove_junk(soup: BeautifulSoup) -> None:
    """Delete what is never article text anywhere: scripts, styles, widgets, hidden nodes."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        if not _removed(tag) and (tag.name in JUNK_TAGS or is_hidden(tag)):
            tag.decompose()


def is_furniture(tag: Tag) -> bool:
    """Return whether `tag` is page furniture by tag name, ARIA role or class/id vocabulary."""
    if tag.name in CAPTION_TAGS or has_boilerplate_role(tag) or has_boilerplate_class(tag):
        return True
    if tag.name not in STRUCTURAL_TAGS:
        return False
    # An article's own <header> too: its headline is the title, its standfirst the description.
    return True


def remove_furniture(root: Tag, keep: Tag | None = None) -> None:
    """Delete furniture (menus, share bars, captions, related lists...) below `root`.

    `keep` (the densest block of prose) and the elements holding it are never deleted: class
    names are a guess, and real bodies sit in "sidebar-and-content-body", "elementor-widget"
    or "entry share" wrappers. Captions are never the body, whatever their density (galleries).
    """
    chain = [keep, *keep.parents] if keep is not None else []
    holding = set() if any(t.name in CAPTION_TAGS for t in chain) else {id(t) for t in chain}
    for tag in root.find_all(True):
        if _removed(tag) or id(tag) in holding or is_embed(tag) or not is_furniture(tag):
            continue
        if tag.find(is_embed):
            # A <figure> holding a tweet: the tweet's text is the story's, the caption is not.
            for caption in tag.find_all("figcaption"):
                caption.decompose()
            continue
        tag.decompose()


def remove_stock_text(root: Tag) -> None:
    """Delete short blocks that only say "Breaking News", "Share this", "© 2024 ..." and such."""
    stats = text_stats(root)
    for tag in root.find_all(STOCK_TEXT_TAGS):
        if _removed(tag) or stats[id(tag)].chars > MAX_STOCK_TEXT_CHARS:
            continue
        if not _is_wrapper_of(tag, STOCK_TEXT_TAGS) and is_boilerplate_text(tag.get_text(" ")):
            tag.decompose()


def remove_link_lists(root: Tag) -> None:
    """Delete blocks whose text is mostly links: tag lists, "read more" rows, leftover menus."""
    stats = text_stats(root)
    in_embeds = {id(t) for embed in root.find_all(is_embed) for t in [embed, *embed.find_all(True)]}
    for tag in root.find_all(LINK_LIST_TAGS):
        if _removed(tag) or id(tag) in in_embeds or _is_wrapper_of(tag, LINK_LIST_TAGS):
            continue
        chars, linked, links = stats[id(tag)]
        if not chars:
            continue
        density = linked / chars
        if tag.name in ("p", "li"):
            # A long paragraph that is all link is still prose (a quoted source, say).
            if density > MAX_PARAGRAPH_LINK_DENSITY and chars < LONG_PARAGRAPH_CHARS:
                tag.decompose()
        elif density > MAX_PARAGRAPH_LINK_DENSITY or (density > MAX_LINK_DENSITY and links > 1):
            tag.decompose()


def remove_trailing_sections(root: Tag) -> None:
    """Delete closing apparatus: a "Sources" or "External links" heading and what it heads."""
    for heading in root.find_all(HEADING_TAGS):
        if _removed(heading):
            continue
        title = heading.get_text(" ").replace("[edit]", "")
        if not TRAILING_SECTION_HEADINGS.match(" ".join(title.split())):
            continue
        for sibling in _section_after(heading):
            sibling.decompose()
        heading.decompose()


def remove_headline(root: Tag) -> None:
    """Delete the <h1> headline(s) below `root`: the title is not part of the body text."""
    for tag in root.find_all("h1"):
        tag.decompose()


def remove_standalone_times(root: Tag) -> None:
    """Delete <time> elements that stand alone as a dateline rather than inside a sentence."""
    times = root.find_all("time")
    if not times:
        return
    # Counted once: a parent with as much text as its <time> has no other text.
    stats = text_stats(root)
    for tag in times:
        parent = tag.parent
        if parent is not None and id(parent) in stats and not _removed(parent):
            if stats[id(parent)].chars == stats[id(tag)].chars:
                tag.decompose()


def prune(root: Tag, keep: Tag | None = None) -> None:
    """Run every boilerplate pass over the article container `root`, in order.

    `keep` is the block of prose the body was found by; it survives the furniture pass.
    """
    remove_furniture(root, keep)
    remove_trailing_sections(root)
    remove_headline(root)
    remove_standalone_times(root)
    remove_stock_text(root)
    remove_link_lists(root)


class TextStats(NamedTuple):
    """Non-space characters under an element, how many of them are link text, and links."""

    chars: int
    linked: int
    links: int


def text_stats(root: Tag) -> dict[int, TextStats]:
    """Return `TextStats` for `root` and every element below it, keyed by `id(element)`."""
    stats: dict[int, TextStats] = {}
    # Children before parents, so each element sums its children once: linear, not quadratic.
    for tag in reversed([root, *root.find_all(True)]):
        chars = linked = links = 0
        for child in tag.contents:
            if isinstance(child, Tag):
                child_stats = stats[id(child)]
                chars += child_stats.chars
                linked += child_stats.linked
                links += child_stats.links
            elif type(child) is NavigableString:
                chars += len("".join(child.split()))
        if tag.name == "a":
            linked, links = chars, links + 1
        stats[id(tag)] = TextStats(chars, linked, links)
    return stats


def _section_after(heading: Tag) -> list[Tag]:
    # The elements after `heading` up to the next heading of the same or a higher rank;
    # walked lazily, as a page of many such headings would make listing every sibling quadratic.
    section = []
    for sibling in heading.next_siblings:
        if isinstance(sibling, Tag):
            if sibling.name in HEADING_TAGS and sibling.name <= heading.name:
                break
            section.append(sibling)
    return section


def _removed(tag: Tag) -> bool:
    # bs4's own `Tag.decomposed` searches the subtree for a child tag named "_decomposed";
    # a deleted element has simply lost its parent.
    return tag.parent is None


def _is_wrapper_of(tag: Tag, names: frozenset[str]) -> bool:
    # An element whose only content is one such child: the child gets the same verdict.
    children = [c for c in tag.contents if isinstance(c, Tag) or c.strip()]
    return len(children) == 1 and isinstance(children[0], Tag) and children[0].name in names
