"""Article metadata, each field taken from the most trustworthy source the page offers.

Order of trust, per field: JSON-LD, then <meta> (OpenGraph, Twitter, Dublin Core, article:*),
then microdata (itemprop), then <time datetime>, then the visible byline, then the URL.
Two fields follow the order their standards make more reliable: `source` prefers og:site_name
over JSON-LD publisher, and `language` prefers <html lang> over the metas and JSON-LD.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup, Tag

from crawler.boilerplate import (
    DATE_ONLY_TEXT,
    class_words,
    is_about_other_stories,
    is_boilerplate_text,
    reader_lines,
)
from crawler.dates import parse_date, plausible
from crawler.facetvalues import (
    clean_author,
    clean_section,
    clean_source,
    clean_space,
    fold_case,
    host_label,
    strip_role,
)
from crawler.jsonld import JsonLdArticle, read_jsonld
from crawler.language import SAMPLE_CHARS, detect_language
from crawler.text import normalise_space
from crawler.urls import absolute_url, host_name, strip_tracking, url_date_parts

TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "dcterms.title")
AUTHOR_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
)
PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
)
MODIFIED_KEYS = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
SECTION_KEYS = ("article:section", "og:article:section", "section", "parsely-section")
SOURCE_KEYS = ("og:site_name", "application-name")
LANGUAGE_KEYS = ("content-language", "og:locale", "dc.language", "dcterms.language", "language")
DESCRIPTION_KEYS = ("description", "og:description", "twitter:description", "dc.description")
TAG_KEYS = ("keywords", "news_keywords", "article:tag", "parsely-tags")
IMAGE_KEYS = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / ")
BYLINE_WORDS = frozenset(
    {
        "byline",
        "author",
        "authors",
        "author-name",
        "by-line",
        "writer",
        "autor",
        "autoren",
        "autorenzeile",
        "auteur",
        "credits",
    }
)
BREADCRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs", "crumbs"})
# The label above a headline naming its section ("kicker" in newsroom speech).
KICKER_WORDS = frozenset(
    {"kicker", "eyebrow", "rubric", "overline", "section-name", "section-label", "cat-links"}
)
DATELINE_WORDS = frozenset(
    {"dateline", "date", "timestamp", "pubdate", "pubtime", "published", "publish-date", "meta"}
)
# Reader comments and the page's own branding: their names and headings are not the story's.
COMMENT_WORDS = frozenset({"comment", "comments", "kommentar", "kommentare", "respond", "reply"})
LOGO_WORDS = frozenset({"logo", "brand", "branding", "masthead", "site-title", "site-name"})
# Links to an author's page: their text is the credit, whatever surrounds it.
_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|auteur|people|profile|profiles|writers?|journalist"
    r"|journalists|staff|reporters?|mitarbeiter|redakteur|by)[/-]",
    re.I,
)
# A visible "Published: ..." label names the page's own date, whatever else the page dates.
_PUBLISHED_LABEL = re.compile(
    r"^\s*(?:first\s+)?(?:published|posted|veröffentlicht|publié|publicado|pubblicato"
    r"|опубликовано|gepubliceerd)\b\s*(?:on|am|le|el|il|op)?\s*:?\s*\S",
    re.I,
)
# Where most of a language's news is published, for dates printed without a zone.
LOCAL_ZONES = {
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "zh": "Asia/Shanghai",
    "fr": "Europe/Paris",
    "de": "Europe/Berlin",
    "it": "Europe/Rome",
    "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw",
    "tr": "Europe/Istanbul",
    "ru": "Europe/Moscow",
    "uk": "Europe/Kyiv",
}
# Declared languages are overruled only by a confident reading of this much prose.
LANGUAGE_OVERRULE_CHARS = 400

_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bи\b)\s*", re.I)
_CLOCK = re.compile(r"\d[:.h時시]\d\d")
_STANDALONE_BYLINE = re.compile(
    r"^\s*(?:By|Von|Par|Por|Door|Autor|Autorin|Auteur|Author|Text|Texto|Текст|Автор)\s*:?\s+"
    r"[A-ZÀ-ÞА-Я][\w.'’-]+(?:\s+[\w.'’-]+){1,3}\s*$"
)
# Job titles and credits around a name: "김민수 기자", "Photo: A. Smith".
_NAME_SUFFIX = re.compile(
    r"\s+(?:기자|특파원|記者|记者|特派員|特派员|編集委員|reporter|correspondent)\s*$", re.I
)
_NOT_A_CREDIT = re.compile(
    r"^(?:photos?|foto|фото|image|illustration|video|graphics?|grafik|bild)\s*:", re.I
)
_EMAIL = re.compile(r"\s*\S+@\S+\s*")
# Host name labels that are not the site's name.
_HOST_NOISE = frozenset({"www", "m", "amp", "news", "com", "net", "org", "co", "uk", "info", "us"})
_BYLINE_PARTS = re.compile(r"\s*[|•·]\s*")
_PARENTHESISED = re.compile(r"^(?P<head>.+?)\s*\((?P<tail>[^()]+)\)$")


@dataclass
class Metadata:
    """Everything about an article except its body text."""

    url: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    section: str = ""
    source: str = ""
    language: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    image_url: str = ""
    # What the page says it is: JSON-LD @types ("newsarticle") and og:type ("og:article").
    page_types: frozenset[str] = frozenset()
    accessible_for_free: bool | None = None


def extract_metadata(soup: BeautifulSoup, url: str | None = None) -> Metadata:
    """Return the page's metadata; `url` is where it was fetched from (resolves relative links)."""
    ld = read_jsonld(soup)
    meta = meta_values(soup)
    canonical = canonical_url(soup, url, meta)
    base = canonical or url
    marked = _marked_tags(soup)
    site_names = [n for n in (*_values(meta, SOURCE_KEYS), ld.publisher) if n]
    if not site_names and base:
        site_names = _host_in_title(soup, base)
    title, suffixes, headline = _title(soup, marked, ld, meta, site_names)
    story = _story_root(headline)
    names = [_squash(n) for n in site_names]
    title_sections = [p for p in suffixes[1:] if not _matches_any(p, names) and not _is_date(p)]
    section = _section(ld, meta, marked, [title, *site_names], title_sections)
    language = _language(soup, ld, meta)
    local = local_zone(language)
    source = _source(
        [*meta.get("og:site_name", []), ld.publisher, *meta.get("application-name", []), *suffixes],
        section,
        base,
    )
    return Metadata(
        url=canonical or "",
        title=title,
        authors=_authors(soup, story, marked, ld, meta, [*site_names, source]),
        published=_published(soup, story, marked, ld, meta, base, local, suffixes),
        modified=_first_date(
            [ld.modified, *_values(meta, MODIFIED_KEYS), _itemprop(marked, "dateModified")], local
        ),
        section=section,
        source=source,
        language=language,
        description=_pick(ld.description, *_values(meta, DESCRIPTION_KEYS)),
        tags=_tags(ld, meta),
        image_url=absolute_url(
            _pick(ld.image, *_values(meta, IMAGE_KEYS), _itemprop(marked, "image")), base
        )
        or "",
        page_types=ld.page_types | {f"og:{t.lower()}" for t in meta.get("og:type", [])},
        accessible_for_free=ld.free,
    )


