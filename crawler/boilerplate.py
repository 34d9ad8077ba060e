"""What boilerplate looks like: tag names, ARIA roles, class/id vocabulary and stock phrases.

Everything here is data plus small predicates over one element. Teaching the extractor a new
publisher's quirk should be a one-line change to a constant below.
"""

from __future__ import annotations

import re
from itertools import islice

from bs4 import Comment, Tag

# Never article text anywhere on a page; removed before anything else looks at the tree.
JUNK_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "canvas",
        "object",
        "embed",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "link",
        "meta",
        "audio",
        "video",
        "source",
        "picture",
        "map",
        "dialog",
    }
)

# Page furniture by tag name; dropped unless it wraps the article itself.
STRUCTURAL_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})

# Captions and photo credits are kept out of the body text.
CAPTION_TAGS = frozenset({"figure", "figcaption"})

BOILERPLATE_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "toolbar",
        "dialog",
        "alertdialog",
    }
)

# Blocks about other stories (cards, lists, sidebars): their dates and bylines are not this
# article's (read when taking metadata), and they are boilerplate too.
ELSEWHERE_WORDS = (
    "related",
    "recommended",
    "recommendations",
    "recirc",
    "most-popular",
    "most-read",
    "most-viewed",
    "popular",
    "trending",
    "more-stories",
    "more-on-this-story",
    "read-more",
    "also-read",
    "teaser",
    "teasers",
    "ticker",
    "promo",
    "sidebar",
    "widget",
    "comment",
    "comments",
    "footer",
)

# Words matched against each class name and id, split into words at "-", "_" and camelCase
# ("article-header" is the words "article" and "header"). Only whole words match, so "share"
# does not hit "shared". Multi-word entries match consecutive words.
BOILERPLATE_WORDS = ELSEWHERE_WORDS + (
    "share",
    "sharing",
    "sharebar",
    "social",
    "read-also",
    "see-also",
    "breaking",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "login",
    "signin",
    "epic",
    "slot-body-end",
    "promotion",
    "promoted",
    "sponsor",
    "sponsored",
    "advert",
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "adv",
    "dfp",
    "outbrain",
    "taboola",
    "disqus",
    "skip",
    "skiplinks",
    "skip-links",
    "breadcrumb",
    "breadcrumbs",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "site-header",
    "global-header",
    "masthead",
    "top-bar",
    "byline",
    "standfirst",
    "meta",
    "author",
    "authors",
    "bio",
    "dateline",
    "date",
    "timestamp",
    "pubdate",
    "license",
    "copyright",
    "metadata",
    "noprint",
    "editsection",
    "published",
    "paywall",
    "caption",
    "pic",
    "credit",
    "summary",
    "spot",
    "donate",
    "donation",
    "membership",
    "credits",
    "print",
    "toolbar",
    "tags",
    "modal",
    "popup",
    "overlay",
    "pagination",
    "pager",
    "follow",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader-text",
    "element-invisible",
)

ELSEWHERE_TAGS = frozenset({"aside", "nav", "footer"})

# Page controls found next to bylines (share and save buttons), never part of a credit.
CONTROL_WORDS = ("share", "sharing", "social", "toolbar", "print", "follow", "save", "bookmark")

# Elements that start a new line of text.
LINE_TAGS = frozenset({"div", "p", "li", "dd", "dt", "address", "h2", "h3", "h4", "h5", "h6"})

# Text only screen readers get ("Author," before a byline): not what the page shows.
SCREEN_READER_CLASSES = frozenset(
    {"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "element-invisible"}
)

# Embeds whose text is part of the story even though they look like link lists.
KEEP_CLASSES = frozenset({"twitter-tweet", "instagram-media", "tiktok-embed"})

# A whole short block reading like one of these is furniture, whatever its markup.
BOILERPLATE_TEXT = re.compile(
    r"""^(?:
        accessibility\ links
      | skip\ to\ .*
      | breaking\ news
      | share(?:\ this(?:\ article|\ story|\ page)?)?(?:\ (?:on|via)\ .*)?
      | (?:most\ )?(?:popular|read|viewed|shared)(?:\ stories|\ articles)?
      | most\ (?:popular|read|viewed|shared)(?:\ .*)?
      | related(?:\ stories|\ articles|\ content|\ topics|\ coverage|\ links|\ news)?
      | (?:see\ also|read\ more|more\ from\ .*|more\ stories|top\ stories|latest\ news)
      | advertisement|advert|sponsored(?:\ content)?
      | follow\ us(?:\ on\ .*)?
      | (?:sign\ up|subscribe|suscríbete|abonnez-vous|jetzt\ abonnieren|подпишитесь)(?:\ .*)?
      | sources?\ ?:\ .*
      | have\ an\ opinion\ on\ this\ (?:story|article).*
      | print(?:\ this\ (?:article|page|story))?
      | e-?mail(?:\ this\ (?:article|page|story))?
      | comments?(?:\ \(\d+\))?|\d+\ comments?|leave\ a\ comment|show\ comments
      | .*\b(?:we|site|website|uses?|accept|allow)\b.*\bcookies?\b.*
      | cookies?\ (?:policy|settings|preferences|notice)
      | back\ to\ top
      | image\ (?:copyright|caption|source)\b.*
      | (?:photo|image|picture)\s*(?::|by|credit)\ .*
      | tags?:?
      | (?:suggested\ )?topics:?
      | reporting\ by\ .*;\ editing\ by\ .*
      | (?:【纠错】\s*)?责任编辑\s*[:：].*
    )$""",
    re.I | re.X,
)
# Stock phrases are only trusted on short blocks; longer text mentioning cookies is a story.
BOILERPLATE_TEXT_MAX_CHARS = 100

COPYRIGHT_TEXT = re.compile(
    r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b|\blicensed under\b.*\bcreative commons\b",
    re.I,
)
# A block that is nothing but a date is a dateline ("Thursday, March 14, 2024").
DATE_ONLY_TEXT = re.compile(
    r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?),?\s+\d{4}$",
    re.I,
)
# Headings that open a closing apparatus (sources, links), not more of the story: the heading
# and everything after it up to the next heading of the same rank are dropped.
TRAILING_SECTION_HEADINGS = re.compile(
    r"^(?:sources?|external\ links|references|related\ news|related\ articles|see\ also"
    r"|further\ reading|notes|fuentes|quellen|источники|sources\ et\ liens)$",
    re.I | re.X,
)
COPYRIGHT_TEXT_MAX_CHARS = 300

