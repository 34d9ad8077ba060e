"""The app served by the real waitress WSGI server, as `newsarchive serve` runs it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import waitress
from flask import Flask


@pytest.fixture
def base_url(make_app: Callable[..., Flask], archive_path: Path) -> Iterator[str]:
    """Serve the app over the test archive on a free local port; yield its base URL."""
    app = make_app(archive_path, TESTING=False)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """GET `url`; return status, headers and body text (also for error statuses)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


def test_served_by_waitress(base_url: str) -> None:
    status, headers, body = fetch(f"{base_url}/search?q=peroxide")
    assert status == 200 and "<mark>" in body and "Biologist says ants" in body
    assert headers["X-Content-Type-Options"] == "nosniff"

    status, _, body = fetch(f"{base_url}/search.json?q=budget&per_page=3")
    assert status == 200 and json.loads(body)["total"] == 12

    status, _, body = fetch(f"{base_url}/search?q=budget&page=abc")
    assert status == 400 and "page must be a whole number" in body

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: fetch(f"{base_url}/search?q=budget")[0], range(12)))
    assert statuses == [200] * 12
