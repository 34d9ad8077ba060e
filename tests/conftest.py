"""Fixtures shared by every test package: a handful of articles and an archive built from them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler import Article
from indexer import NewsIndex

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "sample_archive"

XSS_TITLE = "Council vote <script>alert(1)</script> sparks protest"
XSS_BODY = "The mayor spoke. <img src=x onerror=alert(1)> Residents of Zorbatown protested."


def _article(slug: str, title: str, text: str, **meta: object) -> Article:
    return Article(url=f"https://news.example.org/{slug}", title=title, text=text, **meta)


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    """A small, varied set of articles written for the tests."""
    return [
        _article(
            "2015/09/01/ants",
            "Biologist says ants self-medicate",
            "Infected ants chose food laced with hydrogen peroxide.\n\n"
            "Healthy ants avoided it, the biologist said.",
            authors=["Nick Bos"],
            published=datetime(2015, 9, 1, 8, 30, tzinfo=UTC),
            section="Science",
            source="Example News",
            language="en",
            description="A study of Formica fusca colonies.",
        ),
        _article(
            "2018/04/02/putin-ankara",
            "Putin to visit Ankara for talks with Turkish and Iranian leaders",
            "Relations between Turkey and Russia are fast improving.\n\n"
            "Akkuyu is Turkey's first nuclear power station.",
            authors=["Jane Doe", "Ali Kaya"],
            published=datetime(2018, 4, 2, tzinfo=UTC),
            section="World",
            source="Example News",
            language="en",
        ),
        _article(
            "2019/01/10/flood",
            "River floods farmland after record rain",
            "The river burst its banks overnight.\n\nFarmers lost their winter crops.",
            published=datetime(2019, 1, 10, tzinfo=UTC),
            section="World",
            source="Daily Planet",
            language="en",
        ),
        _article(
            "ln/5703816",
            "Bokonzi ya nzoto",
            "Minisitele ya bokonzi ya nzoto alobi ete malali ekiti na mboka.",
            section="Health",
            source="VOA Lingala",
            language="ln",
        ),
        _article(
            "2020/06/05/xss",
            XSS_TITLE,
            XSS_BODY,
            published=datetime(2020, 6, 5, tzinfo=UTC),
            section="Local",
            source="Daily Planet",
            language="en",
        ),
    ] + [
        _article(
            f"2021/03/{day:02d}/budget",
            f"Budget debate, day {day}",
            f"Lawmakers argued over the budget on day {day}.\n\nThe session ran late.",
            published=datetime(2021, 3, day, tzinfo=UTC),
            section="Politics",
            source="Daily Planet",
            language="en",
        )
        for day in range(1, 13)
    ]


@pytest.fixture(scope="session")
def archive_path(tmp_path_factory: pytest.TempPathFactory, articles: list[Article]) -> Path:
    """An archive folder built from `articles` (do not write to it: it is shared)."""
    path = tmp_path_factory.mktemp("archive")
    with NewsIndex.open(path, create=True) as index:
        index.add(articles)
    return path


class _SiteHandler(BaseHTTPRequestHandler):
    """Serves `server.routes`: path -> (status, headers, body)."""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        status, headers, body = self.server.routes.get(  # type: ignore[attr-defined]
            self.path, (404, {"Content-Type": "text/plain"}, b"not found")
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Site:
    """A real HTTP server on 127.0.0.1 whose routes a test sets."""

    server: ThreadingHTTPServer
    routes: dict[str, tuple[int, dict[str, str], bytes]]

    def url(self, path: str) -> str:
        """Return the full URL of `path` on this server."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    """A live web server on 127.0.0.1 (routes empty until the test adds some)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SiteHandler)
    server.routes = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(server, server.routes)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
