"""The crawl frontier on disk: queueing, revisits, and surviving a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.frontier import Frontier

SITE = "http://news.example"


@pytest.fixture
def frontier(tmp_path: Path):
    opened = Frontier(tmp_path / "crawl.sqlite")
    yield opened
    opened.close()


def test_urls_are_queued_once_listings_first(frontier: Frontier) -> None:
    assert frontier.add(f"{SITE}/a.html", kind="page", depth=1, site=SITE)
    assert frontier.add(f"{SITE}/sitemap.xml", kind="sitemap", depth=0, site=SITE)
    assert not frontier.add(f"{SITE}/a.html", kind="page", depth=1, site=SITE)
    assert [e.url for e in frontier.queued(10)] == [f"{SITE}/sitemap.xml", f"{SITE}/a.html"]


def test_done_and_failed_leave_the_queue(frontier: Frontier) -> None:
    for name in ("a", "b"):
        frontier.add(f"{SITE}/{name}.html", kind="page", depth=1, site=SITE)
    frontier.done(f"{SITE}/a.html", status=200, etag='"v1"', content_hash="h1")
    frontier.failed(f"{SITE}/b.html", "HTTP 500")
    assert frontier.queued(10) == []
    assert frontier.counts() == {"done": 1, "failed": 1}
    entry = frontier.get(f"{SITE}/a.html")
    assert entry is not None and (entry.etag, entry.content_hash) == ('"v1"', "h1")


def test_a_newer_lastmod_requeues_a_done_page(frontier: Frontier) -> None:
    url = f"{SITE}/a.html"
    frontier.add(url, kind="page", depth=1, site=SITE)
    frontier.done(url, status=200, fetched_at=datetime(2024, 1, 1, tzinfo=UTC))
    older = datetime(2023, 12, 1, tzinfo=UTC)
    assert not frontier.add(url, kind="page", depth=1, site=SITE, lastmod=older)
    newer = datetime(2024, 2, 1, tzinfo=UTC)
    assert frontier.add(url, kind="page", depth=1, site=SITE, lastmod=newer)
    assert [e.url for e in frontier.queued(10)] == [url]


def test_revisit_requeues_listings_and_stale_pages(frontier: Frontier) -> None:
    now = datetime(2024, 6, 30, tzinfo=UTC)
    frontier.add(SITE + "/", kind="seed", depth=0, site=SITE)
    frontier.add(f"{SITE}/old.html", kind="page", depth=1, site=SITE)
    frontier.add(f"{SITE}/new.html", kind="page", depth=1, site=SITE)
    frontier.done(SITE + "/", status=200, fetched_at=now)
    frontier.done(f"{SITE}/old.html", status=200, fetched_at=now - timedelta(days=10))
    frontier.done(f"{SITE}/new.html", status=200, fetched_at=now - timedelta(days=1))
    assert frontier.revisit(timedelta(days=7), now=now) == 2
    assert [e.url for e in frontier.queued(10)] == [SITE + "/", f"{SITE}/old.html"]


def test_state_survives_reopening(tmp_path: Path) -> None:
    first = Frontier(tmp_path / "crawl.sqlite")
    first.add(f"{SITE}/a.html", kind="page", depth=1, site=SITE)
    first.add(f"{SITE}/b.html", kind="page", depth=1, site=SITE)
    first.done(f"{SITE}/a.html", status=200)
    first.close()
    second = Frontier(tmp_path / "crawl.sqlite")
    assert [e.url for e in second.queued(10)] == [f"{SITE}/b.html"]
    assert second.add(f"{SITE}/c.html", kind="page", depth=1, site=SITE)
    assert [e.url for e in second.queued(10)] == [f"{SITE}/b.html", f"{SITE}/c.html"]
    second.close()
