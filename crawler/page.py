"""`Page`: the raw bytes of one fetched or saved page and where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Page:
    """Raw bytes of a page and where they came from."""

    location: str  # where it was read: the final URL or the file path
    content: bytes
    url: str | None = None  # the URL the page was served at, if known
    charset: str | None = None  # the charset the server declared, if any
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
