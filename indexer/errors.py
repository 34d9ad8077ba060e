"""The indexer's errors. Catch `IndexerError` for all of them."""


class IndexerError(Exception):
    """Base class of every error the indexer raises on purpose."""


class ArchiveNotFoundError(IndexerError):
    """The archive folder holds no index (run `newsarchive crawl` first)."""


class QueryError(IndexerError):
    """A query could not be understood (the message says what to change)."""


class ArchiveLockedError(IndexerError):
    """Another process is writing to the archive."""
