"""Local crawl sources: folders of saved pages, read as raw `Page`s."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

from crawler.decode import MAX_HTML_BYTES
from crawler.errors import SourceError
from crawler.page import Page

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def is_url(source: str) -> bool:
    """Return whether `source` names a web address rather than a local path."""
    return "://" in source


def saved_pages(folder: str | Path) -> list[Path]:
    """Return the saved pages (.html, .htm, .html.gz) under `folder`, recursively, sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder; give a folder of saved pages or a URL.")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise SourceError(f"Cannot read the folder {folder}: check its permissions.")
    return sorted(
        path
        for path in folder.rglob("*")
        if path.name.lower().endswith(PAGE_SUFFIXES) and path.is_file()
    )


def read_saved_page(path: Path, max_bytes: int = MAX_HTML_BYTES) -> Page:
    """Read one saved page (gunzipping `.gz` files), refusing pages over `max_bytes`."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as stream:
        content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise SourceError(f"{path} is over the {max_bytes:,}-byte cap; skipped.")
    saved_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Page(location=str(path), content=content, fetched_at=saved_at)
