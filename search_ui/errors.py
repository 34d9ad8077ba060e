"""Error pages: styled HTML, or a JSON error object for the `.json` routes."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable

from indexer import ArchiveNotFoundError


class InvalidParameter(BadRequest):
    """A query-string parameter has a value the route cannot use (page=abc, page=0...)."""

    error_code = "invalid_parameter"


class InvalidQuery(BadRequest):
    """The search query could not be parsed; the description says why."""

    error_code = "invalid_query"


class ArchiveUnavailable(ServiceUnavailable):
    """The app's archive folder holds no index yet."""

    error_code = "archive_not_found"


def register(app: Flask) -> None:
    """Install the app's error handlers."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(ArchiveNotFoundError, render_missing_archive)


def render_error(error: HTTPException) -> Response:
    """Render `error` as JSON for `.json` URLs, else as the HTML error page."""
    if request.path.endswith(".json"):
        code = getattr(error, "error_code", None) or error.name.lower().replace(" ", "_")
        response = jsonify(error={"code": code, "message": error.description})
    else:
        response = Response(render_template("error.html", error=error))
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # keeps e.g. Allow on 405
            response.headers[name] = value
    return response


def render_missing_archive(error: ArchiveNotFoundError) -> Response:
    """Answer 503 with the index's message, which says how to build the archive."""
    return render_error(ArchiveUnavailable(description=str(error)))
