"""The app served by the real waitress WSGI server, as `newsarchive serve` runs it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


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