# Link density (share of a block's text inside links) above which a block is a link list.
MAX_LINK_DENSITY = 0.5
# A lone paragraph must be almost all link ("Read more: ...") before it is dropped.
MAX_PARAGRAPH_LINK_DENSITY = 0.8
LONG_PARAGRAPH_CHARS = 200
LINK_LIST_TAGS = frozenset({"ul", "ol", "dl", "div", "section", "table", "p", "li"})

# Class names and attributes of one element read when naming it; real ones have a handful.
MAX_NAMES = 64

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-]+")
_VOCABULARY = re.compile(
    r"(?:^|-)(?:" + "|".join(re.escape(w) for w in BOILERPLATE_WORDS) + r")(?:-|$)"
)
_IDENTIFIER = re.compile(r"[A-Za-z][\w -]{0,39}")
_ELSEWHERE = re.compile(r"(?:^|-)(?:" + "|".join(map(re.escape, ELSEWHERE_WORDS)) + r")(?:-|$)")
_SCREEN_READER = re.compile(
    r"(?:^|-)(?:" + "|".join(map(re.escape, SCREEN_READER_CLASSES)) + r")(?:-|$)"
)
_CONTROLS = re.compile(r"(?:^|-)(?:" + "|".join(CONTROL_WORDS) + r")(?:-|$)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def class_words(tag: Tag) -> list[str]:
    """Return the element's class names, id and data-* names, as '-'-joined lowercase words.

    Sites with hashed class names (css-1x2y3z) still name their blocks in data attributes:
    data-component="related-stories", data-gu-name="standfirst".
    """
    # Capped: a junk element with 100,000 classes or attributes would be read on every pass.
    names = list(tag.get("class") or [])[:MAX_NAMES]
    for attr, value in islice(tag.attrs.items(), MAX_NAMES):
        if attr == "id" or attr.startswith("data-"):
            if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
                names.append(value)
    return [_SEPARATORS.sub("-", _CAMEL.sub("-", name)).strip("-").lower() for name in names]


def has_boilerplate_class(tag: Tag) -> bool:
    """Return whether a class name or the id of `tag` is in the boilerplate vocabulary."""
    words = class_words(tag)
    if any(name in KEEP_CLASSES for name in words):
        return False
    return any(_VOCABULARY.search(name) for name in words)


def is_about_other_stories(tag: Tag, within: Tag | None = None) -> bool:
    """Return whether `tag` sits in a block about other stories (related list, sidebar...).

    Only the blocks below `within`, when given (the story's own element), are looked at.
    """
    for node in (tag, *tag.parents):
        if node is within or node.name in ("body", "html", "[document]"):
            return False
        if node.name in ELSEWHERE_TAGS or any(_ELSEWHERE.search(w) for w in class_words(node)):
            return True
    return False


def has_boilerplate_role(tag: Tag) -> bool:
    """Return whether `tag` has an ARIA landmark role that is never the article."""
    role = tag.get("role")
    return isinstance(role, str) and role.strip().lower() in BOILERPLATE_ROLES


def is_hidden(tag: Tag) -> bool:
    """Return whether `tag` is hidden from readers (hidden, aria-hidden, display:none)."""
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def reader_lines(tag: Tag) -> list[str]:
    """Return what a sighted reader sees of `tag`, one string per block (div, p, li...).

    Hidden and screen-reader-only parts ("Author," before a byline) are left out.
    """
    lines: dict[int, list[str]] = {}
    for string in tag.find_all(string=True):
        if isinstance(string, Comment):
            continue
        block = tag
        for node in string.parents:
            if node.name in JUNK_TAGS or is_hidden(node):
                break
            if any(_SCREEN_READER.search(w) or _CONTROLS.search(w) for w in class_words(node)):
                break
            if node is tag:
                lines.setdefault(id(block), []).append(str(string))
                break
            if block is tag and node.name in LINE_TAGS:
                block = node
    return [text for text in (" ".join(" ".join(p).split()) for p in lines.values()) if text]


def is_boilerplate_text(text: str) -> bool:
    """Return whether a whole block's text is a stock furniture phrase or a copyright line."""
    text = text.strip(" \t\n\r|:·•-–—")
    if len(text) <= BOILERPLATE_TEXT_MAX_CHARS and (
        BOILERPLATE_TEXT.match(text) or DATE_ONLY_TEXT.match(text)
    ):
        return True
    return len(text) <= COPYRIGHT_TEXT_MAX_CHARS and bool(COPYRIGHT_TEXT.search(text))


def is_embed(tag: Tag) -> bool:
    """Return whether `tag` is an embedded post (tweet...) whose text belongs to the story."""
    return any(name in KEEP_CLASSES for name in class_words(tag))
