"""Run by test_disk_faults.py in a child process: writes to or reads an archive, says what
happened as one JSON line."""

from __future__ import annotations

import json
import resource
import signal
import sys

from crawler import Article
from indexer import IndexerError, NewsIndex

LETTERS = "bcdfghjkmnpqrtvwxz"
FILLER = " ".join(f"word{n % 997}" for n in range(600))


def marker(n: int) -> str:
    """Return a word that only article `n` holds."""
    return "".join(LETTERS[n // len(LETTERS) ** k % len(LETTERS)] for k in range(4)) + "q"


def article(n: int) -> Article:
    """Return article `n` of the test load."""
    return Article(
        url=f"https://disk.example/story/{n}",
        title=f"Story {n} {marker(n)}",
        text=f"{marker(n)} {FILLER} {n}.",
        source="disk.example",
        language="en",
    )


def fill(archive: str, first: int, last: int, batch: int) -> dict[str, object]:
    """Add articles first..last-1 in batches; report the committed ones and any error."""
    committed: list[int] = []
    try:
        with NewsIndex.open(archive, create=True) as index:
            for start in range(first, last, batch):
                numbers = range(start, min(start + batch, last))
                index.add([article(n) for n in numbers])
                committed.extend(numbers)
    except IndexerError as exc:
        return {"committed": committed, "error": type(exc).__name__, "message": str(exc)}
    return {"committed": committed, "error": None}


def check(archive: str, last: int) -> dict[str, object]:
    """Report which of articles 0..last-1 a read-only search finds, and how many articles
    the store and the index hold."""
    with NewsIndex.open(archive, readonly=True) as index:
        found = [n for n in range(last) if index.search(marker(n), highlight=False).total]
        indexed = index.search("word1", collapse=False, highlight=False).total
        return {"found": found, "stored": len(index), "indexed": indexed}


def main() -> None:
    """Run the step named on the command line."""
    step, archive, *numbers = sys.argv[1:]
    if step == "fill-limited":
        limit, first, last, batch = map(int, numbers)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        result = fill(archive, first, last, batch)
    elif step == "fill":
        result = fill(archive, *map(int, numbers))
    else:
        result = check(archive, int(numbers[0]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
