"""Service health and the contract document."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app

from service.api.context import answers
from service.api.responses import json_response
from service.store.sql import RETRY_AFTER_S

bp = Blueprint("health", __name__)

#: The contract, at the root of the source tree (it is not package data: the service is
#: run from its source tree, as ``make run`` does).
OPENAPI_PATHS = (Path(__file__).resolve().parents[2] / "openapi.yaml",)


@bp.get("/health")
def health() -> Response:
    """The service's state and the data version it answers from: 503 while the database
    is unreachable, so that load balancers route to instances that can write."""
    state = answers().health()
    if state["status"] == "ok":
        return json_response(state)
    return json_response(state, 503, headers={"Retry-After": str(RETRY_AFTER_S)})


@bp.get("/openapi.yaml")
def openapi() -> Response:
    for path in OPENAPI_PATHS:
        if path.exists():
            return Response(path.read_text(encoding="utf-8"), mimetype="application/yaml")
    current_app.logger.error("openapi.yaml not found")
    raise FileNotFoundError("openapi.yaml")
