"""One crawl per archive at a time: a lock the operating system drops when its holder dies."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from crawler.errors import CrawlInProgressError

LOCK_FILE = "crawl.lock"


class CrawlLock:
    """Held by the crawl writing to an archive; a second crawl is refused, saying who holds it.

    `flock` ties the lock to the open file, so a crawl killed outright leaves no lock behind.
    """

    def __init__(self, archive: Path) -> None:
        self.path = archive / LOCK_FILE
        self._file = self.path.open("a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            self._file.close()
            raise CrawlInProgressError(
                f"Another crawl is writing to {archive} ({holder}); wait for it to finish, "
                "or crawl into another archive."
            ) from None
        self._file.truncate(0)
        self._file.write(json.dumps(_note()))
        self._file.flush()

    def _holder(self) -> str:
        """Describe the crawl holding the lock, from the note it wrote."""
        self._file.seek(0)
        try:
            note = json.loads(self._file.read())
            return f"process {note['pid']}, `{note['command']}`, since {note['since']}"
        except (ValueError, KeyError):
            return "it left no note"

    def release(self) -> None:
        """Let the next crawl in."""
        if not self._file.closed:
            self._file.truncate(0)
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()


def _note() -> dict[str, object]:
    """Return who this crawl is, for a crawl that finds the lock held."""
    return {
        "pid": os.getpid(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
