"""Property-based run of the whole contract with schemathesis: generated requests (valid
and not) must never produce a server error, an undocumented status or content type, or a
response that breaks the documented schema. Bounded so the suite stays fast.

The checks are named here, not left to schemathesis's defaults, and a last test shows
that each conformance check fails a response that breaks it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from flask import Flask, Response, request
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.openapi.checks import JsonSchemaError, UndefinedContentType, UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    object_level_authorization,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from service import create_app

#: Every answer: no 5xx, a documented status and content type, a body and headers that
#: match the documented schemas.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: Invalid requests are refused; methods, required headers and auth are honoured.
REFUSALS = [
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
    object_level_authorization,
    use_after_free,
    ensure_resource_availability,
]
# Not checked: "schema-valid data must be accepted" (positive_data_acceptance). Point
# strings, aliases and lengths with units are free-form strings whose validity no JSON
# Schema states.

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}
TOKEN = "alice-schemathesis-token"


# The document is read from the file (test_contract checks that the app serves exactly
# it); the apps are built by fixtures, not at import, and each request goes to one.
# GET /openapi.yaml itself is left to test_contract, as loading the schema from the app
# left it out before: schemathesis parses the YAML answer and finds an object where the
# document says {type: string}.
DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
CONTRACT = schemathesis.openapi.from_path(DOCUMENT_PATH).exclude(path="/openapi.yaml")
_DOCUMENT = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
#: First segment of each path documented under a server of its own → that server's path
#: ("/collections" → "/ogc").
_MOUNTS = {
    "/" + path.strip("/").split("/")[0]: item["servers"][0]["url"].rstrip("/")
    for path, item in _DOCUMENT["paths"].items()
    if item.get("servers")
}


def served_whole(app: Flask) -> Callable[..., Any]:
    """``app`` as a client that honours path-level servers would reach it. Schemathesis
    resolves a path item's own server (``/ogc`` for the OGC API) only in part: some cases
    come with it as Werkzeug's mount point (SCRIPT_NAME), some without it at all (the
    undeclared-method and negative cases). The service is not mounted: put the path back
    whole, and the server's prefix in front of a documented relative path."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        script, path = environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", "")
        if not script:
            script = _MOUNTS.get("/" + path.strip("/").split("/")[0], "")
        return app({**environ, "SCRIPT_NAME": "", "PATH_INFO": script + path}, start_response)

    return wsgi


@pytest.fixture(scope="module")
def read_app(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    # No write token is configured, so generated writes can only be refused (401/403).
    database = tmp_path_factory.mktemp("schemathesis") / "st.sqlite"
    return served_whole(
        create_app({"MAX_BATCH_POINTS": 50, "DATABASE_URL": f"sqlite:///{database}"})
    )


@pytest.fixture(scope="module")
def write_app(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    database = tmp_path_factory.mktemp("schemathesis-writes") / "st.sqlite"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "API_TOKENS": f"alice={TOKEN}"})
    return served_whole(app)


@CONTRACT.parametrize()
@settings(max_examples=100, **SETTINGS)
def test_api_honours_its_contract(read_app: Callable[..., Any], case: schemathesis.Case) -> None:
    case.call_and_validate(app=read_app, checks=[*CONFORMANCE, *REFUSALS])


@CONTRACT.include(method=["POST", "PUT", "PATCH", "DELETE"]).parametrize()
@settings(max_examples=60, **SETTINGS)
def test_writes_with_a_valid_token_honour_the_contract(
    write_app: Callable[..., Any], case: schemathesis.Case
) -> None:
    # With a valid token the bodies are really validated (without one they stop at 401).
    # The auth checks are off here because this test supplies a valid token on purpose.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    skipped = {ignored_auth, missing_required_header}
    checks = [*CONFORMANCE, *(c for c in REFUSALS if c not in skipped)]
    case.call_and_validate(app=write_app, checks=checks)


def _break(mode: str, response: Response) -> Response:
    if mode == "500":
        response.status_code = 500
    elif mode == "status":
        response.status_code = 299
    elif mode == "content-type":
        response.headers["Content-Type"] = "text/plain"
    elif mode == "schema":
        response.set_data(b'{"status": 5}')
    return response


@pytest.fixture(scope="module")
def broken_health(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app with a /health that answers as its ``BREAK`` setting says."""
    database = tmp_path_factory.mktemp("schemathesis-broken") / "st.sqlite"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}"})

    @app.after_request
    def breaking(response: Response) -> Response:
        if request.path == "/health" and app.config.get("BREAK"):
            return _break(app.config["BREAK"], response)
        return response

    return app


@pytest.mark.parametrize(
    ("mode", "failure"),
    [
        ("500", ServerError),
        ("status", UndefinedStatusCode),
        ("content-type", UndefinedContentType),
        ("schema", JsonSchemaError),
    ],
)
def test_the_conformance_checks_fail_a_broken_answer(
    broken_health: Flask, mode: str, failure: type[Failure]
) -> None:
    app = broken_health
    case = CONTRACT["/health"]["GET"].Case()
    app.config["BREAK"] = None
    case.call_and_validate(app=app, checks=CONFORMANCE)  # the real answer passes
    app.config["BREAK"] = mode
    try:
        with pytest.raises(FailureGroup) as caught:
            case.call_and_validate(app=app, checks=CONFORMANCE)
    finally:
        app.config["BREAK"] = None
    assert any(isinstance(found, failure) for found in caught.value.exceptions), caught.value
