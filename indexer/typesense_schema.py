"""The Typesense collection schema of the archive and the mapping between `Article`s and
Typesense documents."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from crawler import Article
from indexer.schema import DEFAULTS

# Typesense's query_by_weights are whole numbers: the title weighs 3 and the description 1.5
# times the body, as in indexer.schema.FIELD_BOOSTS.
TEXT_FIELDS = ("title", "description", "text")
TEXT_WEIGHTS = (6, 3, 2)
# Public facet names, each a Typesense field of the same name.
FACETS = ("source", "section", "authors", "language", "access", "tags", "year", "month")
# Article fields kept as given (dates as ISO 8601), for `from_document`.
_KEPT = ("published_at", "modified", "fetched_at", "image_url")
# Search highlights come back wrapped in these; they are removed from indexed text, so every
# one in a snippet is a highlight's edge (see `marked_snippet` in typesense_backend).
MARK_START = "\x02"
MARK_END = "\x03"
_MARKS = re.compile(f"[{MARK_START}{MARK_END}]")


def _field(name: str, kind: str, **options: Any) -> dict[str, Any]:
    """Return one field of the collection schema."""
    return {"name": name, "type": kind, **options}


def collection_schema(name: str) -> dict[str, Any]:
    """Return the schema of a Typesense collection called `name` holding archive articles."""
    return {
        "name": name,
        "fields": [
            _field("title", "string", optional=True),
            _field("description", "string", optional=True),
            _field("text", "string"),
            _field("authors", "string[]", facet=True, optional=True),
            _field("source", "string", facet=True, optional=True),
            _field("section", "string", facet=True, optional=True),
            _field("language", "string", facet=True, optional=True),
            _field("access", "string", facet=True, optional=True),
            _field("tags", "string[]", facet=True, optional=True),
            _field("published", "int64", optional=True),  # unix seconds, for filters
            # Sorting needs a value in every document: undated ones sort last by `undated`.
            _field("sort_date", "int64"),
            _field("undated", "int32"),
            _field("year", "string", facet=True, optional=True),
            _field("month", "string", facet=True, optional=True),  # "2015-09"
            # Near-duplicates share `dupkey`; `simband` finds candidates (see indexer.dupes).
            _field("dupkey", "string", facet=True),
            _field("simband", "string[]", optional=True),
            _field("stored_at", "int64"),
            # Kept, not searched: what `get` needs to give the Article back.
            _field("url", "string", index=False, optional=True),
            _field("simhash", "string", index=False, optional=True),
            *(_field(name, "string", index=False, optional=True) for name in _KEPT),
        ],
    }


def to_document(
    article: Article,
    dupkey: str,
    simhash: int | None,
    simbands: list[str],
    stored_at: int,
) -> dict[str, Any]:
    """Return the Typesense document of `article` with its near-duplicate key."""
    published = article.published
    document: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "title": _clean(article.title),
        "description": _clean(article.description),
        "text": _clean(article.text),
        "authors": list(article.authors),
        "source": article.source,
        "section": article.section,
        "language": article.language,
        "access": article.access,
        "tags": list(article.tags),
        "sort_date": int(published.timestamp()) if published else 0,
        "undated": int(published is None),
        "dupkey": dupkey,
        "simband": simbands,
        "stored_at": stored_at,
        "published_at": published.isoformat() if published else None,
        "modified": article.modified.isoformat() if article.modified else None,
        "fetched_at": article.fetched_at.isoformat() if article.fetched_at else None,
        "image_url": article.image_url,
    }
    if simhash is not None:
        document["simhash"] = f"{simhash:x}"
    if published is not None:
        document["published"] = int(published.timestamp())
        document["year"] = f"{published.year:04d}"
        document["month"] = f"{published.year:04d}-{published.month:02d}"
    return {name: value for name, value in document.items() if value not in ("", [], None)}


def _clean(text: str) -> str:
    """Return `text` without the characters that mark highlights."""
    return _MARKS.sub("", text)


def from_document(document: dict[str, Any]) -> Article:
    """Return the `Article` a Typesense document was made from (its text without MARK_START
    and MARK_END, which indexing drops)."""
    dates = {
        name: datetime.fromisoformat(document[key])
        for name, key in (("published", "published_at"), ("modified",) * 2, ("fetched_at",) * 2)
        if document.get(key)
    }
    return Article(
        url=document["url"],
        title=document.get("title", ""),
        text=document.get("text", ""),
        authors=list(document.get("authors", [])),
        section=document.get("section", ""),
        source=document.get("source", ""),
        language=document.get("language", ""),
        access=document.get("access", DEFAULTS["access"]),
        description=document.get("description", ""),
        tags=list(document.get("tags", [])),
        image_url=document.get("image_url", ""),
        id=document["id"],
        **dates,
    )
