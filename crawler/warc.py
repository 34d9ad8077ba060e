"""WARC/ARC files: read archived HTML responses as `Page`s, and keep fetched originals as WARC.

Reading uses warcio's `ArchiveIterator` (ARC records are converted to WARC on the fly). Only
complete `response` records with HTTP status 200 and an HTML content type become pages; a
truncated or corrupt file is read up to its last complete record, then left with a warning.

Writing appends gzip-per-record WARC/1.0 files to a folder. A file is named
`{prefix}-{UTC YYYYmmddHHMMSS}-{pid}-{n:05d}.warc.gz` but carries an extra `.open` suffix while
it is being written, so a crash never leaves a half-written file that looks complete. Each
write says where its response record went (a `Capture`), and `read_response` reads it back.
"""

from __future__ import annotations

import gzip
import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from crawler.errors import WarcError
from crawler.page import Page

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
OPEN_SUFFIX = ".open"  # added to a WARC file's name while it is being written
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_PAYLOAD = 10 * 1024 * 1024  # bigger response payloads are skipped with a warning
DEFAULT_MAX_BYTES = 1 << 30

# What warcio and zlib raise on damaged input (bad headers, lengths, gzip data or chunking).
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ChunkedDataException,
    zlib.error,
    EOFError,
    ValueError,
    IndexError,
)
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)
# Headers that describe the bytes as sent on the wire, not the decoded body the writer stores.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True)
class Capture:
    """Where a written response record lies: its WARC file's name, byte offset and length."""

    filename: str
    offset: int
    length: int


@dataclass(frozen=True)
class ArchivedResponse:
    """An HTTP response read back from a WARC file: status, headers and decoded payload."""

    status: int
    headers: list[tuple[str, str]]
    payload: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def is_warc(path: str | Path) -> bool:
    """Return whether `path` is a WARC or ARC file: by name, or by its first bytes for `.gz`."""
    name = Path(path).name.lower()
    if name.endswith(WARC_SUFFIXES):
        return True
    if not name.endswith(".gz"):
        return False
    try:
        with gzip.open(path, "rb") as stream:
            head = stream.read(16)
    except (OSError, EOFError, zlib.error):
        return False
    return head.startswith((b"WARC/", b"filedesc://"))


