"""Failed writes (a full disk, a read-only file system...) told as what to do next."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import ArchiveWriteError

# What went wrong and what to do, by errno.
_CAUSES = {
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or raise the quota"),
    errno.EFBIG: (
        "a file grew past the size this process may write (ulimit -f)",
        "raise the limit or free some space",
    ),
    errno.EROFS: (
        "the file system is read-only",
        "remount it read-write or copy the archive to a writable disk",
    ),
    errno.EACCES: ("permission was denied", "run as the archive's owner or fix its permissions"),
    errno.EPERM: ("permission was denied", "run as the archive's owner or fix its permissions"),
    errno.ENOTDIR: ("part of the path is a file, not a folder", "give a folder's path"),
    errno.EEXIST: (
        "something other than a folder is in the way (a file or a broken link)",
        "give a folder's path",
    ),
    errno.EIO: ("the disk reported an I/O error", "check the disk and free some space"),
}
# What went wrong and what to do, by SQLite's primary result code.
_SQLITE_CAUSES = {
    13: _CAUSES[errno.ENOSPC],  # SQLITE_FULL
    10: (  # SQLITE_IOERR
        "the article store could not be written (a full disk, a file size limit or a failing disk)",
        "free some space and check the disk",
    ),
    8: (  # SQLITE_READONLY
        "an SQLite file of the archive cannot be written (a read-only file or file system)",
        "make the archive writable",
    ),
    14: (  # SQLITE_CANTOPEN
        "an SQLite file of the archive cannot be opened for writing",
        "check that the archive folder exists and is writable",
    ),
}


@contextmanager
def write_failures(path: Path) -> Iterator[None]:
    """Raise ArchiveWriteError, saying what to do, for a write to archive `path` that the
    system refused; other errors pass through."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _CAUSES:
            raise
        raise _failure(path, _CAUSES[exc.errno], exc) from exc
    except sqlite3.OperationalError as exc:
        primary = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # extended codes keep it in 8 bits
        if primary not in _SQLITE_CAUSES:
            raise
        raise _failure(path, _SQLITE_CAUSES[primary], exc) from exc


def _failure(path: Path, cause: tuple[str, str], exc: Exception) -> ArchiveWriteError:
    """Return the error for a refused write to `path` (on a read-only file system, whatever
    error SQLite or Whoosh met on the way says so)."""
    if _on_read_only_file_system(path):
        cause = _CAUSES[errno.EROFS]
    what, remedy = cause
    return ArchiveWriteError(
        f"Could not write to the archive {path}: {what} ({exc}). Nothing committed before "
        f"was lost; {remedy}, then run the same command again to finish the job."
    )


def _on_read_only_file_system(path: Path) -> bool:
    """Return whether `path` (or the nearest folder above it that exists) is on a read-only
    file system."""
    for folder in (path, *path.parents):
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False
