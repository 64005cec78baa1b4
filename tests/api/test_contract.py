"""openapi.yaml is the contract: valid OpenAPI 3.1, served by the app, and it and the
implementation agree in both directions — same routes and methods, and real responses
that validate against the documented schemas (using the document's own examples)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.helpers import WRITE_HEADERS

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource(
    "urn:openapi", Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_document_is_valid_openapi_31() -> None:
    validate_spec(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_document_is_served(client: FlaskClient) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert yaml.safe_load(response.get_data(as_text=True)) == DOCUMENT


OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/openapi.json", None),
        # What GDAL's OAPIF driver sends, and QGIS's.
        (
            "/openapi.yaml",
            f"{OPENAPI_JSON}, application/openapi+json;version=3.0, application/json",
        ),
        ("/openapi.yaml", "application/json"),
        ("/openapi.yaml?f=json", None),
        ("/ogc/api", None),
        ("/ogc/api", "application/vnd.oai.openapi+json"),
    ],
)
def test_the_json_is_the_same_document(client: FlaskClient, url: str, accept: str | None) -> None:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == OPENAPI_JSON
    assert json.loads(response.get_data()) == DOCUMENT


@pytest.mark.parametrize(
    ("url", "accept", "mimetype"),
    [
        ("/openapi.yaml", None, "application/yaml"),
        ("/openapi.yaml", "*/*", "application/yaml"),
        ("/openapi.yaml", "text/html,application/xhtml+xml,*/*;q=0.8", "application/yaml"),
        ("/ogc/api", "application/yaml", "application/yaml"),
        ("/ogc/api", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("/openapi.html", None, "text/html"),
    ],
)
def test_yaml_and_html_where_asked(
    client: FlaskClient, url: str, accept: str | None, mimetype: str
) -> None:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    if mimetype == "application/yaml":
        assert yaml.safe_load(response.get_data(as_text=True)) == DOCUMENT


def test_the_html_page_names_every_operation_and_loads_nothing(client: FlaskClient) -> None:
    page = client.get("/openapi.html").get_data(as_text=True)
    for item in DOCUMENT["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                assert f'id="{operation["operationId"]}"' in page
    # Nothing fetched from elsewhere: no script, stylesheet or image, no link off the site.
    assert not re.search(r"<script|<link|src=|href=\"https?:", page)


def test_landing_page_links_the_json_and_the_html(client: FlaskClient) -> None:
    links = client.get("/ogc").get_json()["links"]
    described = [link for link in links if link["rel"] == "service-desc"]
    assert described[0]["type"] == OPENAPI_JSON
    assert described[0]["href"].endswith("/openapi.json")
    doc = next(link for link in links if link["rel"] == "service-doc")
    assert doc["type"] == "text/html" and doc["href"].endswith("/openapi.html")


def _implemented(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method.lower() in HTTP_METHODS:
                routes.add((_template(path), method.lower()))
    return routes


def _template(path: str) -> str:
    """A path with its parameters unnamed (Flask names them in snake_case, OGC in camelCase)
    and without a trailing slash."""
    return re.sub(r"\{[^{}]+\}", "{}", path).rstrip("/") or "/"


def _full_path(path: str, item: dict[str, Any]) -> str:
    """The path as served: a path item's own relative server (``/ogc``) is its prefix."""
    servers = item.get("servers") or []
    prefix = servers[0]["url"].rstrip("/") if servers else ""
    return prefix + path


