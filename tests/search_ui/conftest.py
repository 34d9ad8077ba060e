"""Fixtures for the web app: apps over the shared test archive, and a Wikinews archive."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import waitress
from flask import Flask
from flask.testing import FlaskClient

from crawler import Article
from indexer import NewsIndex
from search_ui import close_archive, create_app


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Return a function making testing apps over an archive; their indexes close afterwards."""
    apps: list[Flask] = []

    def make(archive: Path, **config: object) -> Flask:
        app = create_app({"TESTING": True, "ARCHIVE": str(archive), **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_archive(app)


@pytest.fixture
def app(make_app: Callable[..., Flask], archive_path: Path) -> Flask:
    """The app over the shared test archive."""
    return make_app(archive_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture(scope="session")
def wikinews_article() -> Article:
    """An English Wikinews article (whose text needs attribution)."""
    return Article(
        url="https://en.wikinews.org/wiki/Biologist_says_ants_self-medicate",
        title="Wikinews ants story",
        text="Ants were studied.\n\nThe study was published.",
        published=datetime(2015, 9, 1, tzinfo=UTC),
        source="Wikinews",
        language="en",
    )


@pytest.fixture(scope="session")
def wikinews_archive(tmp_path_factory: pytest.TempPathFactory, wikinews_article: Article) -> Path:
    """An archive holding just `wikinews_article`."""
    path = tmp_path_factory.mktemp("wikinews")
    with NewsIndex.open(path, create=True) as index:
        index.add([wikinews_article])
    return path


@pytest.fixture
def base_url(make_app: Callable[..., Flask], archive_path: Path) -> Iterator[str]:
    """Serve the app over the test archive on a free local port; yield its base URL."""
    app = make_app(archive_path, TESTING=False)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        # Sockets are closed by the thread that polls them: closing them from another thread
        # while it sits in select() fails with "Bad file descriptor".
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown(timeout=5)  # let requests in flight finish first
        server.asyncore.close_all(server._map)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stopping.set()
    thread.join(timeout=10)
