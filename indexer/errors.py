"""The indexer's errors. Catch `IndexerError` for all of them."""


class IndexerError(Exception):
    """Base class of every error the indexer raises on purpose."""


class ArchiveNotFoundError(IndexerError):
    """The archive folder holds no index (run `newsarchive crawl` first)."""


class ArchiveOutdatedError(IndexerError):
    """The index was built by an older newsarchive (run `newsarchive reindex`)."""


class QueryError(IndexerError, ValueError):
    """A query could not be understood (the message says what to change)."""


class ArchiveLockedError(IndexerError):
    """Another process is writing to the archive."""


class ArchiveReadOnlyError(IndexerError):
    """The archive was opened read-only and a write was asked of it."""


class ArchiveWriteError(IndexerError):
    """The system refused a write to the archive (a full disk, a read-only file system...);
    what was committed before is intact."""


class ArticleNotFoundError(IndexerError, KeyError):
    """No article with the given id is in the archive."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class IndexingFailedError(IndexerError):
    """An indexing process died; nothing of its batch was committed."""


class BackendUnavailableError(IndexerError):
    """The search backend (a Typesense cluster) did not answer or refused the request."""
