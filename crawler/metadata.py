"""Article metadata, each field taken from the most trustworthy source the page offers.

Order of trust, per field: JSON-LD, then <meta> (OpenGraph, Twitter, Dublin Core, article:*),
then microdata (itemprop), then <time datetime>, then the visible byline, then the URL.
Two fields follow the order their standards make more reliable: `source` prefers og:site_name
over JSON-LD publisher, and `language` prefers <html lang> over the metas and JSON-LD.
"""

from __future__ import annotations

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

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
BYLINE_WORDS = frozenset({"byline", "author", "authors", "author-name", "by-line", "writer"})
BREADCRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs", "crumbs"})
# The label above a headline naming its section ("kicker" in newsroom speech).
KICKER_WORDS = frozenset(
    {"kicker", "eyebrow", "rubric", "overline", "section-name", "section-label", "cat-links"}
)
KICKER_MAX_CHARS = 40
_HOME = re.compile(r"^(home|homepage|start|accueil|inicio|startseite|главная|news)$", re.I)
DATELINE_WORDS = frozenset(
    {"dateline", "date", "timestamp", "pubdate", "pubtime", "published", "publish-date", "meta"}
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

# Credits that name an organisation rather than a person; such credits leave `authors` empty.
ORGANISATION_WORDS = frozenset(
    {
        "staff",
        "contributors",
        "contributor",
        "reuters",
        "ap",
        "afp",
        "associated",
        "press",
        "agency",
        "agencies",
        "news",
        "editorial",
        "editors",
        "desk",
        "team",
        "bureau",
        "service",
        "newsroom",
        "wire",
        "wires",
        "radio",
        "television",
        "tv",
        "online",
        "media",
        "network",
        "admin",
        "administrator",
        "webmaster",
    }
)
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|reporting|story|words)\s+)?(?:by|von|par|por|автор:?)\s+",
    re.I,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bи\b)\s*", re.I)
