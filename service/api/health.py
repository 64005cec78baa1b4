"""Service health and the contract document."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app

from service.api.context import answers
from service.api.responses import json_response

bp = Blueprint("health", __name__)

#: The contract, at the root of the source tree (it is not package data: the service is
#: run from its source tree, as ``make run`` does).
OPENAPI_PATHS = (Path(__file__).resolve().parents[2] / "openapi.yaml",)


@bp.get("/health")
def health() -> Response:
    """The service's state and the data version it answers from."""
    return json_response(answers().health())


@bp.get("/openapi.yaml")
def openapi() -> Response:
    for path in OPENAPI_PATHS:
        if path.exists():
            return Response(path.read_text(encoding="utf-8"), mimetype="application/yaml")
    current_app.logger.error("openapi.yaml not found")
    raise FileNotFoundError("openapi.yaml")
