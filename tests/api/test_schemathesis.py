"""Property-based run of the whole contract with schemathesis: generated requests (valid
and not) must never produce a server error, an undocumented status, or a response that
breaks the documented schema. Bounded so the suite stays fast."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    missing_required_header,
    positive_data_acceptance,
)

from service import create_app

_DOCUMENT = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi.yaml").read_text(encoding="utf-8")
)
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


_DATABASE = Path(tempfile.mkdtemp(prefix="geocheck-st-")) / "st.sqlite"
# No write token is configured, so generated writes can only be refused (401/403).
schema = schemathesis.openapi.from_wsgi(
    "/openapi.yaml",
    served_whole(create_app({"MAX_BATCH_POINTS": 50, "DATABASE_URL": f"sqlite:///{_DATABASE}"})),
)


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_honours_its_contract(case: schemathesis.Case) -> None:
    # Every check but "schema-valid data must be accepted": point strings, aliases and
    # lengths with units are free-form strings whose validity no JSON Schema states.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


_WRITE_DATABASE = Path(tempfile.mkdtemp(prefix="geocheck-st-w-")) / "st.sqlite"
_TOKEN = "alice-schemathesis-token"
writes = schemathesis.openapi.from_wsgi(
    "/openapi.yaml",
    served_whole(
        create_app(
            {"DATABASE_URL": f"sqlite:///{_WRITE_DATABASE}", "API_TOKENS": f"alice={_TOKEN}"}
        )
    ),
).include(method=["POST", "PUT", "PATCH", "DELETE"])


@writes.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_writes_with_a_valid_token_honour_the_contract(case: schemathesis.Case) -> None:
    # With a valid token the bodies are really validated (without one they stop at 401).
    # The auth checks are off here because this test supplies a valid token on purpose.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {_TOKEN}"}
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance, ignored_auth, missing_required_header]
    )


def test_contract_file_is_the_one_served() -> None:
    assert (Path(__file__).resolve().parents[2] / "openapi.yaml").exists()
