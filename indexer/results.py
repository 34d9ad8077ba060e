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
    access: str  # crawler.article.Access: "teaser" when only a paywall's teaser was archived
    snippet: str  # HTML: everything escaped except <mark> around matched terms
    score: float
    duplicates: int = 0  # near-duplicates folded into this hit

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (published as ISO 8601 or None)."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits for a query, with the total number of matches and facets."""

    query: str  # the query as searched (whitespace normalised)
    total: int  # every matching article, near-duplicates included
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None  # did-you-mean
    took_ms: float = 0.0

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
            "took_ms": round(self.took_ms, 1),
            "suggestion": self.suggestion,
            "facets": {
                name: [{"value": value, "count": count} for value, count in values]
                for name, values in self.facets.items()
            },
            "hits": [hit.to_dict() for hit in self.hits],
        }
