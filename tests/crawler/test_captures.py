"""The capture index: where each URL's latest kept response lies, and reading it back."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.captures import CAPTURES_FILE, CaptureEntry, CaptureIndex, read_capture
from crawler.crawl import WARC_DIR, Crawler, CrawlOptions
from crawler.errors import WarcError
from crawler.fetch import FetchPolicy
from crawler.warc import Capture, WarcWriter, read_response
from tests.conftest import SAMPLE_ARCHIVE, Site
from tests.crawler.newssite import HTML, PAGES

FAST = FetchPolicy(delay=0.0, backoff=0.05, read_timeout=2.0, allow_private=True)
WHEN = datetime(2024, 5, 1, 12, tzinfo=UTC)
HEADERS = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}


def _body(n: int) -> bytes:
    return f"<html><body><p>Story {n} \u00e9t\u00e9</p></body></html>".encode()


def test_write_response_says_where_each_response_record_lies(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_bytes=2500) as writer:
        captures = [
            writer.write_response(
                f"https://news.example.org/{n}",
                200 if n % 3 else 404,
                HEADERS,
                _body(n),
                WHEN + timedelta(minutes=n),
                request_headers={"User-Agent": "test"} if n % 2 else None,
            )
            for n in range(10)
        ]
    assert len({capture.filename for capture in captures}) > 1  # across rotated files
    for n, capture in enumerate(captures):
        data = (tmp_path / capture.filename).read_bytes()
        assert capture.offset > 0  # after the file's warcinfo record
        [record] = list(
            ArchiveIterator(BytesIO(data[capture.offset : capture.offset + capture.length]))
        )
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == f"https://news.example.org/{n}"
        archived = read_response(tmp_path / capture.filename, capture)
        assert archived.payload == _body(n)
        assert archived.status == (200 if n % 3 else 404)
        assert archived.header("content-type") == "text/html; charset=utf-8"
        assert archived.header("Content-Encoding") is None  # the stored body is decoded


def test_read_response_refuses_what_is_not_a_response_record(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        capture = writer.write_response(
            "https://news.example.org/a", 200, HEADERS, b"<p>a</p>", WHEN
        )
    path = tmp_path / capture.filename
    with pytest.raises(WarcError, match="no HTTP response record"):
        read_response(path, Capture(capture.filename, 0, capture.offset))  # the warcinfo record
    with pytest.raises(WarcError, match="corrupt"):
        read_response(path, Capture(capture.filename, capture.offset + 1, capture.length - 1))
    with pytest.raises(WarcError, match="cut short"):
        read_response(path, Capture(capture.filename, capture.offset, capture.length + 1))
    with pytest.raises(WarcError, match="Cannot read"):
        read_response(tmp_path / "gone.warc.gz", capture)


def test_the_latest_capture_of_a_url_wins(tmp_path: Path) -> None:
    url = "https://news.example.org/a"
    first = CaptureEntry(url, Capture("one.warc.gz", 10, 100), WHEN)
    later = CaptureEntry(url, Capture("two.warc.gz", 20, 200), WHEN + timedelta(seconds=1))
    older = CaptureEntry(url, Capture("old.warc.gz", 30, 300), WHEN - timedelta(days=400))
    with CaptureIndex(tmp_path / CAPTURES_FILE) as index:
        assert index.latest(url) is None
        index.add(first)
        assert index.latest(url) == first
        index.add(later)
        index.add(older)  # an old WARC read again later does not hide the newer capture
        assert index.latest(url) == later
    with CaptureIndex(tmp_path / CAPTURES_FILE, readonly=True) as index:
        assert index.latest(url) == later
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            index.add(first)


def test_the_index_takes_captures_from_several_threads(tmp_path: Path) -> None:
    with CaptureIndex(tmp_path / CAPTURES_FILE) as index:

        def record(worker: int) -> None:
            for n in range(20):
                url = f"https://news.example.org/{worker}/{n}"
                index.add(CaptureEntry(url, Capture("a.warc.gz", n, 1), WHEN))

        threads = [threading.Thread(target=record, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert index.latest("https://news.example.org/7/19") == CaptureEntry(
            "https://news.example.org/7/19", Capture("a.warc.gz", 19, 1), WHEN
        )


def test_read_capture_reads_files_still_being_written(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    capture = writer.write_response("https://news.example.org/a", 200, HEADERS, _body(1), WHEN)
    assert not (tmp_path / capture.filename).exists()  # still named .open
    assert read_capture(tmp_path, capture).payload == _body(1)
    writer.close()
    assert read_capture(tmp_path, capture).payload == _body(1)


@pytest.mark.parametrize(
    "filename",
    [
        "../captures.warc.gz",
        "/etc/passwd.warc.gz",
        "sub/a.warc.gz",
        "..\\a.warc.gz",
        ".warc.gz",
        "..",
        "",
        "crawl.sqlite",
        "a.warc.gz\0",
    ],
)
def test_read_capture_refuses_names_outside_the_warc_folder(tmp_path: Path, filename: str) -> None:
    folder = tmp_path / WARC_DIR
    folder.mkdir()
    with pytest.raises(WarcError, match="is not the name of a WARC file"):
        read_capture(folder, Capture(filename, 0, 10))


def test_a_crawl_records_captures_by_page_and_article_url(site: Site, tmp_path: Path) -> None:
    body = PAGES[0].read_bytes()
    site.routes["/robots.txt"] = (404, {"Content-Type": "text/plain"}, b"")
    site.routes["/news/story.html"] = (200, {"Content-Type": HTML}, body)
    committed: list = []
    options = CrawlOptions(single=True, policy=FAST, workers=2, processes=0)
    with Crawler(tmp_path, options) as crawler:
        list(crawler.run([site.url("/news/story.html")], committed.extend))
    [article] = committed
    assert article.url != site.url("/news/story.html")  # the page names its canonical URL
    with CaptureIndex(tmp_path / CAPTURES_FILE, readonly=True) as index:
        by_page = index.latest(site.url("/news/story.html"))
        by_article = index.latest(article.url)
        assert index.latest(site.url("/robots.txt")) is None  # robots.txt is not kept
    assert by_page is not None and by_article is not None
    assert by_article.capture == by_page.capture
    assert by_page.captured_at == article.fetched_at
    archived = read_capture(tmp_path / WARC_DIR, by_article.capture)
    assert (archived.status, archived.payload) == (200, body)


def test_a_crawl_of_saved_pages_records_captures(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    committed: list = []
    with Crawler(archive, CrawlOptions(processes=1)) as crawler:
        list(crawler.run([str(SAMPLE_ARCHIVE / "wikinews")], committed.extend))
    assert committed
    saved = {path.read_bytes() for path in (SAMPLE_ARCHIVE / "wikinews").glob("*.html")}
    with CaptureIndex(archive / CAPTURES_FILE, readonly=True) as index:
        for article in committed:  # saved pages name no URL: found by their canonical one
            entry = index.latest(article.url)
            assert entry is not None, article.url
            assert read_capture(archive / WARC_DIR, entry.capture).payload in saved