_CLOCK = re.compile(r"\d[:.h時시]\d\d")
_STANDALONE_BYLINE = re.compile(r"^\s*By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}\s*$")
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
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BYLINE_PARTS = re.compile(r"\s*[|•·]\s*")
_MAX_NAME_WORDS = 5


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
    site_names = [n for n in (*meta.get("og:site_name", []), ld.publisher) if n]
    if not site_names and base:
        site_names = _host_in_title(soup, base)
    title, suffix = _title(soup, ld, meta, site_names)
    source = _pick(*meta.get("og:site_name", []), ld.publisher, suffix)
    if not source and base:
        source = host_name(base)
    language = _language(soup, ld, meta) or detect_language(_paragraph_text(soup))
    local = local_zone(language)
    return Metadata(
        url=canonical or "",
        title=title,
        authors=_authors(soup, ld, meta, [*site_names, source]),
        published=_published(soup, ld, meta, base, local),
        modified=_first_date(
            [ld.modified, *_values(meta, MODIFIED_KEYS), _itemprop(soup, "dateModified")], local
        ),
        section=_section(soup, ld, meta, title),
        source=source,
        language=language,
        description=_pick(ld.description, *_values(meta, DESCRIPTION_KEYS)),
        tags=_tags(ld, meta),
        image_url=absolute_url(
            _pick(ld.image, *_values(meta, IMAGE_KEYS), _itemprop(soup, "image")), base
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
    credit = _BY_PREFIX.sub("", credit)
    names = []
    if _NOT_A_CREDIT.match(credit):
        return []
    for name in _NAME_SPLIT.split(_EMAIL.sub(" ", credit)):
        name = _NAME_SUFFIX.sub("", _BY_PREFIX.sub("", name)).strip(" .:-–—")
        if name:
            names.append(name.title() if name.isupper() and len(name) > 3 else name)
    return names


def is_person(name: str, organisations: Iterable[str] = ()) -> bool:
    """Return whether a credited `name` looks like a person rather than an organisation."""
    words = name.split()
    if not words or len(words) > _MAX_NAME_WORDS or len(name) > 60:
        return False
    if len(words) == 1 and not _CJK.search(name):
        return False  # "Facebook", "Print": people are credited by more than one name
    if is_boilerplate_text(name):
        return False  # "Read More", "Share this"
    if any(ch.isdigit() for ch in name) or any(s in name for s in ("@", "/", "http", "(")):
        return False
    if any(w.strip(".,'’").lower() in ORGANISATION_WORDS for w in words):
        return False
    # An all-capitals word inside a mixed-case credit is an acronym: "VOA Lingala".
    if not name.isupper() and any(len(w) > 1 and w.isupper() and w.isalpha() for w in words):
        return False
    key = _squash(name)
    return not any(
        key and (key in _squash(org) or _squash(org) == key) for org in organisations if org
    )


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
    names = [_squash(n) for n in site_names if n and _squash(n)]
    for separator in TITLE_SEPARATORS:
        if separator not in title:
            continue
        head, _, tail = title.rpartition(separator)
        if head.strip() and _matches_any(tail, names):
            return head.strip(), tail.strip()
        first, _, rest = title.partition(separator)
        if rest.strip() and _matches_any(first, names):
            return rest.strip(), first.strip()
    return title, ""


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


def _itemprop(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find(attrs={"itemprop": re.compile(rf"(?:^|\s){name}(?:\s|$)")})
    return _item_value(tag) if isinstance(tag, Tag) else ""


def _item_value(tag: Tag) -> str:
    for attr in ("content", "datetime", "href", "src"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    named = tag.find(attrs={"itemprop": "name"})
    return normalise_space((named if isinstance(named, Tag) else tag).get_text(" "))


def _title(
    soup: BeautifulSoup, ld: JsonLdArticle, meta: dict[str, list[str]], site_names: list[str]
) -> tuple[str, str]:
    h1 = soup.find("h1")
    h1_text = normalise_space(h1.get_text(" ")) if isinstance(h1, Tag) else ""
    title_tag = soup.find("title")
    title_text = normalise_space(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
    title = _pick(
        ld.headline, *_values(meta, TITLE_KEYS), _itemprop(soup, "headline"), h1_text, title_text
    )
    title, suffix = strip_site_name(title, site_names)
    if not suffix:
        # No declared site name: the <title> suffix is whatever follows the clean headline.
        for headline in (title, h1_text):
            for separator in TITLE_SEPARATORS:
                if headline and title_text.startswith(headline + separator):
                    suffix = title_text[len(headline) + len(separator) :].strip()
                    if title == title_text:
                        title = headline
                    return title, suffix
    return title, suffix


def _authors(
    soup: BeautifulSoup, ld: JsonLdArticle, meta: dict[str, list[str]], organisations: list[str]
) -> list[str]:
    organisations = [*organisations, *ld.organisations]
    # In order of trust; each source is read only if those before it named nobody.
    credits: tuple[Callable[[], Iterable[str]], ...] = (
        lambda: ld.people,
        lambda: (v for v in _values(meta, AUTHOR_KEYS) if not v.startswith(("http:", "https:"))),
        lambda: (
            _item_value(t)
            for t in soup.find_all(attrs={"itemprop": "author"})
            if not is_about_other_stories(t)
        ),
        lambda: (
            a.get_text(" ")
            for a in soup.find_all("a", rel="author")
            if not is_about_other_stories(a)
        ),
        lambda: _byline_texts(soup),
        lambda: _standalone_bylines(soup),
    )
    for source in credits:
        names = [n for c in source() for n in split_names(c) if is_person(n, organisations)]
        if names:
            return list(dict.fromkeys(names))
    return []


def _byline_texts(soup: BeautifulSoup) -> list[str]:
    # Every byline-like block but those about other stories; the first naming people wins.
    for tag in soup.find_all(_has_word(BYLINE_WORDS)):
        if is_about_other_stories(tag):
            continue
        parts = [part for line in reader_lines(tag) for part in _BYLINE_PARTS.split(line)]
        credits = [p for p in parts if p and not any(ch.isdigit() for ch in p)]
        if any(is_person(name) for credit in credits for name in split_names(credit)):
            return credits
    return []


def _standalone_bylines(soup: BeautifulSoup) -> Iterator[str]:
    # Old layouts print "By Jane Doe" on a line of its own, with no markup to say so.
    body = soup.body or soup
    for string in body.find_all(string=_STANDALONE_BYLINE):
        if not is_about_other_stories(string.parent):
            yield " ".join(string.split())


def _has_word(words: frozenset[str]) -> Callable[[Tag], bool]:
    # Word match within class names, as for the boilerplate vocabulary: "story-byline__name".
    pattern = re.compile(r"(?:^|-)(?:" + "|".join(map(re.escape, sorted(words))) + r")(?:-|$)")

    def match(tag: Tag) -> bool:
        return any(pattern.search(name) for name in class_words(tag))

    return match


def _published(
    soup: BeautifulSoup,
    ld: JsonLdArticle,
    meta: dict[str, list[str]],
    url: str | None,
    local: tzinfo,
) -> datetime | None:
    found = _first_date(
        [
            ld.published,
            *_values(meta, PUBLISHED_KEYS),
            _itemprop(soup, "datePublished"),
            *_time_datetimes(soup),
            *(
                t.get_text(" ")
                for t in soup.find_all(_has_word(DATELINE_WORDS))
                if not is_about_other_stories(t)
            ),
        ],
        local,
    )
    if found is None:
        found = _first_date(_standalone_dates(soup), local)
    if found is None and url:
        parts = url_date_parts(url)
        if parts:
            try:
                found = plausible(datetime(*parts, tzinfo=UTC))
            except ValueError:
                found = None
    return found


def _section(soup: BeautifulSoup, ld: JsonLdArticle, meta: dict[str, list[str]], title: str) -> str:
    declared = _pick(ld.section, *_values(meta, SECTION_KEYS), _itemprop(soup, "articleSection"))
    if declared:
        return declared
    # Then the breadcrumb trail's last step above the article, then a kicker label.
    trails = [ld.breadcrumbs] + [
        [normalise_space(a.get_text(" ")) for a in crumb.find_all("a")]
        for crumb in soup.find_all(_has_word(BREADCRUMB_WORDS))
    ]
    for trail in trails:
        steps = [s for s in trail if s and not _HOME.match(s) and _squash(s) != _squash(title)]
        if steps:
            return steps[-1]
    for tag in soup.find_all(_has_word(KICKER_WORDS)):
        label = normalise_space(tag.get_text(" "))
        if 0 < len(label) <= KICKER_MAX_CHARS and not is_about_other_stories(tag):
            return label
    return ""


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


def _standalone_dates(soup: BeautifulSoup) -> Iterator[str]:
    # Old layouts print the date on a line of its own, with no markup to say so.
    body = soup.body or soup
    for string in body.find_all(string=True):
        text = " ".join(string.split())
        if 8 <= len(text) <= 40 and DATE_ONLY_TEXT.match(text):
            if not is_about_other_stories(string.parent):
                yield text


def _time_datetimes(soup: BeautifulSoup) -> list[str]:
    scope = soup.find("article") or soup
    times = [
        t
        for t in scope.find_all("time")
        if isinstance(t.get("datetime"), str) and not is_about_other_stories(t)
    ]
    times.sort(key=lambda t: not (t.has_attr("pubdate") or "publish" in " ".join(class_words(t))))
    return [t["datetime"] for t in times]


def _language(soup: BeautifulSoup, ld: JsonLdArticle, meta: dict[str, list[str]]) -> str:
    html_tag = soup.find("html")
    candidates = (
        [html_tag.get("lang") or html_tag.get("xml:lang")] if isinstance(html_tag, Tag) else []
    )
    candidates += [*_values(meta, LANGUAGE_KEYS), ld.language]
    for candidate in candidates:
        if isinstance(candidate, str):
            code = normalise_language(candidate)
            if code:
                return code
    return ""


def _tags(ld: JsonLdArticle, meta: dict[str, list[str]]) -> list[str]:
    tags = list(ld.keywords)
    for value in _values(meta, TAG_KEYS):
        tags.extend(part.strip() for part in value.split(","))
    unique: dict[str, str] = {}
    for tag in tags:
        if tag:
            unique.setdefault(tag.casefold(), tag)
    return list(unique.values())
