"""Service health and the contract document.

``openapi.yaml`` is the one source of truth. It is read once per process; the JSON form
(what GDAL and QGIS read: they cannot parse YAML) is derived from the same parsed document,
so the two cannot disagree. ``/openapi.yaml`` and ``/ogc/api`` negotiate: JSON for clients
that ask for it, YAML otherwise; ``/openapi.html`` renders the document for people, offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml
from flask import Blueprint, Request, Response, current_app, render_template, request

from schemas.base import refuse_unknown
from service.answers.ogc import OPENAPI_JSON
from service.api.context import answers
from service.api.responses import json_response
from service.problems import ApiError
from service.store.sql import RETRY_AFTER_S

bp = Blueprint("health", __name__, template_folder="templates")

#: The contract, at the root of the source tree (it is not package data: the service is
#: run from its source tree, as ``make run`` does).
OPENAPI_PATHS = (Path(__file__).resolve().parents[2] / "openapi.yaml",)
OPENAPI_YAML = "application/yaml"
_JSON_TYPES = (
    "application/vnd.oai.openapi+json",
    "application/openapi+json",
    "application/json",
)
_YAML_TYPES = ("application/yaml", "application/vnd.oai.openapi", "application/x-yaml", "text/yaml")
HTML = "text/html"


@dataclass(frozen=True)
class Contract:
    """The contract as read: the YAML text, the parsed document and its JSON bytes."""

    yaml_text: str
    document: dict[str, Any]
    json_bytes: bytes


@cache
def contract(path: Path) -> Contract:
    """The contract at ``path``, read and converted once per process."""
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    return Contract(text, document, orjson.dumps(document))


def current_contract() -> Contract:
    for path in OPENAPI_PATHS:
        if path.exists():
            return contract(path)
    current_app.logger.error("openapi.yaml not found")
    raise FileNotFoundError("openapi.yaml")


def wanted(req: Request, default: str, negotiated: tuple[str, ...] = ("json", "yaml")) -> str:
    """``json``, ``yaml`` or ``html``: from ``?f=`` first, else the best of ``negotiated``
    by the Accept header (ties and ``*/*`` go to ``default``)."""
    refuse_unknown(req.args, ("f",))
    asked = req.args.get("f")
    if asked in ("json", "yaml", "html"):
        return asked
    if asked is not None:
        raise ApiError(400, "f must be json, yaml or html.", {"f": ["Must be json, yaml or html."]})
    types = {"json": _JSON_TYPES, "yaml": _YAML_TYPES, "html": (HTML,)}
    order = {k: types[k] for k in (default, *negotiated) if k in types}
    offered = [t for v in order.values() for t in v]
    # Match on the type alone: GDAL asks for "…+json;version=3.0".
    accept = req.accept_mimetypes
    best, best_quality = None, 0.0
    for media in offered:
        quality = max(
            (q for value, q in accept if value.split(";")[0].strip().lower() == media),
            default=0.0,
        )
        if quality > best_quality:
            best, best_quality = media, quality
    if best is None:
        return default
    return next(k for k, v in order.items() if best in v)


def openapi_response(kind: str) -> Response:
    """The contract as ``kind`` (json, yaml or html)."""
    document = current_contract()
    if kind == "json":
        response = Response(document.json_bytes, content_type=OPENAPI_JSON)
    elif kind == "html":
        response = Response(
            render_template("openapi.html", document=document.document), mimetype=HTML
        )
    else:
        response = Response(document.yaml_text, mimetype=OPENAPI_YAML)
    response.vary.add("Accept")
    return response


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
    """YAML unless JSON is asked for (``Accept`` or ``?f=json``; ``?f=html`` for people)."""
    return openapi_response(wanted(request, "yaml"))


@bp.get("/openapi.json")
def openapi_json() -> Response:
    refuse_unknown(request.args, ())
    return openapi_response("json")


@bp.get("/openapi.html")
def openapi_html() -> Response:
    refuse_unknown(request.args, ())
    return openapi_response("html")
