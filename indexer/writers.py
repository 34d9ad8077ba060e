"""Who holds an archive's write lock: a note the writer leaves, read by those who wait."""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

WRITER_FILE = "writer.json"


def note_writer(archive: Path) -> None:
    """Record that this process now writes to `archive`."""
    note = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        (archive / WRITER_FILE).write_text(json.dumps(note))
    except OSError:
        pass  # the note is a courtesy; writing goes on without it


def forget_writer(archive: Path) -> None:
    """Remove this process's writer note from `archive`."""
    try:
        (archive / WRITER_FILE).unlink(missing_ok=True)
    except OSError:
        pass


def writer_note(archive: Path) -> str:
    """Describe who holds the write lock of `archive`, as far as its note tells."""
    try:
        note = json.loads((archive / WRITER_FILE).read_text())
        return (
            f"process {note['pid']} on {note['host']}, `{note['command']}`, "
            f"writing since {note['since']}"
        )
    except (OSError, ValueError, KeyError):
        return "the writer left no note"
