"""The advanced search form: its fields turned into one query in the search syntax."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

FORM_FIELDS = ("all", "phrase", "any", "none")
# Characters with a meaning in the query syntax, dropped from words typed into the form.
_SYNTAX = re.compile(r'["()+\-*:~^\[\]{}]')


def has_query(form: MultiDict[str, str]) -> bool:
    """Return whether `form` holds a filled-in advanced search (not just the empty page)."""
    return any(form.get(name, "").strip() for name in FORM_FIELDS)


def build_query(form: MultiDict[str, str]) -> str:
    """Return the query the advanced form's fields describe, e.g. `+storm "sea wall" -drill`."""
    field = "title:" if form.get("title_only") else ""
    parts = [f"+{field}{word}" for word in _words(form.get("all", ""))]
    phrase = " ".join(_words(form.get("phrase", "")))
    if phrase:
        parts.append(f'+{field}"{phrase}"')
    alternatives = [f"{field}{word}" for word in _words(form.get("any", ""))]
    if len(alternatives) == 1:
        parts.append(f"+{alternatives[0]}")
    elif alternatives:
        parts.append(f"+({' OR '.join(alternatives)})")
    parts += [f"-{word}" for word in _words(form.get("none", ""))]
    return " ".join(parts)


def _words(text: str) -> list[str]:
    """Return the words of `text`, syntax characters and operators taken as plain text."""
    words = _SYNTAX.sub(" ", text).split()
    return [word.lower() if word in ("AND", "OR", "NOT", "TO") else word for word in words]
