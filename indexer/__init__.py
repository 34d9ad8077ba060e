"""The archive's Whoosh index, its article store, and the Python query API."""

from indexer.backends import Backend
from indexer.errors import (
    ArchiveLockedError,
    ArchiveNotFoundError,
    ArchiveOutdatedError,
    ArchiveReadOnlyError,
    ArchiveWriteError,
    ArticleNotFoundError,
    BackendUnavailableError,
    IndexerError,
    IndexingFailedError,
    QueryError,
)
from indexer.filters import SORTS
from indexer.index import DEFAULT_FACETS, AddCounts, NewsIndex
from indexer.results import Hit, SearchResults

__all__ = [
    "DEFAULT_FACETS",
    "SORTS",
    "AddCounts",
    "ArchiveLockedError",
    "ArchiveNotFoundError",
    "ArchiveOutdatedError",
    "ArchiveReadOnlyError",
    "ArchiveWriteError",
    "ArticleNotFoundError",
    "Backend",
    "BackendUnavailableError",
    "Hit",
    "IndexerError",
    "IndexingFailedError",
    "NewsIndex",
    "QueryError",
    "SearchResults",
]
