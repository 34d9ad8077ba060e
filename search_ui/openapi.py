"""The OpenAPI 3.1 description of the machine-readable routes: JSON, CSV and Atom."""

from __future__ import annotations

from typing import Any

from crawler.article import Access
from indexer import SORTS
from search_ui.params import (
    DATE_PATTERN,
    FILTER_PARAMS,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
)

Schema = dict[str, Any]

API_VERSION = "1.0.0"
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
NULLABLE_DATETIME: Schema = {"type": ["string", "null"], "format": "date-time"}
STRINGS: Schema = {"type": "array", "items": {"type": "string"}}
ACCESS: Schema = {
    "type": "string",
    "enum": [access.value for access in Access],
    "description": "teaser: paywalled, only the opening the site shows every visitor is archived.",
}


def ref(name: str) -> Schema:
    """Return a reference to component schema `name`."""
    return {"$ref": f"#/components/schemas/{name}"}


def closed_object(properties: dict[str, Schema], description: str) -> Schema:
    """Return an object schema requiring exactly `properties`."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def query_parameter(name: str, schema: Schema, description: str, **extra: Any) -> Schema:
    """Return the OpenAPI description of query parameter `name`."""
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def parameter_allowing_empty(name: str, schema: Schema, description: str) -> Schema:
    """Return query parameter `name`, which may also be sent empty (as forms do) for its default."""
    return query_parameter(
        name, schema, f"{description} Empty is the same as leaving it out.", allowEmptyValue=True
    )


def search_parameters(*, paged: bool, sortable: bool) -> list[Schema]:
    """Return the search's query parameters; `sortable` adds sort, `paged` page and per_page."""
    parameters = [
        query_parameter(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            'The search query (words, "phrases", AND/OR/NOT, field:value); empty lists all.',
        ),
        *(
            query_parameter(
                name,
                {**STRINGS, "maxItems": MAX_FILTER_VALUES},
                f"Only articles whose {facet} is one of these values (repeat to add values; "
                "blank values are ignored but count towards the limit).",
                style="form",
                explode=True,
            )
            for name, facet in FILTER_PARAMS.items()
        ),
        parameter_allowing_empty(
            "from",
            {"type": "string", "pattern": f"^{DATE_PATTERN}$"},
            "Only articles published on or after this date: 2015, 2015-09 or 2015-09-01.",
        ),
        parameter_allowing_empty(
            "to",
            {"type": "string", "pattern": f"^{DATE_PATTERN}$"},
            "Only articles published on or before the end of this date (year, month or day).",
        ),
    ]
    if sortable:
        parameters.append(
            parameter_allowing_empty(
                "sort",
                {"type": "string", "enum": list(SORTS), "default": "relevance"},
                "The order: best matches first, newest first or oldest first.",
            )
        )
    if paged:
        parameters += [
            parameter_allowing_empty(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                "The page of results.",
            ),
            parameter_allowing_empty(
                "per_page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10},
                "Results per page.",
            ),
        ]
    return parameters


def json_response(description: str, schema: str) -> Schema:
    """Return a response whose JSON body follows component schema `schema`."""
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def text_response(description: str, media_type: str) -> Schema:
    """Return a response whose body is text of `media_type`."""
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}


def errors(*codes: str, media_type: str = "application/json") -> dict[str, Schema]:
    """Return the error responses `codes` (the Error object, or an HTML page for other formats)."""
    reasons = {
        "400": "A parameter or the query cannot be used (code invalid_parameter or invalid_query).",
        "404": "There is no such article (code not_found).",
        "503": "The archive has no index yet (code archive_not_found).",
    }
    if media_type == "application/json":
        return {code: json_response(reasons[code], "Error") for code in codes}
    return {code: text_response(reasons[code], media_type) for code in codes}


