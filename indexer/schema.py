"""The Whoosh schema of the archive index and the mapping from `Article` to its fields."""

from __future__ import annotations

from typing import Any

from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from crawler import Article
from crawler.article import Access
from crawler.facetvalues import normalise_facets
from indexer.analysis import LANGUAGE_FIELD_SUFFIXES, analyzer_for_suffix, field_suffix

# Stored fields are what a result list shows; bodies for snippets come from the article store.
TEXT_FIELDS = ("title", "description", "body")
FIELD_BOOSTS = {"title": 3.0, "description": 1.5, "body": 1.0}
# English articles are searched in TEXT_FIELDS; every other language in its own pair of fields
# with its own analyzer (French stems in `title_fr`, `body_fr`; Chinese bigrams in `body_cjk`).
LANGUAGE_SUFFIXES = tuple(suffix for suffix in LANGUAGE_FIELD_SUFFIXES if suffix)

# Facets by their public name, and the sortable column each is counted from.
FACET_FIELDS = {
    "source": "source",
    "section": "section",
    "authors": "author",
    "language": "language",
    "access": "access",
    "tags": "tag",
    "year": "year",
    "month": "month",
}
# Fields added after archives were built, with the value an article indexed before holds,
# and the only values each may hold.
DEFAULTS = {"access": Access.FULL.value}
CHOICES = {"access": tuple(access.value for access in Access)}
# Query-language field names people type, and the index field each searches.
QUERY_FIELDS = {
    "title": "title",
    "description": "description",
    "body": "body",
    "author": "authors",
    "authors": "authors",
    "source": "source",
    "section": "section",
    "language": "language",
    "access": "access",
    "tag": "tags",
    "tags": "tags",
    "published": "published",
    "year": "year",
    "month": "month",
}


def text_analyzer() -> Any:
    """Return the free-text analyzer: tokenise, lowercase, drop stop words, stem, fold accents."""
    from indexer.analysis import FusedAnalyzer

    return FusedAnalyzer(StemmingAnalyzer() | CharsetFilter(accent_map))


def text_fields(suffix: str) -> tuple[str, ...]:
    """Return the text fields articles with language field suffix `suffix` are searched in."""
    return TEXT_FIELDS if not suffix else (f"title_{suffix}", f"body_{suffix}")


def body_field(language: str) -> str:
    """Return the body field articles in `language` are indexed in."""
    return text_fields(field_suffix(language))[-1]


def build_schema() -> Schema:
    """Return a fresh schema for the archive index."""
    analyzer = text_analyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        headline=STORED(),  # the title as shown, whatever the language
        title=TEXT(
            analyzer=analyzer,
            field_boost=FIELD_BOOSTS["title"],
            # Unstemmed title words, for did-you-mean and prefix*/fuzzy~ (bodies would double
            # the cost of indexing).
            spelling=True,
            multitoken_query="phrase",
        ),
        description=TEXT(
            analyzer=analyzer, field_boost=FIELD_BOOSTS["description"], multitoken_query="phrase"
        ),
        # A word the analyzer splits (self-medicating, 2015-09-01) is searched as a phrase.
        body=TEXT(analyzer=analyzer, multitoken_query="phrase"),
        # Names as written, for display, facets and filters; `authors` is the searchable form.
        author=KEYWORD(stored=True, commas=True, sortable=True),
        authors=KEYWORD(lowercase=True, commas=True, scorable=True),
        source=ID(stored=True, sortable=True),
        section=ID(stored=True, sortable=True),
        language=ID(stored=True, sortable=True),
        access=ID(stored=True, sortable=True),
        tag=KEYWORD(commas=True, sortable=True),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True),
        published=DATETIME(stored=True, sortable=True),
        # 0 for dated articles, 1 for undated: date sorts put undated articles last.
        undated=NUMERIC(sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),  # "2015-09"
        # Near-duplicates share `dupkey` (the id of the first copy indexed); see indexer.dupes.
        dupkey=ID(stored=True, sortable=True),
        simband=KEYWORD(commas=True),
        simhash=STORED(),
    )
    for suffix in LANGUAGE_SUFFIXES:
        language = analyzer_for_suffix(suffix)
        schema.add(
            f"title_{suffix}",
            TEXT(analyzer=language, field_boost=FIELD_BOOSTS["title"], multitoken_query="phrase"),
        )
        schema.add(f"body_{suffix}", TEXT(analyzer=language, multitoken_query="phrase"))
    return schema


def article_fields(article: Article) -> dict[str, Any]:
    """Return the index fields of `article` (empty values left out, as Whoosh expects)."""
    # Facet values follow crawler.facetvalues' rules, whenever the article was extracted.
    article = normalise_facets(article)
    # KEYWORD(commas=True) splits on commas; names themselves may hold none.
    authors = ",".join(name.replace(",", " ") for name in article.authors)
    tags = ",".join(tag.replace(",", " ") for tag in article.tags)
    fields: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "headline": article.title,
        "author": authors,
        "authors": authors,
        "source": article.source,
        "section": article.section,
        "language": article.language,
        "access": article.access,
        "tag": tags,
        "tags": tags,
        "undated": int(article.published is None),
    }
    suffix = field_suffix(article.language)
    if suffix:
        fields[f"title_{suffix}"] = article.title
        fields[f"body_{suffix}"] = f"{article.description}\n\n{article.text}".strip()
    else:
        fields.update(title=article.title, description=article.description, body=article.text)
    if article.published is not None:
        # Whoosh compares naive datetimes; the index holds UTC throughout.
        fields["published"] = article.published.replace(tzinfo=None)
        fields["year"] = f"{article.published.year:04d}"
        fields["month"] = f"{article.published.year:04d}-{article.published.month:02d}"
    return {name: value for name, value in fields.items() if value not in ("", None)}
