"""Reference features as GeoJSON: reads by id or alias, authenticated versioned writes,
history, and bulk import."""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.api.context import answers, tokens
from service.api.parsing import json_body, json_object
from service.api.responses import GEOJSON_MIME, json_response

bp = Blueprint("features", __name__)


@bp.get("/features")
def list_features() -> Response:
    """Every feature in force, optionally of one kind."""
    return json_response(answers().features(request.args), mimetype=GEOJSON_MIME)


@bp.get("/features/<string:feature_id>")
def get_feature(feature_id: str) -> Response:
    """One feature by id or alias, with its entity tag."""
    served, tag = answers().feature(feature_id, request.args)
    return json_response(served, mimetype=GEOJSON_MIME, headers={"ETag": tag})


def _written(data_version: int, feature_id: str, status: int) -> Response:
    served, tag = answers().written(feature_id, data_version)
    headers = {
        "ETag": tag,
        "Location": f"/features/{feature_id}",
        "X-Data-Version": str(data_version),
    }
    return json_response(served, status, GEOJSON_MIME, headers)


@bp.post("/features")
def create_feature() -> Response:
    """Add a feature (409 if its id exists)."""
    who = tokens().require_writer()
    version, feature_id = answers().create(json_body(), who)
    return _written(version, feature_id, 201)


@bp.put("/features/<string:feature_id>")
def replace_feature(feature_id: str) -> Response:
    """Replace a feature; ``If-Match`` guards against lost updates."""
    who = tokens().require_writer()
    if_match = request.headers.get("If-Match")
    version, written = answers().replace(feature_id, json_body(), who, if_match)
    return _written(version, written, 200)


@bp.patch("/features/<string:feature_id>")
def patch_feature(feature_id: str) -> Response:
    """Change a feature with a JSON merge patch."""
    who = tokens().require_writer()
    if_match = request.headers.get("If-Match")
    version, written = answers().patch(feature_id, json_object(), who, if_match)
    return _written(version, written, 200)


@bp.delete("/features/<string:feature_id>")
def retire_feature(feature_id: str) -> Response:
    """Retire a feature; its history stays."""
    who = tokens().require_writer()
    if_match = request.headers.get("If-Match")
    return json_response(answers().retire(feature_id, who, if_match))


@bp.post("/features:import")
def import_features() -> Response:
    """Load a whole FeatureCollection, all or nothing."""
    who = tokens().require_writer()
    return json_response(answers().import_collection(json_body(), who))


@bp.get("/features/<string:feature_id>/history")
def feature_history(feature_id: str) -> Response:
    """Every stored version of a feature."""
    return json_response(answers().history(feature_id, request.args))