def schemas() -> dict[str, Schema]:
    """Return the component schemas: SearchResults, Hit, FacetCount, Article and Error."""
    return {
        "SearchResults": closed_object(
            {
                "query": {"type": "string"},
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "took_ms": {"type": "number", "minimum": 0},
                "suggestion": NULLABLE_STRING,
                "facets": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": ref("FacetCount")},
                },
                "hits": {"type": "array", "items": ref("Hit")},
            },
            "One page of results; total counts every match, near-duplicates included.",
        ),
        "FacetCount": closed_object(
            {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
            "How many matching articles have one facet value.",
        ),
        "Hit": closed_object(
            {
                "id": {"type": "string"},
                "url": {"type": "string"},
                "title": {"type": "string"},
                "source": {"type": "string"},
                "section": {"type": "string"},
                "authors": STRINGS,
                "published": NULLABLE_DATETIME,
                "language": {"type": "string"},
                "access": ACCESS,
                "snippet": {"type": "string", "description": "HTML: escaped, matches in <mark>."},
                "score": {"type": "number"},
                "duplicates": {"type": "integer", "minimum": 0},
            },
            "One matching article; near-duplicates folded into it are counted in duplicates.",
        ),
        "Article": closed_object(
            {
                "url": {"type": "string"},
                "title": {"type": "string"},
                "text": {"type": "string", "description": "Paragraphs separated by blank lines."},
                "authors": STRINGS,
                "published": NULLABLE_DATETIME,
                "modified": NULLABLE_DATETIME,
                "section": {"type": "string"},
                "source": {"type": "string"},
                "language": {"type": "string"},
                "description": {"type": "string"},
                "tags": STRINGS,
                "image_url": {"type": "string"},
                "fetched_at": NULLABLE_DATETIME,
                "access": ACCESS,
                "id": {"type": "string"},
            },
            "One stored article.",
        ),
        "Error": closed_object(
            {
                "error": closed_object(
                    {"code": {"type": "string"}, "message": {"type": "string"}},
                    "A machine-readable code and a message for people.",
                )
            },
            "What went wrong.",
        ),
    }


def openapi_document(max_export_rows: int) -> Schema:
    """Return the OpenAPI 3.1 document of the search routes; CSV exports hold `max_export_rows`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsarchive",
            "version": API_VERSION,
            "description": "Full-text search over a news archive.",
        },
        "paths": {
            "/search.json": {
                "get": {
                    "summary": "One page of search results.",
                    "operationId": "searchJson",
                    "parameters": search_parameters(paged=True, sortable=True),
                    "responses": {
                        "200": json_response("The results.", "SearchResults"),
                        **errors("400", "503"),
                    },
                }
            },
            "/search.csv": {
                "get": {
                    "summary": f"Every match of the search, up to {max_export_rows:,}, as CSV.",
                    "operationId": "searchCsv",
                    "parameters": search_parameters(paged=False, sortable=True),
                    "responses": {
                        "200": {
                            **text_response(
                                "A CSV download, columns id, url, title, source, section, "
                                "authors, published, language.",
                                "text/csv",
                            ),
                            "headers": {
                                "Content-Disposition": {
                                    "description": "Saves it as newsarchive-search.csv.",
                                    "required": True,
                                    "schema": {"type": "string", "pattern": "^attachment;"},
                                }
                            },
                        },
                        **errors("400", media_type="text/html"),
                        "503": {
                            **text_response(
                                "The archive has no index yet, or too many exports are being "
                                "made at once (retry after the Retry-After seconds).",
                                "text/html",
                            ),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds to wait before trying again.",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        },
                    },
                }
            },
            "/search.atom": {
                "get": {
                    "summary": "An Atom feed of the newest matches of the search.",
                    "operationId": "searchAtom",
                    "parameters": search_parameters(paged=False, sortable=False),
                    "responses": {
                        "200": text_response("An Atom 1.0 feed.", "application/atom+xml"),
                        **errors("400", "503", media_type="text/html"),
                    },
                }
            },
            "/article/{article_id}.json": {
                "get": {
                    "summary": "One stored article.",
                    "operationId": "articleJson",
                    "parameters": [
                        {
                            "name": "article_id",
                            "in": "path",
                            "required": True,
                            "description": "The article's id, as search hits give it.",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": json_response("The article.", "Article"),
                        **errors("404", "503"),
                    },
                }
            },
        },
        "components": {"schemas": schemas()},
    }
