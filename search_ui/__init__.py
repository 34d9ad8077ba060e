"""The web search page: a Flask app over one newsarchive archive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from search_ui import api, assets, captures, errors, exports, filters, views
from search_ui.archive import close_archive, init_archive

__all__ = ["close_archive", "create_app"]

DEFAULT_CONFIG: dict[str, Any] = {
    "ARCHIVE": "index_data",  # folder holding the archive's index
    "PER_PAGE": 10,  # results per page on the HTML search page
    "EXPORT_SLOTS": 2,  # CSV exports served at once; more are asked to retry (503)
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then `instance/config.py`, then `config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULT_CONFIG)
    app.config.from_pyfile("config.py", silent=True)
    if config is not None:
        app.config.from_mapping(config)
    init_archive(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(captures.bp)
    errors.register(app)
    assets.register(app)
    filters.register(app)
    app.after_request(add_security_headers)
    return app


def add_security_headers(response: Response) -> Response:
    """Set the security headers every response carries."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
