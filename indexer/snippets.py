"""Result snippets: the passages of a body that match a query, as safe HTML with `<mark>`."""

from __future__ import annotations

import html
from typing import Any

from whoosh.highlight import ContextFragmenter, Formatter
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results

SNIPPET_CHARS = 240


class MarkFormatter(Formatter):
    """Escapes all text and wraps matched terms in `<mark>`."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        """Return one matched term, escaped and marked."""
        return f"<mark>{self._text(text[token.startchar : token.endchar])}</mark>"


def make_snippet(hit: WhooshHit | None, body: str, field: str = "body") -> str:
    """Return the passages of `body` that match `hit` in `field` marked up, else the start of
    `body`."""
    marked = hit.highlights(field, text=body, top=2) if hit is not None and body else ""
    return marked or html.escape(shorten(body), quote=False)


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Return `text` cut at a word boundary near `limit` characters, with an ellipsis."""
    head = text[: limit * 2]  # a body's start is all a snippet can show
    words = " ".join(head.split())
    if len(words) <= limit and len(head) == len(text):
        return words
    return words[:limit].rsplit(" ", 1)[0] + " …"


class PageResults(Results):
    """Whoosh results of one page of hits, set up for snippets: the query's words in a field
    are looked up once for the page, not once per hit (Whoosh's default)."""

    def __init__(self, searcher: Any, query: Any, top: list[tuple[float, int]]) -> None:
        super().__init__(searcher, query, top)
        self.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        self.formatter = MarkFormatter()
        self._terms: dict[tuple[bool, str | None], set[tuple[str, bytes]]] = {}

    def query_terms(self, expand: bool = False, fieldname: str | None = None) -> Any:
        """Return the query's words that exist in the index (in `fieldname`), worked out once."""
        key = (expand, fieldname)
        if key not in self._terms:
            self._terms[key] = super().query_terms(expand=expand, fieldname=fieldname)
        return self._terms[key]
