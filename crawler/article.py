"""The `Article` record: one clean news article, as the crawler hands it to the indexer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

_DATE_FIELDS = ("published", "modified", "fetched_at")


class Access(StrEnum):
    """How much of an article the crawler could read."""

    FULL = "full"
    TEASER = "teaser"  # paywalled: only the part shown to every visitor was archived


def article_id(url: str) -> str:
    """Return the stable id of the article whose canonical URL is `url`."""
    return hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:16]


@dataclass
class Article:
    """A news article: clean body text plus the metadata people filter and sort by.

    Datetimes are timezone-aware UTC. `text` holds paragraphs separated by blank lines,
    without the headline. `id` is derived from `url` when not given. `access` is one of
    `Access`' values: "teaser" when `text` is only what a paywall left visible.
    """

    url: str
    title: str
    text: str
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    section: str = ""
    source: str = ""
    language: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    image_url: str = ""
    fetched_at: datetime | None = None
    access: str = Access.FULL.value
    id: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("an Article needs body text")
        for name in _DATE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                if value.tzinfo is None:
                    raise ValueError(f"Article.{name} must be timezone-aware")
                setattr(self, name, value.astimezone(UTC))
        if self.access not in tuple(Access):
            allowed = ", ".join(Access)
            raise ValueError(f"Article.access must be one of {allowed}, not {self.access!r}")
        self.access = Access(self.access).value  # a plain str, as from_dict gives it
        if not self.id:
            self.id = article_id(self.url)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        data = asdict(self)
        for name in _DATE_FIELDS:
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an Article from the output of `to_dict` (one without `access` is "full")."""
        values = dict(data)
        for name in _DATE_FIELDS:
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)
