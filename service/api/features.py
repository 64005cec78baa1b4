"""Reference features as GeoJSON: reads by id or alias, authenticated versioned writes,
history, and bulk import."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, json, request
from marshmallow import ValidationError

from schemas.base import format_instant
from schemas.feature import KINDS, storable
from service.api.context import cache, config, reference, store, tokens
from service.api.errors import ApiError, flatten_messages
from service.api.parsing import json_body, json_object, parse_at, query_param_names
from service.api.serialize import feature_to_geojson
from service.rules.reference import ReferenceSet
from service.store.seed import documents_from_collection
from service.store.sql import Change, etag

bp = Blueprint("features", __name__)
GEOJSON_MIME = "application/geo+json"
MAX_IMPORT = 10_000


def geojson_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    response = Response(json.dumps(body), status=status, mimetype=GEOJSON_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def data_version_arg() -> int | None:
    """The ``data_version`` query parameter (answer as the store stood then)."""
    raw = request.args.get("data_version")
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,9}", raw):
        raise ApiError(
            422,
            "data_version must be a positive whole number.",
            {"data_version": ["Must be an integer ≥ 1."]},
        )
    return int(raw)


def feature_json(ref: ReferenceSet, feature_id: str) -> dict[str, Any]:
    key = ("feature", ref.data_version, feature_id)
    memo = cache()
    if key not in memo:
        memo[key] = feature_to_geojson(ref, ref.resolve(feature_id), config().DISPLAY_MAX_ERROR_M)
        if len(memo) > 4096:
            memo.clear()
    return memo[key]


@bp.get("/features")
def list_features() -> Response:
    query_param_names({"kind", "at", "data_version"})
    kind = request.args.get("kind")
    if kind is not None and kind not in KINDS:
        raise ApiError(
            422, f"Unknown kind {kind!r}.", {"kind": [f"Must be one of: {', '.join(KINDS)}."]}
        )
    at = parse_at(request.args.get("at"))
    ref = reference(data_version_arg())
    features = [feature_json(ref, f.id) for f in ref.features(kind=kind, at=at)]
    return geojson_response(
        {
            "type": "FeatureCollection",
            "features": features,
            "numberReturned": len(features),
            "data_version": ref.data_version,
        }
    )


@bp.get("/features/<string:feature_id>")
def get_feature(feature_id: str) -> Response:
    query_param_names({"data_version"})
    ref = reference(data_version_arg())
    feature = ref.resolve(feature_id)
    return geojson_response(
        feature_json(ref, feature.id),
        headers={"ETag": etag(feature.id, feature.version, ref.data_version)},
    )


# -- writes -----------------------------------------------------------------------------


def _document(body: Any, path_id: str | None = None) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a GeoJSON Feature.", {"body": ["Must be an object."]})
    try:
        document = storable(body)
    except ValidationError as err:
        errors = flatten_messages(err.messages)
        raise ApiError(
            422, f"The feature has invalid fields: {', '.join(errors)}.", errors
        ) from None
    if path_id is not None and document["properties"]["id"] != path_id:
        raise ApiError(
            422,
            f"properties.id {document['properties']['id']!r} does not match the URL ({path_id!r}).",
            {"properties.id": ["Must match the id in the URL; ids cannot be renamed."]},
        )
    return document


def _expected_version(feature_id: str) -> int | None:
    """The version named by ``If-Match`` (``None`` when absent or ``*``)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in (t.strip() for t in header.split(",")):
        match = re.fullmatch(r'(?:W/)?"([^".]+)\.(\d+)(?:\.\d+)?"', tag)
        if match and match.group(1) == feature_id:
            return int(match.group(2))
    # A tag for another feature or in another form can never match the current one.
    return -1


def _written(feature_id: str, data_version: int, status: int) -> Response:
    ref = reference()
    feature = ref.resolve(feature_id)
    headers = {
        "ETag": etag(feature.id, feature.version, ref.data_version),
        "Location": f"/features/{feature.id}",
        "X-Data-Version": str(data_version),
    }
    return geojson_response(feature_json(ref, feature.id), status, headers)


