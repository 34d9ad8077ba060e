"""Static files: cached by browsers for a week, their URLs versioned by their content."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask

CACHE_SECONDS = 7 * 24 * 3600


def register(app: Flask) -> None:
    """Serve `app`'s static files with long caching and content-versioned URLs."""
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", CACHE_SECONDS)
    folder = Path(app.static_folder or "")

    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values.setdefault("v", _version(folder / values["filename"]))

    app.url_defaults(versioned)


@cache
def _version(path: Path) -> str:
    """Return a short digest of the file at `path` ("" if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return ""