def _documented() -> set[tuple[str, str]]:
    return {
        (_template(_full_path(path, item)), method)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_every_route_is_documented_and_every_documented_route_exists(app: Flask) -> None:
    implemented, documented = _implemented(app), _documented()
    assert implemented - documented == set(), "routes missing from openapi.yaml"
    assert documented - implemented == set(), "documented routes the app lacks"


def _validate(path: str, method: str, status: int, mimetype: str, body: Any) -> None:
    responses = DOCUMENT["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} returned undocumented {status}"
    response = _deref(responses[str(status)])
    assert mimetype in response["content"], f"{mimetype} not documented for {status}"
    ref = response["content"][mimetype]["schema"]
    if "$ref" not in ref:  # inline: resolve relative refs against the document
        located = f"urn:openapi#/{_pointer('paths', path, method, 'responses', str(status))}"
        validator = Draft202012Validator(
            {"$ref": located + "/content/" + _pointer(mimetype) + "/schema"}, registry=REGISTRY
        )
    else:
        validator = Draft202012Validator({"$ref": "urn:openapi" + ref["$ref"]}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, f"{method.upper()} {path} {status}: {errors[0].message}"


def _examples(operation: dict[str, Any]) -> list[Any]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "examples" in body:
        return [e["value"] for e in body["examples"].values()]
    return [body["example"]] if "example" in body else []


REQUEST_EXAMPLES = [
    (path, method, example)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method == "post"
    for example in _examples(operation)
]


@pytest.mark.parametrize(("path", "method", "example"), REQUEST_EXAMPLES)
def test_documented_request_examples_work_and_answers_match_schema(
    client: FlaskClient, fresh_app: Flask, path: str, method: str, example: Any
) -> None:
    operation = DOCUMENT["paths"][path][method]
    headers = {}
    if "security" in operation:  # writes: a write token, on a database of their own
        client, headers = fresh_app.test_client(), WRITE_HEADERS
    response = client.open(path, method=method.upper(), json=example, headers=headers)
    success = min(int(code) for code in operation["responses"] if code.startswith("2"))
    assert response.status_code == success, response.get_json()
    _validate(path, method, success, response.mimetype, response.get_json())


JSON, GEOJSON, PROBLEM = "application/json", "application/geo+json", "application/problem+json"

#: (documented path, URL, expected status, expected media type)
GET_SAMPLES = [
    ("/health", "/health", 200, JSON),
    ("/features", "/features", 200, GEOJSON),
    ("/features", "/features?kind=zone&at=2017-06-15", 200, GEOJSON),
    ("/features/{feature_id}", "/features/Tadmur", 200, GEOJSON),
    ("/features/{feature_id}", "/features/al-tanf-deconfliction-zone", 200, GEOJSON),
    ("/features/{feature_id}", "/features/palmira", 404, PROBLEM),
    ("/distance", "/distance?from=34.2,37.8&to=palmyra-damascus-highway&units=km", 200, JSON),
    ("/distance", "/distance?from=34.2,37.8&to=syria", 200, JSON),
    ("/distance", "/distance?from=34.2,37.8&to=33.5,38.6", 200, JSON),
    ("/distance", "/distance?from=34.2,37.8&to=nowhere", 404, PROBLEM),
    ("/distance", "/distance?from=34.2,37.8", 422, PROBLEM),
    ("/nearby", "/nearby?point=34.2,37.8&radius=60km&units=mi", 200, JSON),
    ("/nearby", "/nearby?point=34.2,37.8&oops=1", 400, PROBLEM),
    (
        "/zones/{zone_id}/polygon",
        "/zones/al-tanf-deconfliction-zone/polygon?max_error_m=5",
        200,
        GEOJSON,
    ),
    ("/zones/{zone_id}/polygon", "/zones/palmyra/polygon", 422, PROBLEM),  # a site, no zone
]


@pytest.mark.parametrize(("path", "url", "status", "mimetype"), GET_SAMPLES)
def test_get_answers_match_schema(
    client: FlaskClient, path: str, url: str, status: int, mimetype: str
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == mimetype
    _validate(path, "get", response.status_code, response.mimetype, response.get_json())


@pytest.mark.parametrize(
    ("path", "body", "content_type", "status"),
    [
        ("/check-zone", "{", "application/json", 400),
        ("/check-zone", "{}", "application/json", 422),
        ("/check-zone", "x", "text/plain", 415),
        ("/distance", '{"from": "1, 2", "to": "nowhere"}', "application/json", 404),
        ("/area", '{"type": "Point", "coordinates": [0, 0]}', "application/json", 422),
    ],
)
def test_error_answers_match_schema(
    client: FlaskClient, path: str, body: str, content_type: str, status: int
) -> None:
    response = client.post(path, data=body, content_type=content_type)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    _validate(path, "post", response.status_code, response.mimetype, response.get_json())


@pytest.mark.parametrize(
    ("status", "mimetype", "body"),
    [
        (200, JSON, {"status": 5}),  # breaks the schema
        (299, JSON, {"status": "ok"}),  # undocumented status
        (200, "text/plain", "ok"),  # undocumented media type
    ],
)
def test_validation_fails_a_broken_answer(status: int, mimetype: str, body: Any) -> None:
    with pytest.raises(AssertionError):
        _validate("/health", "get", status, mimetype, body)
