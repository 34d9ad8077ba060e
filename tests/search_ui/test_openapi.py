"""The OpenAPI document: its shape, and real responses checked against its schemas."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from crawler import Article

PATHS = {"/search.json", "/search.csv", "/search.atom", "/article/{article_id}.json"}
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


class SchemaError(AssertionError):
    """A value does not follow its schema."""


def check(value: Any, schema: dict[str, Any], document: dict[str, Any], where: str = "$") -> None:
    """Raise SchemaError unless `value` follows `schema` (the JSON Schema subset the API uses)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return check(value, document["components"]["schemas"][name], document, where)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        bool_as_number = isinstance(value, bool) and "boolean" not in names
        if bool_as_number or not any(isinstance(value, JSON_TYPES[name]) for name in names):
            raise SchemaError(f"{where}: {value!r} is not {types}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            raise SchemaError(f"{where}: {value!r} is out of range")
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            raise SchemaError(f"{where}: too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaError(f"{where}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and datetime.fromisoformat(value).tzinfo is None:
            raise SchemaError(f"{where}: {value!r} has no time zone")
    if isinstance(value, list):
        for number, item in enumerate(value):
            check(item, schema.get("items", {}), document, f"{where}[{number}]")
    if isinstance(value, dict):
        check_object(value, schema, document, where)
    return None


def check_object(
    value: dict[str, Any], schema: dict[str, Any], document: dict[str, Any], where: str
) -> None:
    """Check `value`'s required, declared and additional properties against `schema`."""
    missing = set(schema.get("required", ())) - set(value)
    if missing:
        raise SchemaError(f"{where}: missing {sorted(missing)}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            check(item, properties[name], document, f"{where}.{name}")
        elif extra is False:
            raise SchemaError(f"{where}: unexpected property {name!r}")
        elif isinstance(extra, dict):
            check(item, extra, document, f"{where}.{name}")


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    """The OpenAPI document the app serves."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def parameters(document: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    """Return the parameters of GET `path`, by name."""
    return {param["name"]: param for param in document["paths"][path]["get"]["parameters"]}


def response_schema(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    """Return the JSON schema of GET `path`'s `status` response."""
    return document["paths"][path]["get"]["responses"][status]["content"]["application/json"][
        "schema"
    ]


def test_document_describes_the_routes(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "newsarchive" and document["info"]["version"]
    assert set(document["paths"]) == PATHS
    refs = re.findall(r"#/components/schemas/(\w+)", str(document))
    assert refs and set(refs) <= set(document["components"]["schemas"])
    assert response_schema(document, "/search.json", "200") == {
        "$ref": "#/components/schemas/SearchResults"
    }
    for status in ("400", "503"):
        assert response_schema(document, "/search.json", status)["$ref"].endswith("/Error")
    assert response_schema(document, "/article/{article_id}.json", "404")["$ref"].endswith("/Error")
    assert "text/csv" in document["paths"]["/search.csv"]["get"]["responses"]["200"]["content"]


def test_search_parameters_are_described(document: dict[str, Any]) -> None:
    params = parameters(document, "/search.json")
    assert set(params) == {
        "q", "source", "section", "author", "language", "access", "year", "from", "to", "sort",
        "page", "per_page",
    }  # fmt: skip
    assert params["q"]["schema"] == {"type": "string", "maxLength": 1000}
    for name in ("source", "section", "author", "language", "access", "year"):
        assert params[name]["schema"]["type"] == "array"
        assert (params[name]["style"], params[name]["explode"]) == ("form", True)
    assert params["from"]["schema"]["pattern"] == params["to"]["schema"]["pattern"]
    assert params["sort"]["schema"]["enum"] == ["relevance", "newest", "oldest"]
    page, per_page = params["page"]["schema"], params["per_page"]["schema"]
    assert (page["type"], page["minimum"], page["maximum"]) == ("integer", 1, 1000)
    assert (per_page["type"], per_page["minimum"], per_page["maximum"]) == ("integer", 1, 100)
    assert {"page", "per_page"}.isdisjoint(parameters(document, "/search.csv"))
    assert parameters(document, "/article/{article_id}.json")["article_id"]["in"] == "path"


@pytest.mark.parametrize(
    "query", ["q=budget&per_page=3&page=2", "q=bokonzi", "q=budgit", "q=", "q=xylophonequartet"]
)
def test_search_json_follows_the_schema(
    client: FlaskClient, document: dict[str, Any], query: str
) -> None:
    response = client.get(f"/search.json?{query}")
    assert response.status_code == 200
    check(response.get_json(), response_schema(document, "/search.json", "200"), document)


def test_the_checked_responses_cover_nulls_facets_and_suggestions(client: FlaskClient) -> None:
    undated = client.get("/search.json?q=bokonzi").get_json()
    assert undated["hits"][0]["published"] is None
    assert undated["facets"]["source"] == [{"value": "VOA Lingala", "count": 1}]
    assert client.get("/search.json?q=budgit").get_json()["suggestion"] == "budget"


def test_articles_follow_the_schema(
    client: FlaskClient, document: dict[str, Any], articles: list[Article]
) -> None:
    schema = response_schema(document, "/article/{article_id}.json", "200")
    for article in articles:
        check(client.get(f"/article/{article.id}.json").get_json(), schema, document)


@pytest.mark.parametrize(
    ("url", "status", "path"),
    [
        ("/search.json?page=0", "400", "/search.json"),
        ("/article/nope.json", "404", "/article/{article_id}.json"),
    ],
)
def test_errors_follow_the_schema(
    client: FlaskClient, document: dict[str, Any], url: str, status: str, path: str
) -> None:
    response = client.get(url)
    assert str(response.status_code) == status
    check(response.get_json(), response_schema(document, path, status), document)


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data["facets"].update(source=[["Example News", 1]]),  # pairs, not objects
        lambda data: data.update(suggestion=3),
        lambda data: data["hits"][0].update(published="2015-09-01"),  # no time zone
        lambda data: data["hits"][0].update(extra=1),
        lambda data: data["hits"][0].pop("duplicates"),
        lambda data: data.update(total=-1),
    ],
)
def test_the_checker_rejects_wrong_shapes(
    client: FlaskClient, document: dict[str, Any], change: Any
) -> None:
    data = client.get("/search.json?q=peroxide").get_json()
    change(data)
    with pytest.raises(SchemaError):
        check(data, response_schema(document, "/search.json", "200"), document)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2015", True),
        ("2015-9", True),
        ("2015-09-01", True),
        ("2015-12-31", True),
        ("2015-13", False),
        ("2015-09-32", False),
        ("2015-09-01T10:00", False),
        ("20150901", False),
        ("\u0662\u0660\u0661\u0665", False),  # Arabic-Indic digits
        (" 2015", False),
        ("2015\n", False),
    ],
)
def test_the_date_pattern_is_what_the_app_takes(
    client: FlaskClient, document: dict[str, Any], value: str, valid: bool
) -> None:
    pattern = parameters(document, "/search.json")["from"]["schema"]["pattern"]
    # Python's $ also matches before a final newline, JSON Schema's (ECMA 262) does not.
    assert (re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None) is valid
    status = client.get("/search.json", query_string={"from": value}).status_code
    assert status == (200 if valid else 400)


def test_empty_values_are_allowed_where_the_app_takes_them(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    params = parameters(document, "/search.json")
    allowed = {name for name, param in params.items() if param.get("allowEmptyValue")}
    assert allowed == {"from", "to", "sort", "page", "per_page"}
    assert client.get("/search.json", query_string=dict.fromkeys(allowed, "")).status_code == 200


def test_csv_download_header_is_described(client: FlaskClient, document: dict[str, Any]) -> None:
    headers = document["paths"]["/search.csv"]["get"]["responses"]["200"]["headers"]
    pattern = headers["Content-Disposition"]["schema"]["pattern"]
    assert re.search(pattern, client.get("/search.csv?q=budget").headers["Content-Disposition"])