def meta_values(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Return every <meta> content keyed by its lowercased name, property or http-equiv."""
    values: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("name", "property", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), []).append(normalise_space(content))
    return values


def canonical_url(
    soup: BeautifulSoup, url: str | None, meta: dict[str, list[str]] | None = None
) -> str | None:
    """Return the canonical URL (rel=canonical, og:url, then `url`) without tracking params.

    A saved page that names no http(s) URL of its own is known by its file:// address.
    """
    meta = meta if meta is not None else meta_values(soup)
    candidates = [
        link.get("href")
        for link in soup.find_all("link", href=True)
        if "canonical" in [r.lower() for r in link.get("rel") or []]
    ]
    for candidate in [*candidates, *meta.get("og:url", []), url]:
        resolved = absolute_url(candidate, url)
        if resolved:
            return strip_tracking(resolved)
    if url and urlsplit(url).scheme == "file":
        return url
    return None


def split_names(credit: str) -> list[str]:
    """Split a credit like "By A, B and C" into names ("A", "B", "C")."""
    credit = " ".join(credit.split())
    if _NOT_A_CREDIT.match(credit):
        return []
    credit = strip_role(credit)
    names = []
    for name in _NAME_SPLIT.split(_EMAIL.sub(" ", credit)):
        name = _NAME_SUFFIX.sub("", clean_space(name))
        if name:
            names.append(name.title() if name.isupper() and len(name) > 3 else name)
    return names


def is_person(name: str, organisations: Iterable[str] = (), *, single_word: bool = False) -> bool:
    """Return whether a credited `name` looks like a person rather than an organisation."""
    cleaned = clean_author(name, single_word=single_word)
    if not cleaned or is_boilerplate_text(cleaned):
        return False  # "Read More", "Share this"
    # An all-capitals word inside a mixed-case credit is an acronym: "VOA Lingala".
    words = cleaned.split()
    if not cleaned.isupper() and any(len(w) > 1 and w.isupper() and w.isalpha() for w in words):
        return False
    key = _squash(cleaned)
    return not any(
        key and (key in _squash(org) or _squash(org) == key) for org in organisations if org
    )


def people(credits: Iterable[str], organisations: Iterable[str], *, single_word: bool) -> list[str]:
    """Return the people named in `credits`, cleaned, each once."""
    organisations = list(organisations)
    names = [
        clean_author(name, single_word=single_word)
        for credit in credits
        for name in split_names(credit)
        if is_person(name, organisations, single_word=single_word)
    ]
    return list(dict.fromkeys(names))


def local_zone(language: str) -> tzinfo:
    """Return the time zone most news in `language` is published in (UTC if unsure)."""
    try:
        return ZoneInfo(LOCAL_ZONES[language])
    except (KeyError, ZoneInfoNotFoundError):
        return UTC


def normalise_language(value: str) -> str:
    """Return the ISO 639-1 code of a tag like "en-US", "en_GB" or "eng" ("" if unknown)."""
    primary = re.split(r"[-_\s]", value.strip().lower(), maxsplit=1)[0] if value else ""
    if len(primary) == 2 and primary.isalpha():
        return primary
    return _ISO_639_2.get(primary, "")


def strip_site_name(title: str, site_names: Iterable[str]) -> tuple[str, str]:
    """Return (title, removed suffix) with a site name joined by " - ", " | "... removed."""
    title, removed = strip_title_parts(title, site_names)
    return title, removed[0] if removed else ""


def strip_title_parts(title: str, site_names: Iterable[str]) -> tuple[str, list[str]]:
    """Return `title` without the site name and the dates or sections beside it, and those parts.

    "Floods | Environnement | DW | 23.05.2011" gives ("Floods", ["DW", "23.05.2011",
    "Environnement"]): parts beyond the site name are only dropped once the site name is.
    """
    names = [_squash(n) for n in site_names if n and _squash(n)]
    removed: list[str] = []
    match = _PARENTHESISED.match(title)
    if match and _matches_any(match["tail"], names):
        return match["head"], [match["tail"]]
    site_separator = ""
    changed = True
    while changed:
        changed = False
        for separator in TITLE_SEPARATORS:
            head, found, tail = title.rpartition(separator)
            if found and head.strip() and (_matches_any(tail, names) or _is_date(tail)):
                site_separator = site_separator or (separator if _matches_any(tail, names) else "")
                title, changed = head.strip(), True
                removed.append(tail.strip())
                break
            first, found, rest = title.partition(separator)
            if found and rest.strip() and _matches_any(first, names):
                title, changed = rest.strip(), True
                removed.append(first.strip())
                break
    # A section between the headline and the site name: "Floods | Environnement | DW".
    head, found, tail = title.rpartition(site_separator or "\0")
    if found and len(tail.split()) <= 2 < len(head.split()):
        return head.strip(), [*removed, tail.strip()]
    return title, removed


_ISO_639_2 = {
    "eng": "en",
    "rus": "ru",
    "ukr": "uk",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "pol": "pl",
    "tur": "tr",
    "ara": "ar",
    "fas": "fa",
    "per": "fa",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "nld": "nl",
    "dut": "nl",
    "english": "en",
    "russian": "ru",
    "french": "fr",
    "german": "de",
    "spanish": "es",
}


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _matches_any(part: str, names: list[str]) -> bool:
    key = _squash(part)
    return bool(key) and any(key == n or n in key or key in n for n in names)


def _values(meta: dict[str, list[str]], keys: Iterable[str]) -> Iterator[str]:
    for key in keys:
        yield from meta.get(key, [])


def _pick(*candidates: str | None) -> str:
    return next((c.strip() for c in candidates if c and c.strip()), "")


def _first_date(candidates: Iterable[str | None], local: tzinfo = UTC) -> datetime | None:
    # The first date found wins, except that a bare day (2012-05-03) yields to a later
    # candidate giving the time on that same day (2012年05月03日 10:25:36).
    best: datetime | None = None
    for value in candidates:
        found = parse_date(value, local=local)
        if found is None:
            continue
        has_time = bool(value and _CLOCK.search(value))
        if best is None:
            best = found
            if has_time:
                return best
        elif has_time and found.astimezone(local).date() == best.astimezone(local).date():
            return found
    return best


def _items(marked: dict[frozenset[str], list[Tag]], name: str) -> list[Tag]:
    return marked.get(frozenset({f"itemprop:{name}"}), [])


def _itemprop(marked: dict[frozenset[str], list[Tag]], name: str) -> str:
    tags = _items(marked, name)
    return _item_value(tags[0]) if tags else ""


def _item_value(tag: Tag) -> str:
    for attr in ("content", "datetime", "href", "src"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    named = tag.find(attrs={"itemprop": "name"})
    return normalise_space((named if isinstance(named, Tag) else tag).get_text(" "))


def _is_date(text: str) -> bool:
    text = text.strip()
    return len(text) <= 40 and bool(DATE_ONLY_TEXT.match(text) or _NUMERIC_DATE.match(text))


def _marked_tags(soup: BeautifulSoup) -> dict[frozenset[str], list[Tag]]:
    # One walk over the tree finds every element whose class names a byline, breadcrumb,
    # kicker or dateline; each later pass reads its own list.
    vocabularies = (BYLINE_WORDS, BREADCRUMB_WORDS, KICKER_WORDS, DATELINE_WORDS)
    patterns = [(words, _word_pattern(words)) for words in vocabularies]
    marked: dict[frozenset[str], list[Tag]] = {words: [] for words in vocabularies}
    marked[_H1] = []
    for tag in soup.find_all(True):
        if tag.name == "h1":
            marked[_H1].append(tag)
        item = tag.get("itemprop")
        if isinstance(item, str):
            for name in item.split():
                marked.setdefault(frozenset({f"itemprop:{name}"}), []).append(tag)
        names = class_words(tag)
        if not names:
            continue
        for words, pattern in patterns:
            if any(pattern.search(name) for name in names):
                marked[words].append(tag)
    return marked


_H1 = frozenset({"h1"})
_WORD = re.compile(r"\w+")
_CJK_GAP = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff]) (?=[\u3040-\u30ff\u3400-\u9fff])")
# Share of the shorter headline's words the other must hold to be the same headline reworded.
SIMILAR_SHARE = 0.5
_NUMERIC_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


@functools.cache
def _word_pattern(words: frozenset[str]) -> re.Pattern[str]:
    # Word match within class names, as for the boilerplate vocabulary: "story-byline__name".
    return re.compile(r"(?:^|-)(?:" + "|".join(map(re.escape, sorted(words))) + r")(?:-|$)")


def _has_class(tag: Tag, words: frozenset[str]) -> bool:
    pattern = _word_pattern(words)
    return any(pattern.search(name) for node in (tag, *tag.parents) for name in class_words(node))


def _headlines(marked: dict[frozenset[str], list[Tag]], site_names: list[str]) -> list[Tag]:
    # The <h1>s that may be the story's headline: never the site's name (a logo).
    names = {_squash(n) for n in site_names if _squash(n)} | {""}
    return [h1 for h1 in marked[_H1] if _squash(h1.get_text()) not in names]


def _in_page_chrome(tag: Tag) -> bool:
    # Navigation, logo markup, a page header (not an article's own <header>), other stories;
    # inside an <article> or <main>, only the blocks below it count.
    root = tag.find_parent(["article", "main"])
    chrome = ("nav", "footer", "aside") if root else ("nav", "footer", "aside", "header")
    for node in (tag, *tag.parents):
        if node is root:
            break
        logo = _word_pattern(LOGO_WORDS)
        if node.name in chrome or any(logo.search(word) for word in class_words(node)):
            return True
    return is_about_other_stories(tag, root)


def _story_root(headline: Tag | None) -> Tag | None:
    # The element holding the story: the headline's <article> or <main>, when it has one.
    if headline is None:
        return None
    return headline.find_parent(["article", "main"])


def _title(
    soup: BeautifulSoup,
    marked: dict[frozenset[str], list[Tag]],
    ld: JsonLdArticle,
    meta: dict[str, list[str]],
    site_names: list[str],
) -> tuple[str, list[str], Tag | None]:
    headlines = _headlines(marked, site_names)
    chrome = [h1 for h1 in headlines if _in_page_chrome(h1)]
    title_tag = soup.find("title")
    title_text = normalise_space(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
    # A logo <h1> in the page's chrome that the <title> ends with is the site's name.
    site_names = [*site_names, *(t for h in chrome if _ends(title_text, t := _inline_text(h)))]
    page_title, suffixes = strip_title_parts(title_text, site_names)
    declared, _ = strip_title_parts(
        _pick(ld.headline, *_values(meta, TITLE_KEYS), _itemprop(marked, "headline")), site_names
    )
    reference = declared or page_title
    title, headline = reference, None
    visible = [(h1, _inline_text(h1)) for h1 in headlines if h1 not in chrome]
    # The visible headline says it as readers see it; a declared one equal to it but for
    # punctuation keeps its punctuation (a kicker glued to the h1 loses its colon).
    equal = [h1 for h1 in headlines if _squash(_inline_text(h1)) == _squash(reference)]
    similar = [(h1, text) for h1, text in visible if _similar(text, reference)]
    in_story = [(h1, text) for h1, text in visible if h1.find_parent(["article", "main"])]
    if equal:
        headline = equal[0]
    elif similar:
        headline, title = similar[0]
        if _squash(title).endswith(_squash(reference)):
            title = reference  # the h1 holds a kicker before the headline
    elif in_story and (len(visible) == 1 or not declared):
        headline, title = in_story[0]
    elif not reference and visible:
        headline, title = visible[0]
    if not suffixes:
        # No declared site name: the <title> suffix is whatever follows the clean headline.
        for clean in (title, declared):
            for separator in TITLE_SEPARATORS:
                if clean and title_text.startswith(clean + separator):
                    suffixes = [title_text[len(clean) + len(separator) :].strip()]
    return title, suffixes, headline


def _ends(title: str, name: str) -> bool:
    return any(title.endswith(separator + name) for separator in TITLE_SEPARATORS)


def _inline_text(tag: Tag) -> str:
    # Ruby and inline spans split Chinese and Japanese text: no spaces between their pieces.
    return _CJK_GAP.sub("", normalise_space(tag.get_text(" ")))


def _similar(one: str, other: str) -> bool:
    # Two wordings of one headline: one holds the other, or they share most words.
    a, b = _squash(one), _squash(other)
    if min(len(a), len(b)) >= 10 and (a in b or b in a):
        return True
    words_a, words_b = set(_WORD.findall(one.lower())), set(_WORD.findall(other.lower()))
    smaller = min(len(words_a), len(words_b))
    return smaller >= 3 and len(words_a & words_b) >= SIMILAR_SHARE * smaller


def _authors(
    soup: BeautifulSoup,
    story: Tag | None,
    marked: dict[frozenset[str], list[Tag]],
    ld: JsonLdArticle,
    meta: dict[str, list[str]],
    organisations: list[str],
) -> list[str]:
    organisations = [*organisations, *ld.organisations]
    declared = [
        *ld.people,
        *(v for v in _values(meta, AUTHOR_KEYS) if not v.startswith(("http:", "https:"))),
    ]
    names = people(declared, organisations, single_word=False)
    if names:
        return names
    # Then the page's credit markup, in order of trust; each read only if those before it
    # named nobody. Markup that says "author" vouches for a one-word byline ("Regan").
    scope = story or soup
    credits: tuple[Callable[[], Iterable[str]], ...] = (
        lambda: (_item_value(t) for t in _items(marked, "author") if _in_story(t, story)),
        lambda: (a.get_text(" ") for a in scope.find_all("a", rel="author") if _in_story(a, story)),
        lambda: _byline_texts(marked[BYLINE_WORDS], story),
    )
    for source in credits:
        names = people(source(), organisations, single_word=True)
        if names:
            return names
    return people(_standalone_bylines(scope), organisations, single_word=False)


def _in_story(tag: Tag, story: Tag | None) -> bool:
    # Inside the story's own element, or anywhere but blocks about other stories and comments.
    if story is not None and story not in tag.parents and tag is not story:
        return False
    return not is_about_other_stories(tag, story) and not _has_class(tag, COMMENT_WORDS)


def _byline_texts(tags: list[Tag], story: Tag | None) -> list[str]:
    # Every byline-like block but those about other stories; the first naming people wins.
    for tag in tags:
        if not _in_story(tag, story):
            continue
        linked = [a.get_text(" ") for a in tag.find_all("a", href=_AUTHOR_HREF)]
        parts = [part for line in reader_lines(tag) for part in _BYLINE_PARTS.split(line)]
        credits = linked or [p for p in parts if p and not any(ch.isdigit() for ch in p)]
        if any(is_person(n, single_word=True) for c in credits for n in split_names(c)):
            return credits
    return []


def _standalone_bylines(scope: Tag) -> Iterator[str]:
    # Old layouts print "By Jane Doe" on a line of its own, with no markup to say so.
    for string in scope.find_all(string=_STANDALONE_BYLINE):
        if not is_about_other_stories(string.parent):
            yield " ".join(string.split())


def _published(
    soup: BeautifulSoup,
    story: Tag | None,
    marked: dict[frozenset[str], list[Tag]],
    ld: JsonLdArticle,
    meta: dict[str, list[str]],
    url: str | None,
    local: tzinfo,
    title_parts: list[str],
) -> datetime | None:
    scope = story or soup

    def marked_texts(words: frozenset[str]) -> Iterator[str]:
        return (t.get_text(" ") for t in marked[words] if _in_story(t, story))

    found = _first_date(
        [
            ld.published,
            *_values(meta, PUBLISHED_KEYS),
            _itemprop(marked, "datePublished"),
            *_published_labels(scope),
            *_time_datetimes(scope, story),
            *marked_texts(DATELINE_WORDS),
            *marked_texts(BYLINE_WORDS),
            *(part for part in title_parts if _is_date(part)),
        ],
        local,
    )
    if found is None:
        found = _first_date(_standalone_dates(scope), local)
    if found is None and url:
        parts = url_date_parts(url)
        if parts:
            try:
                found = plausible(datetime(*parts, tzinfo=UTC))
            except ValueError:
                found = None
    return found


def _published_labels(scope: Tag) -> Iterator[str]:
    # "Published: November 18th, 2019", read with the element around the label when the
    # date sits in a sibling element.
    for string in scope.find_all(string=_PUBLISHED_LABEL):
        parent = string.parent
        yield normalise_space(parent.get_text(" ") if parent is not None else string)


def _section(
    ld: JsonLdArticle,
    meta: dict[str, list[str]],
    marked: dict[frozenset[str], list[Tag]],
    not_sections: list[str],
    title_sections: list[str],
) -> str:
    excluded = {_squash(n) for n in not_sections if n}
    tags = {_squash(t) for t in _tags(ld, meta)}
    declared = [ld.section, *_values(meta, SECTION_KEYS), _itemprop(marked, "articleSection")]
    # The breadcrumb trail's last step above the article names the section as the site files
    # it, unless the page declares a section that is not one of its tags ("Taylor Swift").
    trails = [ld.breadcrumbs] + [
        [normalise_space(a.get_text(" ")) for a in crumb.find_all("a")]
        for crumb in marked[BREADCRUMB_WORDS]
    ]
    crumbs = [_pick(*reversed(_sections(trail, excluded))) for trail in trails]
    kickers = (
        normalise_space(t.get_text(" "))
        for t in marked[KICKER_WORDS]
        if not is_about_other_stories(t)
    )
    sections = _sections(declared, excluded, fold=False)
    # An all-lowercase declared value is a machine's ("news", "wiadomosci"): crumbs first.
    untagged = [d for d in sections if _squash(d) not in tags and not (d or "x").islower()]
    return fold_case(
        _pick(
            *untagged,
            *crumbs,
            *sections,
            *_sections(kickers, excluded),
            *_sections(title_sections, excluded),
        )
    )


def _sections(
    candidates: Iterable[str | None], excluded: set[str], *, fold: bool = True
) -> list[str]:
    sections = (clean_section(c or "", fold=fold) for c in candidates)
    return [s for s in sections if s and _squash(s) not in excluded]


def _source(candidates: list[str], section: str, url: str | None) -> str:
    # The publication's name: the first declared name that is no section, handle or URL; a
    # host-like name ("CBSSports.com") yields to a readable spelling of it ("CBS Sports").
    names = [
        clean_source(c)
        for c in candidates
        if c and not c.strip().startswith("@") and _squash(c) != _squash(section)
    ]
    names = [n for n in names if n]
    if not names:
        handles = [clean_source(c) for c in candidates if c.strip().startswith("@")]
        return _pick(*handles) or (host_label(url) if url else "")
    best = names[0]
    key = _squash(_site_key(best))
    for other in names[1:]:
        if _squash(other) == key and _readability(other) > _readability(best):
            best = other
    return best


def _site_key(name: str) -> str:
    # "www.CBSSports.com" -> "CBSSports": the name a host spells.
    if " " in name or "." not in name:
        return name
    labels = [label for label in host_label(name).split(".") if label.lower() not in _HOST_NOISE]
    return labels[0] if labels else name


def _readability(name: str) -> tuple[bool, bool, bool]:
    # Prefer names without a dot, then with spaces, then with capitals.
    return ("." not in name, " " in name, name != name.lower())


def _host_in_title(soup: BeautifulSoup, url: str) -> list[str]:
    # A <title> part spelling the host name ("Valley Newsdesk" on valleynewsdesk.net) is the
    # site's name; only an exact match counts, so a headline word never does.
    labels = [label for label in host_name(url).split(".") if label not in _HOST_NOISE]
    title = soup.find("title")
    if not labels or not isinstance(title, Tag):
        return []
    parts = [title.get_text(" ")]
    for separator in TITLE_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if _squash(part) in (labels[-1], "".join(labels))]


def _paragraph_text(soup: BeautifulSoup) -> str:
    # Enough of the page's prose to tell its language; menus and scripts say little.
    texts: list[str] = []
    for paragraph in soup.find_all("p"):
        texts.append(paragraph.get_text(" "))
        if sum(map(len, texts)) > SAMPLE_CHARS:
            break
    return " ".join(texts)


def _standalone_dates(scope: Tag) -> Iterator[str]:
    # Old layouts print the date on a line of its own, with no markup to say so.
    for string in scope.find_all(string=True):
        text = " ".join(string.split())
        if 8 <= len(text) <= 40 and DATE_ONLY_TEXT.match(text):
            if not is_about_other_stories(string.parent):
                yield text


def _time_datetimes(scope: Tag, story: Tag | None) -> list[str]:
    times = [
        t
        for t in scope.find_all("time")
        if isinstance(t.get("datetime"), str) and _in_story(t, story)
    ]
    times.sort(key=lambda t: not (t.has_attr("pubdate") or "publish" in " ".join(class_words(t))))
    return [t["datetime"] for t in times]


def _language(soup: BeautifulSoup, ld: JsonLdArticle, meta: dict[str, list[str]]) -> str:
    html_tag = soup.find("html")
    candidates = (
        [html_tag.get("lang") or html_tag.get("xml:lang")] if isinstance(html_tag, Tag) else []
    )
    candidates += [*_values(meta, LANGUAGE_KEYS), ld.language]
    codes = (normalise_language(c) for c in candidates if isinstance(c, str))
    declared = next((code for code in codes if code), "")
    text = _paragraph_text(soup)
    if not declared:
        return detect_language(text)
    if len(text) < LANGUAGE_OVERRULE_CHARS:
        return declared
    # Templates declare the site's language on pages in another ("de" on an English story).
    return detect_language(text[: LANGUAGE_OVERRULE_CHARS * 3]) or declared


def _tags(ld: JsonLdArticle, meta: dict[str, list[str]]) -> list[str]:
    tags = list(ld.keywords)
    for value in _values(meta, TAG_KEYS):
        tags.extend(part.strip() for part in value.split(","))
    unique: dict[str, str] = {}
    for tag in tags:
        if tag:
            unique.setdefault(tag.casefold(), tag)
    return list(unique.values())
