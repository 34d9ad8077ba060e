"""Extract every page of the bundled sample archive and compare with `expected.jsonl`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article

ARCHIVE = Path(__file__).resolve().parents[2] / "sample_archive"
EXPECTED = ARCHIVE / "expected.jsonl"

FURNITURE = (
    "Accessibility links",
    "Skip to main content",
    "Jump to navigation",
    "Breaking News",
    "Share on",
    "Share this",
    "Most popular",
    "Related",
    "cookies",
    "newsletter",
    "Subscribe",
    "Copyright",
    "©",
    "Creative Commons",
    "From Wikinews, the free news source",
    "Categories",
)


def _records() -> list[dict[str, Any]]:
    if not EXPECTED.exists():
        return []
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line]


def _collapse(text: str) -> str:
    # Browsers collapse runs of HTML whitespace; the expected text keeps the source's runs.
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip(" ")


def _paragraphs(text: str) -> list[str]:
    return [_collapse(p) for p in text.split("\n\n")]


@pytest.mark.parametrize("record", _records(), ids=lambda r: r["path"])
def test_sample_page_matches_expected(record: dict[str, Any]) -> None:
    article = extract_article((ARCHIVE / record["path"]).read_bytes())

    assert _paragraphs(article.text) == _paragraphs(record["text"])
    for caption in record["captions"]:
        assert _collapse(caption) not in _collapse(article.text)
    leaked = [
        phrase
        for phrase in FURNITURE
        if phrase.lower() in article.text.lower() and phrase.lower() not in record["text"].lower()
    ]
    assert leaked == []
    data = article.to_dict()
    for name in ("url", "title", "published", "modified", "section", "source", "language"):
        assert data[name] == record[name], name
    assert _collapse(article.description) == _collapse(record["description"])
    # Every sample page is credited to an organisation ("Wikinews contributors", "VOA Shona").
    assert article.authors == []
