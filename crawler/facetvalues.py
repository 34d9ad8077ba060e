"""The one rule set that makes author, source and section values fit for a facet.

The extractor applies these rules to what it reads, and the indexer applies them again to
every `Article` it indexes, so re-indexing mends an archive built before a rule existed.
Every function returns "" (or drops the value) rather than keep a value that breaks a rule.

Rules for every facet value:
  1. Whitespace: runs of whitespace (no-break and zero-width spaces too) become one space;
     separators and quotes around the value ("| News |", "“Politics”") are stripped.
  2. Never a URL, path, e-mail address, or a value without a letter.
  3. Never a placeholder ("Homepage", "post", "Uncategorized", "No Author", "Hosted").
Sources (the publication's name):
  4. A leading "@" is dropped ("@politifact" -> "politifact").
  5. A URL or host name becomes the host without "www." ("https://www.wday.ru" -> "wday.ru").
  6. At most SOURCE_MAX_CHARS characters.
Sections (a short name of the site's own section):
  7. Never a handle ("@pshanley88"), a domain ("gizmodo.com"), a path ("/columnists/"),
     a slug ("crime-safety"), a list ("News, Politics") or a sentence ("Read more…").
  8. At most SECTION_MAX_WORDS words and SECTION_MAX_CHARS characters.
  9. Case variants fold to one form: an all-lowercase value is capitalised ("news" -> "News",
     "u.s. news" -> "U.s. News"), an all-capitals one of more than 3 letters too
     ("POLITICS" -> "Politics"); mixed case is the site's own spelling and is kept.
Authors (people, never organisations, places or page furniture):
  10. Role prefixes and labels go ("By", "BY:", "Analysis by", "Text:", "Текст:", "Von", "Par").
  11. A name is 1 to NAME_MAX_WORDS words (1 only where byline markup vouches for it), each
      capitalised (or a particle such as "von", "de", "bin", or an initial), with no digits
      and no punctuation but . ' ’ - ; no word of NOT_NAME_WORDS ("Privacy", "Contact",
      "Sponsored", "Meal") or ORGANISATION_WORDS ("Staff", "Reuters", "Desk").
  12. A name in capitals is title-cased ("JANE DOE" -> "Jane Doe").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urlsplit

from crawler.article import Article

SOURCE_MAX_CHARS = 60
SECTION_MAX_CHARS = 40
SECTION_MAX_WORDS = 4
NAME_MAX_WORDS = 5
NAME_MAX_CHARS = 60

PLACEHOLDERS = frozenset(
    {
        "post",
        "posts",
        "page",
        "article",
        "articles",
        "artikel",
        "beitrag",
        "beiträge",
        "story",
        "stories",
        "home",
        "homepage",
        "home page",
        "start",
        "startseite",
        "accueil",
        "inicio",
        "portada",
        "главная",
        "index",
        "default",
        "uncategorized",
        "uncategorised",
        "allgemein",
        "general",
        "none",
        "null",
        "undefined",
        "n/a",
        "unknown",
        "no author",
        "anonymous",
        "hosted",
        "detail",
        "details",
        "content",
        "main",
        "blog",
        "email me",
        "read more",
        "more",
        "zurück",
        "back",
        "next",
        "previous",
        "search",
        "suche",
        "menu",
    }
)
# Credits that name an organisation rather than a person.
ORGANISATION_WORDS = frozenset(
    {
        "staff",
        "contributors",
        "contributor",
        "reuters",
        "ap",
        "afp",
        "dpa",
        "associated",
        "press",
        "agency",
        "agencies",
        "news",
        "editorial",
        "editors",
        "redaktion",
        "rédaction",
        "redacción",
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
        "gmbh",
        "e.v",
        "inc",
        "ltd",
        "llc",
    }
)
# Capitalised words of page furniture, places and phrases that never stand in a person's name.
NOT_NAME_WORDS = frozenset(
    {
        "privacy",
        "policy",
        "contact",
        "us",
        "about",
        "terms",
        "conditions",
        "cookie",
        "cookies",
        "sponsored",
        "links",
        "link",
        "subscribe",
        "newsletter",
        "follow",
        "share",
        "print",
        "email",
        "e-mail",
        "login",
        "sign",
        "register",
        "home",
        "menu",
        "search",
        "more",
        "read",
        "all",
        "posts",
        "articles",
        "article",
        "stories",
        "comments",
        "comment",
        "kommentar",
        "kommentare",
        "meal",
        "recipe",
        "recipes",
        "now",
        "get",
        "the",
        "and",
        "our",
        "your",
        "my",
        "this",
        "san",
        "santa",
        "los",
        "las",
        "new",
        "york",
        "city",
        "county",
        "street",
        "university",
        "school",
        "hospital",
        "police",
        "department",
        "ministry",
        "government",
        "council",
        "party",
        "club",
        "analysis",
        "opinion",
        "review",
        "update",
        "updated",
        "published",
        "advertisement",
        "anzeige",
        "werbung",
        "impressum",
        "datenschutz",
        "kontakt",
        "archiv",
        "archive",
        "tags",
        "category",
        "publisher",
        "editor",
        "photo",
        "photos",
        "video",
        "live",
        "week",
        "day",
        "today",
        "mehr",
        "artikel",
        "alle",
    }
)
# Lowercase words that do stand inside personal names ("Christoph von Eichhorn").
NAME_PARTICLES = frozenset(
    {
        "von",
        "van",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "zu",
        "ter",
        "ten",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "e",
    }
)
_ROLE_PREFIX = re.compile(
    r"""^\s*(?:
        (?:[\w-]+\s+){0,2}?by\s*:?\s+
      | (?:von|vom|par|por|door|от)\s*:?\s+
      | .*\b(?:im\ gespräch\ mit|in\ conversation\ with|interviewed\ by)\s+
      | [^\W\d_][\w-]{0,24}\s*:\s+
    )""",
    re.I | re.X,
)
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_EDGES = " \t|/\\-–—:;,·•»«\"'“”„‘’()[]"
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|www\.)|@\S+\.\w", re.I)
_DOMAIN = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}$", re.I)
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_LIST = re.compile(r"[,;|]")
_SENTENCE_END = re.compile(r"[.!?…]$")
_NAME_WORD = re.compile(r"^(?:[^\W\d_][.]?|[^\W\d_][^\W\d_.'’-]*(?:[.'’-][^\W\d_]+)*[.]?)$")
_UNCASED = re.compile(r"[^\W\d_]")
_ACRONYM_MAX = 3


def clean_space(value: str) -> str:
    """Return `value` with whitespace collapsed and separators or quotes around it stripped."""
    return _SPACE.sub(" ", value).strip(_EDGES)


def clean_source(value: str) -> str:
    """Return `value` as a publication name ("" if it cannot be one)."""
    value = clean_space(value).lstrip("@")
    if _URL.match(value) or _DOMAIN.match(value):
        value = host_label(value)
    if (
        not value
        or not _UNCASED.search(value)
        or len(value) > SOURCE_MAX_CHARS
        or value.casefold() in PLACEHOLDERS
    ):
        return ""
    return value


def host_label(value: str) -> str:
    """Return the host of a URL or host name, without "www." ("" if it has none)."""
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    return host.removeprefix("www.")


def clean_section(value: str, *, fold: bool = True) -> str:
    """Return `value` as a section name ("" if none); its case folded unless `fold` is False."""
    if "/" in value:
        return ""  # a path ("/columnists/") or two sections in one
    value = clean_space(value)
    if (
        not value
        or value.startswith("@")
        or _URL.match(value)
        or _DOMAIN.match(value)
        or _SLUG.match(value)
        or _LIST.search(value)
        or _SENTENCE_END.search(value)
        or not _UNCASED.search(value)
        or any(ch.isdigit() for ch in value)
        or len(value) > SECTION_MAX_CHARS
        or len(value.split()) > SECTION_MAX_WORDS
        or value.casefold() in PLACEHOLDERS
    ):
        return ""
    return fold_case(value) if fold else value


def fold_case(value: str) -> str:
    """Return one spelling for case variants: lowercase and long capitals are capitalised."""
    letters = [ch for ch in value if ch.isalpha()]
    if value.islower() or (value.isupper() and len(letters) > _ACRONYM_MAX):
        return " ".join(word[:1].upper() + word[1:].lower() for word in value.split())
    return value


def strip_role(credit: str) -> str:
    """Return `credit` without a role prefix or label ("Analysis by", "BY:", "Текст:")."""
    return clean_space(_ROLE_PREFIX.sub("", clean_space(credit)))


def clean_author(name: str, *, single_word: bool = True) -> str:
    """Return `name` as a person's name ("" if it is not one); one word only if `single_word`."""
    name = strip_role(name)
    if name.isupper() and len(name) > _ACRONYM_MAX:
        name = name.title()
    words = name.split()
    if (
        not words
        or len(words) > NAME_MAX_WORDS
        or len(name) > NAME_MAX_CHARS
        or (len(words) == 1 and not single_word and not _is_unicase(name))
        or name.casefold() in PLACEHOLDERS
    ):
        return ""
    return name if all(_is_name_word(w, i, len(words)) for i, w in enumerate(words)) else ""


def clean_authors(names: Iterable[str]) -> list[str]:
    """Return the people among `names`, cleaned, each once."""
    unique: dict[str, str] = {}
    for name in names:
        cleaned = clean_author(name)
        if cleaned:
            unique.setdefault(cleaned.casefold(), cleaned)
    return list(unique.values())


def normalise_facets(article: Article) -> Article:
    """Return `article` with its authors, source and section cleaned by these rules."""
    return replace(
        article,
        authors=clean_authors(article.authors),
        source=clean_source(article.source) or host_label(article.url),
        section=clean_section(article.section),
    )


def _is_unicase(text: str) -> bool:
    # Scripts without capitals (Chinese, Korean, Arabic...) write a whole name as one word.
    return bool(_UNCASED.search(text)) and not any(ch.isupper() or ch.islower() for ch in text)


def _is_name_word(word: str, index: int, count: int) -> bool:
    if _is_unicase(word):
        return True
    folded = word.strip(".").casefold()
    if folded in NAME_PARTICLES:
        return 0 < index < count - 1
    if folded in NOT_NAME_WORDS or folded in ORGANISATION_WORDS:
        return False
    return bool(_NAME_WORD.match(word)) and word[0].isupper()
