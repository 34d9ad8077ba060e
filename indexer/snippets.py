"""Result snippets: the passages of a body that match a query, as safe HTML with `<mark>`."""

from __future__ import annotations

import html
from typing import Any

from whoosh.highlight import ContextFragmenter, Formatter
from whoosh.searching import Hit as WhooshHit

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


def configure(results: Any) -> None:
    """Set the fragmenter and formatter used for the snippets of `results`."""
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
    results.formatter = MarkFormatter()
