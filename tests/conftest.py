"""Fixtures shared by every test package: a handful of articles and an archive built from them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from crawler import Article
from indexer import NewsIndex
from tests.indexer.typesense_cluster import Cluster

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


Body = bytes | Iterable[bytes]  # an iterable is streamed, without Content-Length
Route = tuple[int, dict[str, str], Body]


class Visit(NamedTuple):
    """One request the test server received."""

    time: float  # time.monotonic() when it arrived
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names


class _SiteHandler(BaseHTTPRequestHandler):
    """Serves `server.site.routes`: path -> (status, headers, body) or a callable returning one."""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        site: Site = self.server.site  # type: ignore[attr-defined]
        visit = Visit(
            time.monotonic(),
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
        )
        site.log.append(visit)
        route = site.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        status, headers, body = route(visit) if callable(route) else route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if isinstance(body, bytes) and "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for chunk in [body] if isinstance(body, bytes) else body:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            site.broken.append(self.path)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Site:
    """A real HTTP server on 127.0.0.1 whose routes a test sets, with a log of what it got."""

    server: ThreadingHTTPServer
    routes: dict[str, Route | Callable[[Visit], Route]] = field(default_factory=dict)
    log: list[Visit] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # paths whose client hung up mid-body

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """Return the full URL of `path` on this server (`host` may be "localhost")."""
        return f"http://{host}:{self.server.server_address[1]}{path}"

    def paths(self) -> list[str]:
        """Return the paths requested so far, in order."""
        return [visit.path for visit in self.log]

    def gaps(self) -> list[float]:
        """Return the seconds between each request and the one before it."""
        times = [visit.time for visit in self.log]
        return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


@pytest.fixture
def site() -> Iterator[Site]:
    """A live web server on 127.0.0.1 (routes empty until the test adds some)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SiteHandler)
    server.site = Site(server)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.site  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def typesense_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A running three-node Typesense cluster on 127.0.0.1, started once per session (the test
    fails with the servers' logs if it cannot start)."""
    cluster = Cluster.create(tmp_path_factory.mktemp("typesense"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
