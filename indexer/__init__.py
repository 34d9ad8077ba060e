"""The archive's Whoosh index, its article store, and the Python query API."""

from indexer.errors import (
    ArchiveLockedError,
    ArchiveNotFoundError,
    ArticleNotFoundError,
    IndexerError,
    QueryError,
)
from indexer.index import AddCounts, NewsIndex
from indexer.results import Hit, SearchResults

__all__ = [
    "AddCounts",
    "ArchiveLockedError",
    "ArchiveNotFoundError",
    "ArticleNotFoundError",
    "Hit",
    "IndexerError",
    "NewsIndex",
    "QueryError",
    "SearchResults",
]
