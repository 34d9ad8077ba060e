"""Extraction in worker processes gives what extraction in the crawl's process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.page import Page
from crawler.workers import Extractors, Outcome

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_pages() -> list[Page | Outcome]:
    pages: list[Page | Outcome] = [
        Page(str(path), path.read_bytes(), url=f"https://news.example/{path.stem}")
        for path in sorted(FIXTURES.glob("*.html"))
    ]
    pages.insert(2, Outcome("unreadable.html", error="cannot read unreadable.html"))
    return pages


@pytest.mark.parametrize("processes", [0, 2])
def test_extract_all_keeps_the_order_and_passes_outcomes_through(processes: int) -> None:
    pages = fixture_pages()
    extractors = Extractors(processes)
    try:
        outcomes = list(extractors.extract_all(pages))
    finally:
        extractors.close()
    assert [o.location for o in outcomes] == [p.location for p in pages]
    assert outcomes[2].error == "cannot read unreadable.html"
    skipped = [o for o in outcomes if o.skipped]
    assert [Path(o.location).name for o in skipped] == ["section_index_page_no_article.html"]
    assert sum(o.article is not None for o in outcomes) == len(pages) - 2


def test_workers_read_what_the_crawl_process_reads() -> None:
    page = fixture_pages()[0]
    assert isinstance(page, Page)
    inline, pooled = Extractors(0), Extractors(2)
    try:
        here, there = inline.read(page, links=True), pooled.read(page, links=True)
    finally:
        pooled.close()
    assert there == here
    outcome, links = there
    assert outcome.article is not None and links  # the article and the page's links
    assert inline.read(page)[1] == []  # links only when asked
