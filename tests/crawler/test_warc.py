"""WARC/ARC reading into `Page`s and the `WarcWriter` that keeps fetched originals."""

from __future__ import annotations

import gzip
import logging
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.errors import SourceError, WarcError
from crawler.warc import (
    MAX_PAYLOAD,
    WarcWriter,
    archived_pages,
    count_records,
    is_warc,
    warc_pages,
)

HTML_A = "<html><head><title>Caf\u00e9 opens</title></head><body>Caf\u00e9 story</body></html>"
HTML_X = b"<html><body>An XHTML story</body></html>"
HTML_LATE = b"<html><body>Filed just after midnight</body></html>"


def _chunked(data: bytes) -> bytes:
    """Return `data` in HTTP chunked transfer coding, as two chunks."""
    half = len(data) // 2
    chunks = [data[:half], data[half:]]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def _record(
    writer: WARCWriter,
    rec_type: str,
    url: str,
    date: str,
    payload: bytes = b"",
    http: tuple[str, list[tuple[str, str]]] | None = None,
) -> None:
    """Write one record: `http` is (status line, headers) or None for a bare payload."""
    http_headers = None
    if http is not None:
        status, headers = http
        protocol = "" if rec_type == "request" else "HTTP/1.1"
        http_headers = StatusAndHeaders(status, headers, protocol=protocol)
    record = writer.create_warc_record(
        url,
        rec_type,
        payload=BytesIO(payload),
        length=len(payload),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def _write_mixed_warc(path: Path, *, compress: bool = True) -> None:
    """Write a WARC with every kind of record warc_pages must skip around three HTML pages."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        _record(
            writer,
            "response",
            "https://news.example.org/a",
            "2021-03-01T10:00:00Z",
            _chunked(gzip.compress(HTML_A.encode("latin-1"))),
            (
                "200 OK",
                [
                    ("Content-Type", 'text/html; charset="ISO-8859-1"'),
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
            ),
        )
        _record(
            writer,
            "request",
            "https://news.example.org/a",
            "2021-03-01T10:00:00Z",
            http=("GET /a HTTP/1.1", [("Host", "news.example.org")]),
        )
        _record(
            writer,
            "response",
            "https://news.example.org/missing",
            "2021-03-02T10:00:00Z",
            b"<html>Not found</html>",
            ("404 Not Found", [("Content-Type", "text/html")]),
        )
        _record(
            writer,
            "response",
            "https://news.example.org/report.pdf",
            "2021-03-03T10:00:00Z",
            b"%PDF-1.4 not html",
            ("200 OK", [("Content-Type", "application/pdf")]),
        )
        revisit = writer.create_revisit_record(
            "https://news.example.org/a",
            digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri="https://news.example.org/a",
            refers_to_date="2021-03-01T10:00:00Z",
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
            ),
            warc_headers_dict={"WARC-Date": "2021-03-04T10:00:00Z"},
        )
        writer.write_record(revisit)
        _record(
            writer,
            "response",
            "https://news.example.org/x",
            "2021-03-05T23:59:59Z",
            HTML_X,
            ("200 OK", [("Content-Type", "application/xhtml+xml; charset=utf-8")]),
        )
        _record(
            writer,
            "response",
            "https://news.example.org/late",
            "2021-03-06T00:00:00Z",
            HTML_LATE,
            ("200 OK", [("Content-Type", "text/html")]),
        )


def _write_pages_warc(path: Path, count: int, *, compress: bool = True) -> None:
    """Write `count` plain HTML 200 responses, one a day from 2022-01-01."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compress)
        for n in range(count):
            body = f"<html><body>Story {n} {'words ' * 50}</body></html>".encode()
            _record(
                writer,
                "response",
                f"https://news.example.org/{n}",
                f"2022-01-{n + 1:02d}T12:00:00Z",
                body,
                ("200 OK", [("Content-Type", "text/html")]),
            )


def _arc_record(header: str, body: bytes) -> bytes:
    """Return one ARC v1 record: its header line (length appended) and body, then a newline."""
    return f"{header} {len(body)}\n".encode() + body + b"\n"


def _http(status: str, content_type: str, body: bytes) -> bytes:
    """Return an HTTP/1.0 response as an ARC record carries it."""
    head = f"HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\n\r\n"
    return head.encode() + body


@pytest.fixture
def mixed_warc(tmp_path: Path) -> Path:
    """A gzip WARC with HTML, non-HTML, non-200, request, revisit and warcinfo records."""
    path = tmp_path / "mixed.warc.gz"
    _write_mixed_warc(path)
    return path


def test_is_warc_by_name_and_gzip_magic(tmp_path: Path, mixed_warc: Path) -> None:
    for name in ("a.warc", "b.WARC.GZ", "c.arc", "d.arc.gz"):
        assert is_warc(tmp_path / name)
    sniffed = tmp_path / "crawl-0001.gz"
    shutil.copy(mixed_warc, sniffed)
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(b"<html></html>"))
    arc = tmp_path / "old.gz"
    arc.write_bytes(gzip.compress(b"filedesc://old.arc 0.0.0.0 20050614070144 text/plain 0\n"))
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"not gzip at all")
    assert is_warc(sniffed) and is_warc(arc)
    assert not is_warc(page) and not is_warc(broken)
    assert not is_warc(tmp_path / "page.html") and not is_warc(tmp_path / "missing.gz")


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_warc_pages_yields_only_html_200_responses(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("mixed.warc.gz" if compress else "mixed.warc")
    _write_mixed_warc(path, compress=compress)
    pages = list(warc_pages(path))
    assert [page.url for page in pages] == [
        "https://news.example.org/a",
        "https://news.example.org/x",
        "https://news.example.org/late",
    ]
    first, xhtml, late = pages
    assert first.content == HTML_A.encode("latin-1")  # de-chunked and gunzipped
    assert first.charset == "iso-8859-1"
    assert first.fetched_at == datetime(2021, 3, 1, 10, tzinfo=UTC)
    assert xhtml.content == HTML_X and xhtml.charset == "utf-8"
    assert late.content == HTML_LATE and late.charset is None
    assert late.fetched_at == datetime(2021, 3, 6, tzinfo=UTC)
    assert count_records(path) == 5  # every response, whatever its status or type


def test_page_location_is_the_record_offset(mixed_warc: Path) -> None:
    for page in warc_pages(mixed_warc):
        name, _, offset = page.location.partition("#offset=")
        assert name == str(mixed_warc)
        with mixed_warc.open("rb") as stream:
            stream.seek(int(offset))
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == page.url


def test_date_filters(mixed_warc: Path) -> None:
    def urls(**dates: datetime) -> list[str]:
        return [page.url.rsplit("/", 1)[1] for page in warc_pages(mixed_warc, **dates)]

    assert urls(date_from=datetime(2021, 3, 2)) == ["x", "late"]
    assert urls(date_from=datetime(2021, 3, 1, 10, tzinfo=UTC)) == ["a", "x", "late"]
    assert urls(date_to=datetime(2021, 3, 5)) == ["a", "x"]  # midnight: the whole day
    assert urls(date_to=datetime(2021, 3, 5, 12)) == ["a"]
    assert urls(date_to=datetime(2021, 3, 6)) == ["a", "x", "late"]
    assert urls(date_from=datetime(2021, 3, 2), date_to=datetime(2021, 3, 5)) == ["x"]
    paris = timezone(timedelta(hours=1))
    assert urls(date_from=datetime(2021, 3, 6, 0, 30, tzinfo=paris)) == ["x", "late"]
    assert urls(date_from=datetime(2021, 3, 6, 1, tzinfo=paris)) == ["late"]


def test_arc_file_is_read_as_warc(tmp_path: Path) -> None:
    fields = b"1 0 Test Archive\nURL IP-address Archive-date Content-type Archive-length\n"
    story = b"<html><body>An old story</body></html>"
    path = tmp_path / "old.arc"
    path.write_bytes(
        _arc_record("filedesc://old.arc 0.0.0.0 20050614070144 text/plain", fields)
        + _arc_record(
            "http://arc.example.org/story 192.0.2.1 20050614070159 text/html",
            _http("200 OK", "text/html; charset=windows-1252", story),
        )
        + _arc_record(
            "http://arc.example.org/gone 192.0.2.1 20050614070200 text/html",
            _http("404 Not Found", "text/html", b"<html>gone</html>"),
        )
    )
    assert is_warc(path)
    [page] = warc_pages(path)
    assert page.url == "http://arc.example.org/story"
    assert page.content == story and page.charset == "windows-1252"
    assert page.fetched_at == datetime(2005, 6, 14, 7, 1, 59, tzinfo=UTC)
    assert count_records(path) == 2


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_truncated_file_yields_complete_records_then_warns(
    tmp_path: Path, compress: bool, caplog: pytest.LogCaptureFixture
) -> None:
    whole = tmp_path / "whole.warc"
    _write_pages_warc(whole, 3, compress=compress)
    data = whole.read_bytes()
    path = tmp_path / ("cut.warc.gz" if compress else "cut.warc")
    path.write_bytes(data[: len(data) - 60])
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        pages = list(warc_pages(path))
    assert [page.url for page in pages] == [f"https://news.example.org/{n}" for n in range(2)]
    assert "truncated" in caplog.text and str(path) in caplog.text
    assert count_records(path) == 2


def test_corrupt_middle_stops_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    whole = tmp_path / "whole.warc.gz"
    _write_pages_warc(whole, 3)
    first_end = next(_offsets(whole))[1]
    data = whole.read_bytes()
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(data[:first_end] + gzip.compress(b"garbage line\r\n\r\n") + data[first_end:])
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        pages = list(warc_pages(path))
    assert [page.url for page in pages] == ["https://news.example.org/0"]
    assert f"corrupt after offset {first_end}" in caplog.text


def test_whole_file_gzip_warns_how_to_fix(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plain = tmp_path / "plain.warc"
    _write_pages_warc(plain, 3, compress=False)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        pages = list(warc_pages(path))
    assert [page.url for page in pages] == ["https://news.example.org/0"]
    assert f"warcio recompress {path}" in caplog.text


def _offsets(path: Path) -> Iterator[tuple[int, int]]:
    """Yield (offset, end) of each record of a WARC file."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for _ in records:
            offset, length = records.get_record_offset(), records.get_record_length()
            yield offset, offset + length


def test_oversized_payload_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "big.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = ("200 OK", [("Content-Type", "text/html")])
        big = b"<html>" + b"a" * MAX_PAYLOAD + b"</html>"
        site, date = "https://news.example.org", "2021-01-01T00:00:00Z"
        _record(writer, "response", f"{site}/big", date, big, headers)
        _record(writer, "response", f"{site}/ok", date, HTML_X, headers)
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        pages = list(warc_pages(path))
    assert [page.url for page in pages] == ["https://news.example.org/ok"]
    assert "https://news.example.org/big" in caplog.text


def test_not_a_warc_raises(tmp_path: Path) -> None:
    html = tmp_path / "page.warc"
    html.write_text("<html><body>Not an archive</body></html>\n")
    with pytest.raises(WarcError, match="not a WARC or ARC file"):
        list(warc_pages(html))
    with pytest.raises(WarcError, match="Cannot open"):
        list(warc_pages(tmp_path / "missing.warc.gz"))
    with pytest.raises(WarcError, match="not a WARC or ARC file"):
        count_records(html)
    assert issubclass(WarcError, SourceError)


def _fetched(n: int) -> datetime:
    return datetime(2024, 5, 1, 8, tzinfo=UTC) + timedelta(minutes=n)


def test_writer_round_trip_from_threads(tmp_path: Path) -> None:
    folder = tmp_path / "originals"
    written: dict[str, tuple[bytes, datetime]] = {}
    lock = threading.Lock()

    def crawl(worker: int) -> None:
        for n in range(5):
            url = f"https://news.example.org/{worker}/{n}?page=1"
            body = f"<html><body>Story {worker}.{n} \u00e9t\u00e9</body></html>".encode()
            headers = {
                "Content-Type": "text/html; charset=utf-8",
                "Content-Encoding": "gzip",
                "Transfer-Encoding": "chunked",
                "Content-Length": "17",
            }
            fetched_at = _fetched(worker * 5 + n)
            writer.write_response(
                url, 200, headers, body, fetched_at, request_headers={"User-Agent": "test"}
            )
            with lock:
                written[url] = (body, fetched_at)

    with WarcWriter(folder) as writer:
        threads = [threading.Thread(target=crawl, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        writer.write_response(
            "https://news.example.org/feed",
            200,
            [("Content-Type", "application/rss+xml")],
            b"<rss/>",
            _fetched(0),
        )
        writer.write_response(
            "https://news.example.org/gone",
            404,
            {"Content-Type": "text/html"},
            b"<html>gone</html>",
            _fetched(0),
        )

    [path] = folder.iterdir()
    assert path.name.startswith("newsarchive-") and path.name.endswith(".warc.gz")
    pages = list(warc_pages(path))
    assert {page.url: (page.content, page.fetched_at) for page in pages} == written
    assert all(page.charset == "utf-8" for page in pages)
    assert [page.url for page in archived_pages(folder)] == [page.url for page in pages]
    assert count_records(path) == len(written) + 2

    with path.open("rb") as stream:
        records = list(_summaries(stream))
    assert records[0][0] == "warcinfo"
    assert [kind for kind, *_ in records].count("request") == len(written)
    response = next(summary for summary in records if summary[0] == "response")
    _, status_line, headers, warc_headers = response
    assert status_line == "200 OK"
    assert "Content-Encoding" not in headers and "Transfer-Encoding" not in headers
    assert headers["Content-Length"] != "17"
    assert {"WARC-Payload-Digest", "WARC-Block-Digest"} <= set(warc_headers)


def _summaries(
    stream: BinaryIO,
) -> Iterator[tuple[str, str | None, dict[str, str], dict[str, str]]]:
    """Yield (type, HTTP status line, HTTP headers, WARC headers) of each record."""
    for record in ArchiveIterator(stream):
        http = record.http_headers
        yield (
            record.rec_type,
            http.statusline if http else None,
            dict(http.headers) if http else {},
            dict(record.rec_headers.headers),
        )


def test_writer_names_files_open_until_closed(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, prefix="crawl")
    assert list(tmp_path.iterdir()) == []  # nothing until the first write
    name = writer.write_response(
        "https://news.example.org/a", 200, {"Content-Type": "text/html"}, HTML_X, _fetched(0)
    ).filename
    assert [path.name for path in tmp_path.iterdir()] == [name + ".open"]
    assert name.startswith("crawl-") and name.endswith("-00000.warc.gz")
    writer.close()
    assert [path.name for path in tmp_path.iterdir()] == [name]


def test_writer_rotates_at_max_bytes(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_bytes=1500) as writer:
        names = [
            writer.write_response(
                f"https://news.example.org/{n}",
                200,
                {"Content-Type": "text/html"},
                f"<html><body>{n} {'%x' % (n * 7919) * 40}</body></html>".encode(),
                _fetched(n),
            ).filename
            for n in range(12)
        ]
    files = sorted(path.name for path in tmp_path.iterdir())
    assert len(files) > 2 and files == sorted(set(names))
    for name in files:
        with (tmp_path / name).open("rb") as stream:
            assert next(_summaries(stream))[0] == "warcinfo"
    pages = list(archived_pages(tmp_path))
    assert [page.url for page in pages] == [f"https://news.example.org/{n}" for n in range(12)]
    assert [page.fetched_at for page in pages] == [_fetched(n) for n in range(12)]


def test_unclosed_writer_keeps_complete_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, rescued = tmp_path / "crawl", tmp_path / "rescued"
    rescued.mkdir()
    writer = WarcWriter(folder)
    for n in range(3):
        writer.write_response(
            f"https://news.example.org/{n}",
            200,
            {"Content-Type": "text/html"},
            HTML_LATE,
            _fetched(n),
        )
    [open_file] = folder.iterdir()
    shutil.copy(open_file, rescued / open_file.name)  # what a killed crawl leaves behind
    data = open_file.read_bytes()
    (rescued / ("cut-" + open_file.name)).write_bytes(data[:-25])  # killed mid-write
    writer.close()

    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        urls = [page.url for page in archived_pages(rescued)]
    assert sorted(urls) == sorted(
        [f"https://news.example.org/{n}" for n in range(3)]
        + [f"https://news.example.org/{n}" for n in range(2)]
    )
    assert "truncated" in caplog.text


def test_archived_pages_skips_non_archives(
    tmp_path: Path, mixed_warc: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "notes.warc").write_text("not an archive\n")
    (tmp_path / "readme.txt").write_text("ignored\n")
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        pages = list(archived_pages(tmp_path))
    assert len(pages) == 3
    assert "notes.warc is not a WARC or ARC file" in caplog.text
    with pytest.raises(WarcError, match="is not a folder"):
        list(archived_pages(tmp_path / "missing"))
