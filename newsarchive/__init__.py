"""newsarchive: a self-hostable full-text search engine over news archives.

The public Python API::

    from newsarchive import NewsIndex, Article, extract_article
"""

import logging

from crawler import (
    Article,
    CrawlerError,
    ExtractionError,
    FetchError,
    NotAnArticle,
    extract_article,
)
from indexer import (
    ArchiveLockedError,
    ArchiveNotFoundError,
    ArticleNotFoundError,
    Hit,
    IndexerError,
    NewsIndex,
    QueryError,
    SearchResults,
)

__all__ = [
    "ArchiveLockedError",
    "ArchiveNotFoundError",
    "Article",
    "ArticleNotFoundError",
    "CrawlerError",
    "ExtractionError",
    "FetchError",
    "Hit",
    "IndexerError",
    "NewsIndex",
    "NotAnArticle",
    "QueryError",
    "SearchResults",
    "extract_article",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
