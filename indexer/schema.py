"""The Whoosh schema of the archive index and the mapping from `Article` to its fields."""

from __future__ import annotations

from typing import Any

from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

from crawler import Article

# Stored fields are what a result list shows; bodies for snippets come from the article store.
TEXT_FIELDS = ("title", "description", "body")
FIELD_BOOSTS = {"title": 3.0, "description": 1.5, "body": 1.0}


def text_analyzer() -> Any:
    """Return the free-text analyzer: tokenise, lowercase, drop stop words, stem, fold accents."""
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def build_schema() -> Schema:
    """Return a fresh schema for the archive index."""
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=TEXT(stored=True, analyzer=analyzer, field_boost=FIELD_BOOSTS["title"]),
        description=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["description"]),
        body=TEXT(analyzer=analyzer),
        authors=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        source=ID(stored=True, sortable=True),
        section=ID(stored=True, sortable=True),
        language=ID(stored=True, sortable=True),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True),
        published=DATETIME(stored=True, sortable=True),
        year=NUMERIC(sortable=True),
    )


def article_fields(article: Article) -> dict[str, Any]:
    """Return the index fields of `article` (empty values left out, as Whoosh expects)."""
    fields: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "description": article.description,
        "body": article.text,
        # KEYWORD(commas=True) splits on commas; names themselves may hold none.
        "authors": ",".join(name.replace(",", " ") for name in article.authors),
        "source": article.source,
        "section": article.section,
        "language": article.language,
        "tags": ",".join(tag.replace(",", " ") for tag in article.tags),
    }
    if article.published is not None:
        # Whoosh compares naive datetimes; the index holds UTC throughout.
        fields["published"] = article.published.replace(tzinfo=None)
        fields["year"] = article.published.year
    return {name: value for name, value in fields.items() if value not in ("", None)}
