"""Fixtures for the web app: apps over the shared test archive, a Wikinews archive, the app
served by waitress, and tabs of headless Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import waitress
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve `app` under waitress on a free local port; yield its base URL."""
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
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        thread.join(timeout=10)


@pytest.fixture
def base_url(make_app: Callable[..., Flask], archive_path: Path) -> Iterator[str]:
    """Serve the app over the test archive on a free local port; yield its base URL."""
    with served(make_app(archive_path, TESTING=False)) as url:
        yield url


CHROMIUM = os.environ.get("NEWSARCHIVE_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: keep Chromium from calling home at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, one for the session (`apt-get install chromium`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `apt-get install chromium` (.ci/run does).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def watched_tab(context: BrowserContext) -> Page:
    """Open a tab in `context` that records console errors and any dialog a script opens."""
    tab = context.new_page()
    tab.console_errors = []  # type: ignore[attr-defined]
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    return tab


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """Return a function opening a watched tab in a new context (`browser.new_context` options,
    e.g. `color_scheme` or `viewport`); the contexts close after the test.

    It asks for `base_url` so that the tabs close before the server stops.
    """
    contexts: list[BrowserContext] = []

    def open_page(**options: object) -> Page:
        contexts.append(browser.new_context(**options))
        return watched_tab(contexts[-1])

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A fresh tab that records console errors and any dialog an injected script opens."""
    return new_page()
