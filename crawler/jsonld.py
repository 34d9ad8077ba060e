"""Read schema.org JSON-LD blocks: find the article node and pull its fields."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup

from crawler.text import normalise_space

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "report",
    }
)
PERSON_TYPES = frozenset({"person"})

_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")


@dataclass
class JsonLdArticle:
    """The fields of a page's JSON-LD article node, as raw strings (not yet validated)."""

    headline: str = ""
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    published: str = ""
    modified: str = ""
    section: str = ""
    publisher: str = ""
    language: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    image: str = ""
    breadcrumbs: list[str] = field(default_factory=list)  # BreadcrumbList names, in order
    page_types: frozenset[str] = frozenset()  # every @type on the page, lowercased
    free: bool | None = None  # isAccessibleForFree, when the article node says


def read_jsonld(soup: BeautifulSoup) -> JsonLdArticle:
    """Return the fields of the first article-typed JSON-LD node on the page (empty if none)."""
    nodes: list[dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile(r"^\s*application/ld\+json", re.I)):
        data = _load(script.get_text())
        if data is not None:
            _collect(data, nodes)
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    page_types = frozenset(t for node in nodes for t in _types(node))
    breadcrumbs = _breadcrumbs(nodes)
    article = next((node for node in nodes if _types(node) & ARTICLE_TYPES), None)
    if article is None:
        return JsonLdArticle(breadcrumbs=breadcrumbs, page_types=page_types)
    people, organisations = _credits(article.get("author"), by_id)
    publisher = _resolve(_first(article.get("publisher")), by_id)
    return JsonLdArticle(
        headline=_text(article.get("headline")) or _text(article.get("name")),
        people=people,
        organisations=organisations,
        published=_text(article.get("datePublished")) or _text(article.get("dateCreated")),
        modified=_text(article.get("dateModified")),
        section=_text(article.get("articleSection")),
        publisher=_text(publisher.get("name")) if isinstance(publisher, dict) else "",
        language=_language(article.get("inLanguage")),
        description=_text(article.get("description")),
        keywords=_keywords(article.get("keywords")),
        image=_image(article.get("image"), by_id),
        breadcrumbs=breadcrumbs,
        page_types=page_types,
        free=_boolean(article.get("isAccessibleForFree")),
    )


def _load(raw: str) -> Any:
    try:
        return json.loads(_WRAPPERS.sub("", raw).strip().rstrip(";"), strict=False)
    except (ValueError, RecursionError):  # nesting past Python's recursion limit too
        logger.debug("skipping a JSON-LD block that is not valid JSON")
        return None


def _collect(data: Any, nodes: list[dict[str, Any]]) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@type" in item:
                nodes.append(item)
            graph = item.get("@graph")
            if graph is not None:
                stack.append(graph)
            main_entity = item.get("mainEntity")
            if isinstance(main_entity, dict | list):
                stack.append(main_entity)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) <= 2:
        return by_id.get(value["@id"], value)
    return value


def _text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, str):
        return normalise_space(html.unescape(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _credits(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        item = _resolve(item, by_id)
        if isinstance(item, str):
            people.append(_text(item))
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if name:
                types = _types(item)
                (people if not types or types & PERSON_TYPES else organisations).append(name)
    return [p for p in people if p], organisations


def _breadcrumbs(nodes: list[dict[str, Any]]) -> list[str]:
    trail = next((node for node in nodes if "breadcrumblist" in _types(node)), None)
    if trail is None:
        return []
    items = [i for i in _as_list(trail.get("itemListElement")) if isinstance(i, dict)]
    items.sort(
        key=lambda item: item.get("position") if isinstance(item.get("position"), int) else 0
    )
    names = []
    for item in items:
        thing = item.get("item")
        name = _text(item.get("name")) or (
            _text(thing.get("name")) if isinstance(thing, dict) else ""
        )
        if name:
            names.append(name)
    return names


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _language(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("alternateName")) or _text(value.get("name"))
    return _text(value)


def _keywords(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    words: list[str] = []
    for item in items:
        if isinstance(item, str):
            words.extend(part for part in (w.strip() for w in item.split(",")) if part)
    return words


def _image(value: Any, by_id: dict[str, dict[str, Any]]) -> str:
    value = _resolve(_first(value), by_id)
    if isinstance(value, dict):
        return _text(value.get("url")) or _text(value.get("contentUrl"))
    return _text(value)
