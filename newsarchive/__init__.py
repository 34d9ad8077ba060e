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
    ArchiveOutdatedError,
    ArchiveReadOnlyError,
    ArchiveWriteError,
    ArticleNotFoundError,
    Backend,
    BackendUnavailableError,
    Hit,
    IndexerError,
    IndexingFailedError,
    NewsIndex,
    QueryError,
    SearchResults,
)

__all__ = [
    "ArchiveLockedError",
    "ArchiveNotFoundError",
    "ArchiveOutdatedError",
    "ArchiveReadOnlyError",
    "ArchiveWriteError",
    "Article",
    "ArticleNotFoundError",
    "Backend",
    "BackendUnavailableError",
    "CrawlerError",
    "ExtractionError",
    "FetchError",
    "Hit",
    "IndexerError",
    "IndexingFailedError",
    "NewsIndex",
    "NotAnArticle",
    "QueryError",
    "SearchResults",
    "extract_article",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
