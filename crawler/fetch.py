"""Fetching one web page over http(s), safely: scheme check, redirect cap, size cap, timeouts."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import urljoin, urlsplit

from crawler.errors import FetchError
from crawler.page import Page

logger = logging.getLogger(__name__)

USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = {301, 302, 303, 307, 308}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Leave redirects to `fetch_page`, which checks and counts every hop."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def check_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL, else raise `FetchError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Not an http(s) URL: {url!r}; give a full address like https://...")
    return url


def fetch_page(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    timeout: float = TIMEOUT,
    user_agent: str = USER_AGENT,
) -> Page:
    """Fetch the HTML page at `url`, following at most `max_redirects` redirects."""
    current = check_url(url)
    for _hop in range(max_redirects + 1):
        request = urllib.request.Request(
            current, headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.5"}
        )
        try:
            response = _OPENER.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in _REDIRECTS and exc.headers.get("Location"):
                current = check_url(urljoin(current, exc.headers["Location"]))
                logger.debug("redirected to %s", current)
                exc.close()
                continue
            raise FetchError(f"{current} answered HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"Could not fetch {current}: {reason}") from exc
        with response:
            return _read(current, response, max_bytes)
    raise FetchError(f"{url} redirected more than {max_redirects} times; giving up.")


def _read(url: str, response: object, max_bytes: int) -> Page:
    headers: Message = response.headers  # type: ignore[attr-defined]
    content_type = headers.get_content_type()
    if content_type not in HTML_TYPES:
        raise FetchError(f"{url} is {content_type}, not an HTML page.")
    declared = headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is {int(declared):,} bytes, over the {max_bytes:,}-byte cap.")
    content = response.read(max_bytes + 1)  # type: ignore[attr-defined]
    if len(content) > max_bytes:
        raise FetchError(f"{url} is over the {max_bytes:,}-byte cap.")
    return Page(location=url, content=content, url=url, charset=headers.get_content_charset())
