"""What a search returns: `SearchResults` holding `Hit`s."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One matching article, with what a result list shows."""

    id: str
    url: str
    title: str
    source: str
    section: str
    authors: list[str]
    published: datetime | None
    language: str
    snippet: str  # HTML: everything escaped except <mark> around matched terms
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (published as ISO 8601 or None)."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits for a query, with the total number of matches."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    took: float = 0.0  # seconds spent searching

    @property
    def pages(self) -> int:
        """Number of result pages."""
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "took": round(self.took, 4),
            "hits": [hit.to_dict() for hit in self.hits],
        }
