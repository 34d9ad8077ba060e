"""Search results as CSV and Atom, the OpenSearch description, and the OpenAPI document."""

from __future__ import annotations

import csv
import html
import io
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, islice

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    stream_with_context,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import ServiceUnavailable

from indexer import Hit, SearchResults
from search_ui.archive import search
from search_ui.filters import web_url
from search_ui.openapi import openapi_document
from search_ui.params import SearchParams

bp = Blueprint("exports", __name__)

# Most rows one CSV export holds: past this, people should narrow the search.
MAX_EXPORT_ROWS = 10_000
EXPORT_PAGE_SIZE = 100  # hits fetched per search while streaming a CSV export
CSV_COLUMNS = ("id", "url", "title", "source", "section", "authors", "published", "language")
CSV_FILENAME = "newsarchive-search.csv"
SLOTS = "newsarchive.export_slots"  # app.extensions key: exports that may run at once
EXPORT_RETRY_AFTER = 5  # seconds a client turned away is asked to wait
# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FEED_ENTRIES = 20  # newest matches an Atom feed holds
ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
SEARCH_TERMS = "?q={searchTerms}"  # appended, not passed to url_for, so the braces stay literal
# Characters XML 1.0 cannot hold at all, even escaped.
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MARK_TAG = re.compile(r"</?mark>")


class ExportsBusy(ServiceUnavailable):
    """Every export slot is taken: the client should come back shortly."""

    error_code = "exports_busy"


@bp.record_once
def _make_slots(state: BlueprintSetupState) -> None:
    state.app.extensions[SLOTS] = threading.BoundedSemaphore(state.app.config["EXPORT_SLOTS"])


@bp.get("/search.csv")
def search_csv() -> Response:
    """Stream every match of the search (up to MAX_EXPORT_ROWS) as a CSV download."""
    params = SearchParams.from_args(request.args).changed(page=1, per_page=EXPORT_PAGE_SIZE)
    slots = current_app.extensions[SLOTS]
    # Exports are the heaviest requests: a few at a time, so searches keep their threads.
    if not slots.acquire(blocking=False):
        raise ExportsBusy(
            description="Too many exports are being made at once; try again in a few seconds.",
            retry_after=EXPORT_RETRY_AFTER,
        )
    try:
        first = export_page(params)  # before streaming: a bad query is a 400
    except BaseException:
        slots.release()
        raise
    rows = map(csv_row, islice(all_hits(params, first), MAX_EXPORT_ROWS))
    response = Response(
        stream_with_context(csv_lines(chain([CSV_COLUMNS], rows))),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{CSV_FILENAME}"'},
    )
    response.call_on_close(slots.release)  # the server closes it when done or cut off
    return response


def export_page(params: SearchParams) -> SearchResults:
    """Return one page of an export: every copy, no facets, no snippets."""
    return search(params, facets=(), collapse=False, highlight=False)


def all_hits(params: SearchParams, first: SearchResults) -> Iterator[Hit]:
    """Yield the hits of `first`, then of each following page of `params` until none is left."""
    results = first
    while True:
        yield from results.hits
        if not results.hits or results.page >= results.pages:
            return
        results = export_page(params.changed(page=results.page + 1))


def csv_row(hit: Hit) -> list[str]:
    """Return the CSV cells of `hit`, in CSV_COLUMNS order, safe to open in a spreadsheet."""
    cells = [
        hit.id,
        hit.url,
        hit.title,
        hit.source,
        hit.section,
        "; ".join(hit.authors),
        hit.published.isoformat() if hit.published else "",
        hit.language,
    ]
    return [safe_cell(cell) for cell in cells]


def safe_cell(value: str) -> str:
    """Return `value` with a leading ' if a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Yield each row as one CSV record (quoted as needed, CRLF-terminated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


@bp.get("/search.atom")
def search_atom() -> Response:
    """Return an Atom feed of the newest matches of the search, to subscribe to."""
    params = SearchParams.from_args(request.args)
    newest = params.changed(sort="newest", page=1, per_page=FEED_ENTRIES)
    results = search(newest, facets=(), collapse=True)
    feed = atom_feed(params, results.hits)
    return Response(
        ET.tostring(feed, encoding="utf-8", xml_declaration=True),
        content_type="application/atom+xml; charset=utf-8",
    )


def atom_feed(params: SearchParams, hits: list[Hit]) -> ET.Element:
    """Return the Atom <feed> of `hits`, the newest matches of `params`."""
    dates = [hit.published for hit in hits if hit.published]
    updated = max(dates) if dates else datetime.now(UTC).replace(microsecond=0)
    page_url = url_for("views.results", _external=True)
    query = params.query_string()
    feed = ET.Element("feed", xmlns=ATOM_NS)
    add_text(feed, "title", f"newsarchive: {params.q or 'all articles'}")
    add_text(feed, "id", request.url)
    add_text(feed, "updated", updated.isoformat())
    add_link(feed, request.url, rel="self", type="application/atom+xml")
    add_link(feed, f"{page_url}?{query}" if query else page_url, rel="alternate", type="text/html")
    add_author(feed, "newsarchive")  # covers entries whose article names no author
    for hit in hits:
        feed.append(atom_entry(hit, updated))
    return feed


def atom_entry(hit: Hit, undated: datetime) -> ET.Element:
    """Return the Atom <entry> of `hit`; an undated article is `undated`."""
    entry = ET.Element("entry")
    add_text(entry, "title", hit.title)
    add_link(entry, web_url(hit.url) or url_for("views.article", article_id=hit.id, _external=True))
    add_text(entry, "id", f"urn:newsarchive:{hit.id}")
    add_text(entry, "updated", (hit.published or undated).isoformat())
    if hit.published:
        add_text(entry, "published", hit.published.isoformat())
    for name in hit.authors:
        add_author(entry, name)
    add_text(entry, "summary", snippet_text(hit.snippet), type="text")
    return entry


def add_text(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    """Append Atom element `tag` holding `text` to `parent`."""
    ET.SubElement(parent, tag, attributes).text = xml_text(text)


def add_link(parent: ET.Element, href: str, **attributes: str) -> None:
    """Append an Atom <link> to `href` to `parent`."""
    ET.SubElement(parent, "link", {"href": xml_text(href), **attributes})


def add_author(parent: ET.Element, name: str) -> None:
    """Append an Atom <author> called `name` to `parent`."""
    add_text(ET.SubElement(parent, "author"), "name", name)


def xml_text(text: str) -> str:
    """Return `text` without the characters XML cannot hold (ElementTree escapes the rest)."""
    return XML_INVALID.sub("", text)


def snippet_text(snippet: str) -> str:
    """Return a result snippet (HTML with only <mark>) as plain text."""
    return html.unescape(MARK_TAG.sub("", snippet))


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Return the OpenSearch description that lets browsers add the archive as a search engine."""
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH_NS)
    ET.SubElement(root, "ShortName").text = "newsarchive"
    ET.SubElement(root, "Description").text = "Full-text search over this news archive."
    ET.SubElement(root, "InputEncoding").text = "UTF-8"
    for kind, endpoint in (
        ("text/html", "views.results"),
        ("application/json", "api.search_json"),
        ("application/atom+xml", "exports.search_atom"),
    ):
        template = url_for(endpoint, _external=True) + SEARCH_TERMS
        ET.SubElement(root, "Url", type=kind, template=template)
    return Response(
        ET.tostring(root, encoding="utf-8", xml_declaration=True),
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    """Return the OpenAPI 3.1 description of the JSON, CSV and Atom routes."""
    return jsonify(openapi_document(MAX_EXPORT_ROWS))