def _canonical_id(feature_id: str) -> str:
    """Writes address features by id or alias; history keeps the canonical id."""
    ref = reference()
    return ref.resolve(feature_id).id if feature_id in ref else feature_id


@bp.post("/features")
def create_feature() -> Response:
    who = tokens().require_writer()
    document = _document(json_body())
    feature_id = document["properties"]["id"]
    version, _ = store().write(
        [Change(feature_id, document, "create")], who, f"create {feature_id}"
    )
    return _written(feature_id, version, 201)


@bp.put("/features/<string:feature_id>")
def replace_feature(feature_id: str) -> Response:
    who = tokens().require_writer()
    feature_id = _canonical_id(feature_id)
    document = _document(json_body(), feature_id)
    change = Change(feature_id, document, "replace", _expected_version(feature_id))
    version, _ = store().write([change], who, f"replace {feature_id}")
    return _written(feature_id, version, 200)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@bp.patch("/features/<string:feature_id>")
def patch_feature(feature_id: str) -> Response:
    who = tokens().require_writer()
    feature_id = _canonical_id(feature_id)
    patch = json_object()
    history = store().history(feature_id)
    if not history or history[-1].retired:
        raise ApiError(404, f"No feature {feature_id!r} to change.", {"feature_id": ["Unknown."]})
    document = _document(merge_patch(history[-1].document, patch), feature_id)
    change = Change(feature_id, document, "replace", _expected_version(feature_id))
    version, _ = store().write([change], who, f"patch {feature_id}")
    return _written(feature_id, version, 200)


@bp.delete("/features/<string:feature_id>")
def retire_feature(feature_id: str) -> Response:
    who = tokens().require_writer()
    feature_id = _canonical_id(feature_id)
    change = Change(feature_id, None, "replace", _expected_version(feature_id))
    version, versions = store().write([change], who, f"retire {feature_id}")
    body = {
        "id": feature_id,
        "retired": True,
        "version": versions[feature_id],
        "data_version": version,
    }
    return Response(json.dumps(body), status=200, mimetype="application/json")


@bp.post("/features:import")
def import_features() -> Response:
    who = tokens().require_writer()
    body = json_body()
    if (
        isinstance(body, dict)
        and isinstance(body.get("features"), list)
        and len(body["features"]) > MAX_IMPORT
    ):
        raise ApiError(
            413, f"At most {MAX_IMPORT} features per import.", {"features": ["Too many."]}
        )
    documents, problems = documents_from_collection(body, "import")
    if problems:
        errors: dict[str, list[str]] = {}
        for line in problems:
            where, _, message = line.removeprefix("import: ").partition(": ")
            errors.setdefault(where, []).append(message)
        raise ApiError(
            422, f"{len(problems)} problem(s) in the import; nothing was written.", errors
        )
    if not documents:
        raise ApiError(422, "The collection holds no features.", {"features": ["Empty."]})
    batch = [Change(d["properties"]["id"], d, "upsert") for d in documents]
    version, versions = store().write(batch, who, f"import {len(batch)} features")
    return Response(
        json.dumps({"data_version": version, "written": versions}),
        status=200,
        mimetype="application/json",
    )


@bp.get("/features/<string:feature_id>/history")
def feature_history(feature_id: str) -> Response:
    query_param_names(set())
    canonical = _canonical_id(feature_id)
    records = store().history(canonical)
    if not records:
        ref = reference()
        ref.resolve(feature_id)  # raises 404 with suggestions
    versions = [
        {
            "version": r.version,
            "data_version": r.data_version,
            "retired": r.retired,
            "written_by": r.written_by,
            "written_at": format_instant(r.written_at),
            "etag": etag(r.feature_id, r.version, r.data_version),
            "feature": r.document,
        }
        for r in records
    ]
    return Response(
        json.dumps({"id": canonical, "versions": versions}), mimetype="application/json"
    )
