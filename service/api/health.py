"""Service health and the contract document."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app

from service import __version__
from service.api.context import answers

bp = Blueprint("health", __name__)

#: The contract, at the repository root (an installed copy ships it in the package data).
OPENAPI_PATHS = (
    Path(__file__).resolve().parents[2] / "openapi.yaml",
    Path(__file__).resolve().parent / "openapi.yaml",
)


@bp.get("/health")
def health() -> dict[str, object]:
    ref = answers().reference()
    return {
        "status": "ok",
        "version": __version__,
        "features": len(ref),
        "data_version": ref.data_version,
    }


@bp.get("/openapi.yaml")
def openapi() -> Response:
    for path in OPENAPI_PATHS:
        if path.exists():
            return Response(path.read_text(encoding="utf-8"), mimetype="application/yaml")
    current_app.logger.error("openapi.yaml not found")
    raise FileNotFoundError("openapi.yaml")
