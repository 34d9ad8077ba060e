"""Static files: cached by browsers for a week, their URLs versioned by their content; and the
/favicon.ico browsers ask for on pages that name no icon (feeds, JSON)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, redirect, url_for

CACHE_SECONDS = 7 * 24 * 3600


def register(app: Flask) -> None:
    """Serve `app`'s static files with long caching and content-versioned URLs."""
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", CACHE_SECONDS)
    folder = Path(app.static_folder or "")

    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values.setdefault("v", _version(folder / values["filename"]))

    app.url_defaults(versioned)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon() -> Response:
    """Send browsers looking for /favicon.ico to the site's SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"))


@cache
def _version(path: Path) -> str:
    """Return a short digest of the file at `path` ("" if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return ""
