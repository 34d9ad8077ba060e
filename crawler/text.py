"""Whitespace handling shared by the extraction passes."""

from __future__ import annotations

import re

# HTML whitespace only: a no-break space is content (browsers neither collapse nor drop it).
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def normalise_space(text: str) -> str:
    """Return `text` with runs of HTML whitespace collapsed to one space and the ends trimmed."""
    return _HTML_SPACE.sub(" ", text).strip(" ")
