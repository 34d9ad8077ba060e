"""The archived capture of an article: its page as the crawler fetched it, served sandboxed."""

from __future__ import annotations

import logging
import re
from email.message import Message
from pathlib import Path

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import NotFound

from crawler import Article
from crawler.captures import CAPTURES_FILE, CaptureEntry, CaptureIndex, read_capture
from crawler.crawl import WARC_DIR
from crawler.decode import declared_charset
from crawler.errors import WarcError
from crawler.warc import ArchivedResponse
from search_ui.archive import find_article

logger = logging.getLogger(__name__)

bp = Blueprint("captures", __name__)

# The captured page runs no script, loads nothing from the network and gets an opaque origin.
SANDBOX_HEADERS = {
    "Content-Security-Policy": (
        "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
_CHARSET = re.compile(r"[A-Za-z0-9_:.+-]{1,40}")


def latest_capture(article: Article) -> CaptureEntry | None:
    """Return the latest capture of `article`'s page in the app's archive, or None."""
    path = Path(current_app.config["ARCHIVE"]) / CAPTURES_FILE
    if not path.is_file():
        return None
    with CaptureIndex(path, readonly=True) as index:
        return index.latest(article.url)


@bp.get("/article/<article_id>/capture")
def capture(article_id: str) -> Response:
    """Serve the archived page of an article as fetched, as inert sandboxed HTML."""
    article = find_article(article_id)
    entry = latest_capture(article)
    if entry is None:
        raise NotFound(
            f"The archive holds no capture of {article.url}; only pages the crawler fetched "
            "since captures were recorded have one."
        )
    folder = Path(current_app.config["ARCHIVE"]) / WARC_DIR
    try:
        archived = read_capture(folder, entry.capture)
    except WarcError as error:
        logger.warning("Cannot read the capture of %s: %s", article.url, error)
        raise NotFound(
            f"The archived capture of {article.url} is missing or damaged in the archive."
        ) from error
    response = Response(archived.payload, status=200)
    response.headers["Content-Type"] = f"text/html; charset={charset(archived)}"
    for name, value in SANDBOX_HEADERS.items():
        response.headers[name] = value
    return response


def charset(archived: ArchivedResponse) -> str:
    """Return the charset the captured page declared (HTTP header, then <meta>), else utf-8."""
    message = Message()
    message["Content-Type"] = archived.header("Content-Type") or ""
    for label in (message.get_content_charset(), declared_charset(archived.payload)):
        if label and _CHARSET.fullmatch(label):
            return label
    return "utf-8"