def warc_pages(
    path: str | Path,
    *,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> Iterator[Page]:
    """Yield the HTML 200 responses of a WARC/ARC file captured between the dates, as `Page`s.

    `date_from` is inclusive. `date_to` is inclusive too, and a `date_to` at exactly midnight
    means that whole day. Naive datetimes are taken as UTC. Raises `WarcError` if the file
    cannot be opened or is not a WARC/ARC file at all.
    """
    in_range = _date_filter(date_from, date_to)

    def wanted(record: ArcWarcRecord) -> bool:
        if not _is_html_200(record):
            return False
        captured = _capture_date(record)
        return captured is not None and in_range(captured)

    for offset, record, content in _complete_records(Path(path), wanted, read_payload=True):
        yield Page(
            location=f"{path}#offset={offset}",
            content=content,
            url=record.rec_headers.get_header("WARC-Target-URI"),
            charset=_content_type(record).get_content_charset(),
            fetched_at=iso_date_to_datetime(
                record.rec_headers.get_header("WARC-Date"), tz_aware=True
            ),
        )


def count_records(path: str | Path) -> int:
    """Return the number of complete `response` records in a WARC/ARC file (for progress)."""
    records = _complete_records(
        Path(path), lambda record: record.rec_type == "response", read_payload=False
    )
    return sum(1 for _ in records)


def archived_pages(folder: str | Path) -> Iterator[Page]:
    """Yield every HTML 200 response of every WARC/ARC file in `folder`, oldest file first.

    Files still named `.open` (a crawl that crashed or is running) are read up to their last
    complete record; a file that is not a WARC/ARC at all is skipped with a warning.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise WarcError(
            f"{folder} is not a folder; give the folder the crawl kept its WARC files in."
        )
    try:
        files = [
            path for path in folder.iterdir() if _is_archive_name(path.name) and path.is_file()
        ]
        files.sort(key=lambda path: (path.stat().st_mtime, path.name))
    except OSError as exc:
        raise WarcError(
            f"Cannot list the folder {folder}: {exc.strerror}; check its permissions."
        ) from exc
    for path in files:
        try:
            yield from warc_pages(path)
        except WarcError as exc:
            logger.warning("%s Skipped.", exc)


class WarcWriter:
    """Appends fetched responses to gzip WARC files in a folder, rotating files; thread-safe."""

    def __init__(
        self,
        folder: str | Path,
        *,
        prefix: str = "newsarchive",
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Write into `folder` (made if missing); start a new file once one reaches `max_bytes`."""
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarcError(
                f"Cannot create the WARC folder {self.folder}: {exc.strerror}; "
                "choose a writable folder."
            ) from exc
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._stream: BinaryIO | None = None
        self._path: Path | None = None  # the final name of the file being written
        self._size = 0
        self._serial = 0

    def write_response(
        self,
        url: str,
        status: int,
        headers: dict[str, str] | list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        *,
        request_headers: dict[str, str] | None = None,
    ) -> Capture:
        """Append a response (and its request, if given); return where the response went.

        `body` is the decoded body, so Content-Encoding and Transfer-Encoding are dropped from
        the stored headers and Content-Length is set to the body's length. The capture names
        the file as it is called once finished (without `.open`).
        """
        data, length = _response_bytes(url, status, headers, body, fetched_at, request_headers)
        with self._lock:
            if self._stream is None:
                self._open_file()
            assert self._stream is not None and self._path is not None
            capture = Capture(self._path.name, self._size, length)
            self._write(data)
            if self._size >= self.max_bytes:
                self._finish_file()
        return capture

    def close(self) -> None:
        """Finish the file being written: flush, sync and drop its `.open` suffix."""
        with self._lock:
            if self._stream is not None:
                self._finish_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _open_file(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            path = self.folder / f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
            self._serial += 1
            if path.exists():
                continue
            try:
                self._stream = open(_open_name(path), "xb")  # kept open until rotation
            except FileExistsError:
                continue
            except OSError as exc:
                raise WarcError(
                    f"Cannot create a WARC file in {self.folder}: {exc.strerror}; "
                    "check the folder's permissions and free space."
                ) from exc
            break
        self._path = path
        self._size = 0
        self._write(_warcinfo_bytes(path.name))

    def _write(self, data: bytes) -> None:
        assert self._stream is not None
        try:
            self._stream.write(data)
            self._stream.flush()
        except OSError as exc:
            raise WarcError(
                f"Cannot write to {self._path}: {exc.strerror}; check the free disk space."
            ) from exc
        self._size += len(data)

    def _finish_file(self) -> None:
        assert self._stream is not None and self._path is not None
        stream, path = self._stream, self._path
        self._stream = self._path = None
        try:
            os.fsync(stream.fileno())
            stream.close()
            os.replace(_open_name(path), path)
        except OSError as exc:
            raise WarcError(
                f"Cannot finish the WARC file {path}: {exc.strerror}; "
                f"its records stay readable in {_open_name(path).name}."
            ) from exc
        logger.info("Wrote %s (%d bytes)", path, self._size)


def read_response(path: str | Path, capture: Capture) -> ArchivedResponse:
    """Return the response record `capture` locates in the WARC file at `path`.

    Raises `WarcError` if the file cannot be read or holds no complete response record there.
    """
    try:
        with Path(path).open("rb") as stream:
            stream.seek(capture.offset)
            data = stream.read(capture.length)
    except OSError as exc:
        raise WarcError(
            f"Cannot read {path}: {exc.strerror}; check the path and its permissions."
        ) from exc
    where = f"{path} at offset {capture.offset}"
    if len(data) < capture.length:
        raise WarcError(f"{where} is cut short; the WARC file is truncated.")
    try:
        record = next(iter(ArchiveIterator(BytesIO(data))), None)
        if record is not None:
            _parse_http_headers(record)
        if record is None or record.rec_type != "response" or not record.http_headers:
            raise WarcError(f"{where} holds no HTTP response record.")
        payload = record.content_stream().read()
        status = int(record.http_headers.get_statuscode())
    except _DAMAGE as exc:
        raise WarcError(f"{where} holds a corrupt record ({exc}).") from exc
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise WarcError(f"{where} holds a truncated record.")
    return ArchivedResponse(status, list(record.http_headers.headers), payload)


def _parse_http_headers(record: ArcWarcRecord) -> None:
    """Parse the HTTP headers of a record warcio left unparsed: it does so only for http(s)
    URIs, and saved pages are kept under file: URIs."""
    holds_http = (record.content_type or "").lower().startswith("application/http")
    if record.http_headers is None and holds_http:
        record.http_headers = _HTTP_PARSER.parse(record.raw_stream)


def _complete_records(
    path: Path, wanted: Callable[[ArcWarcRecord], bool], *, read_payload: bool
) -> Iterator[tuple[int, ArcWarcRecord, bytes]]:
    """Yield (offset, record, payload) for each complete wanted record; stop at damage."""
    try:
        stream = path.open("rb")
        size = os.fstat(stream.fileno()).st_size
    except OSError as exc:
        raise WarcError(
            f"Cannot open {path}: {exc.strerror}; check the path and its permissions."
        ) from exc
    with stream:
        records = ArchiveIterator(stream, arc2warc=True)
        seen = 0
        try:
            for record in records:
                keep = wanted(record)
                payload = _read_payload(record, path) if keep and read_payload else b""
                offset = records.get_record_offset()  # reads the rest of the record
                if getattr(record.raw_stream, "limit", 0) > 0:
                    logger.warning(
                        "%s is truncated in the record at offset %d; stopped there.", path, offset
                    )
                    return
                seen += 1
                if keep and payload is not None:
                    yield offset, record, payload
        except _DAMAGE as exc:
            if seen == 0 and isinstance(exc, ArchiveLoadFailed):
                raise WarcError(
                    f"{path} is not a WARC or ARC file ({exc}); give .warc, .warc.gz, .arc "
                    "or .arc.gz files."
                ) from exc
            if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
                logger.warning(
                    "%s is gzipped as a whole, not record by record; only its first record was "
                    "read. Fix it with: warcio recompress %s fixed.warc.gz",
                    path,
                    path,
                )
            else:
                logger.warning(
                    "%s is corrupt after offset %d (%s); stopped there.", path, records.offset, exc
                )
            return
        if records.offset < size:
            logger.warning(
                "%s is truncated or corrupt after offset %d; stopped there.", path, records.offset
            )


def _read_payload(record: ArcWarcRecord, path: Path) -> bytes | None:
    """Return the record's decoded HTTP payload, or None (with a warning) if it is too big."""
    content = record.content_stream().read(MAX_PAYLOAD + 1)
    if len(content) > MAX_PAYLOAD:
        logger.warning(
            "Skipped %s in %s: its payload is over the %d-byte cap.",
            record.rec_headers.get_header("WARC-Target-URI"),
            path,
            MAX_PAYLOAD,
        )
        return None
    return content


def _is_html_200(record: ArcWarcRecord) -> bool:
    """Return whether the record is an HTTP 200 response with an HTML content type."""
    _parse_http_headers(record)
    return (
        record.rec_type == "response"
        and bool(record.http_headers)
        and record.http_headers.get_statuscode() == "200"
        and _content_type(record).get_content_type() in HTML_TYPES
    )


def _content_type(record: ArcWarcRecord) -> Message:
    """Return the record's HTTP Content-Type parsed as a message header."""
    message = Message()
    message["Content-Type"] = record.http_headers.get_header("Content-Type", "")
    return message


def _capture_date(record: ArcWarcRecord) -> datetime | None:
    """Return the record's WARC-Date as an aware UTC datetime, or None if missing or invalid."""
    value = record.rec_headers.get_header("WARC-Date")
    try:
        return iso_date_to_datetime(value, tz_aware=True) if value else None
    except (ValueError, TypeError):
        logger.warning("Skipped a record with an invalid WARC-Date %r", value)
        return None


def _date_filter(
    date_from: datetime | None, date_to: datetime | None
) -> Callable[[datetime], bool]:
    """Return a test of capture dates: `date_from` through `date_to` (whole day if midnight)."""
    lower = _as_utc(date_from) if date_from is not None else None
    upper = None  # exclusive
    if date_to is not None:
        step = timedelta(days=1) if date_to.time() == time(0) else timedelta(microseconds=1)
        upper = _as_utc(date_to + step)

    def in_range(captured: datetime) -> bool:
        return (lower is None or captured >= lower) and (upper is None or captured < upper)

    return in_range


def _as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime, taking a naive one as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_archive_name(name: str) -> bool:
    """Return whether a file name is a WARC/ARC file, possibly still `.open`."""
    name = name.lower().removesuffix(OPEN_SUFFIX)
    return name.endswith(WARC_SUFFIXES)


def _open_name(path: Path) -> Path:
    """Return the name a WARC file has while it is being written."""
    return path.with_name(path.name + OPEN_SUFFIX)


def _record_bytes(write: Callable[[WARCWriter], None]) -> bytes:
    """Return the gzip WARC bytes of the records `write` puts through a WARCWriter."""
    buffer = BytesIO()
    write(WARCWriter(buffer, gzip=True, warc_version="1.0"))
    return buffer.getvalue()


def _warcinfo_bytes(filename: str) -> bytes:
    """Return the warcinfo record that starts each file."""
    info = {"software": "newsarchive (warcio)", "format": "WARC File Format 1.0"}
    return _record_bytes(
        lambda writer: writer.write_record(writer.create_warcinfo_record(filename, info))
    )


def _response_bytes(
    url: str,
    status: int,
    headers: dict[str, str] | list[tuple[str, str]],
    body: bytes,
    fetched_at: datetime,
    request_headers: dict[str, str] | None,
) -> tuple[bytes, int]:
    """Return the response record, then the request record if headers are given, for one
    fetch; and the response record's length in bytes."""
    items = headers.items() if isinstance(headers, dict) else headers
    kept = [(name, value) for name, value in items if name.lower() not in _WIRE_HEADERS]
    kept.append(("Content-Length", str(len(body))))
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    http_headers = StatusAndHeaders(
        f"{status} {reason}".strip(), _clean_headers(kept), protocol="HTTP/1.1"
    )
    warc_headers = {"WARC-Date": datetime_to_iso_date(_as_utc(fetched_at).replace(tzinfo=None))}
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.0")
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(response)
    length = buffer.tell()
    if request_headers is not None:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = list(request_headers.items())
        if not any(name.lower() == "host" for name, _ in sent):
            sent.insert(0, ("Host", parts.netloc))
        concurrent = {"WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")}
        request = writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", _clean_headers(sent)),
            warc_headers_dict={**warc_headers, **concurrent},
        )
        writer.write_record(request)
    return buffer.getvalue(), length


def _clean_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return headers with line breaks folded into spaces, so none can forge another line."""
    return [(" ".join(name.split()), " ".join(str(value).splitlines())) for name, value in headers]
