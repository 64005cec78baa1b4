"""Reference features as GeoJSON: the collection and single features by id or alias."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, request

from schemas.feature import KINDS
from service.api.context import cache, config, reference
from service.api.errors import ApiError
from service.api.parsing import parse_at, query_param_names
from service.api.serialize import feature_to_geojson

bp = Blueprint("features", __name__)
GEOJSON_MIME = "application/geo+json"


def geojson_response(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), mimetype=GEOJSON_MIME)


def _feature_json(feature_id: str) -> dict[str, Any]:
    ref = reference()
    key = ("feature", ref.data_version, feature_id)
    store = cache()
    if key not in store:
        feature = ref.resolve(feature_id)
        store[key] = feature_to_geojson(ref, feature, config().DISPLAY_MAX_ERROR_M)
    return store[key]


@bp.get("/features")
def list_features() -> Response:
    query_param_names({"kind", "at"})
    kind = request.args.get("kind")
    if kind is not None and kind not in KINDS:
        raise ApiError(
            422, f"Unknown kind {kind!r}.", {"kind": [f"Must be one of: {', '.join(KINDS)}."]}
        )
    at = parse_at(request.args.get("at"))
    ref = reference()
    features = [_feature_json(f.id) for f in ref.features(kind=kind, at=at)]
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
    query_param_names(set())
    return geojson_response(_feature_json(reference().resolve(feature_id).id))
