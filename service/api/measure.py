"""Distances and the queries around them: ``/distance``, ``/nearby``, ``/destination``,
``/area`` and ``/zones/{id}/polygon``."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

import numpy as np
from flask import Blueprint, Response, request
from marshmallow import ValidationError

from schemas.area import area_request_schema
from schemas.check import point_count
from schemas.destination import destination_request_schema
from schemas.distance import distance_query_schema, distance_request_schema, nearby_query_schema
from schemas.point import PointBatch, parse_columns, parse_point, parse_point_list
from schemas.units import UNITS
from schemas.zone import zone_polygon_query_schema
from service.answers import distance_columns, envelope, point_problem, resolve_target
from service.api.context import config, reference
from service.api.errors import ApiError
from service.api.parsing import json_body, json_object, parse_at, query_param_names
from service.api.responses import MODEL, json_response
from service.api.serialize import zone_display_geometry
from service.geodesy import direct_one
from service.rules import measure
from service.rules.measure import SIDE_NAMES
from service.rules.reference import ReferenceSet
from service.rules.shapes import AreaShape

bp = Blueprint("measure", __name__)


def _one_point(value: Any, field: str) -> dict[str, Any]:
    try:
        return parse_point(value)
    except ValidationError as err:
        raise point_problem(field, err) from None


def _origin(ref: ReferenceSet, value: Any, field: str) -> dict[str, Any]:
    """A starting point: a point in any accepted form, or the id or alias of a site (its
    coordinate, with the site's uncertainty as the accuracy)."""
    try:
        return parse_point(value)
    except ValidationError as err:
        if isinstance(value, str) and value in ref:
            site = ref.resolve(value)
            if site.kind == "site" and site.geometry is not None:
                lon, lat = site.geometry["coordinates"][:2]
                return {"lat": lat, "lon": lon, "accuracy_m": site.uncertainty_m, "id": site.id}
            raise ApiError(
                422,
                f"{field}: {site.id!r} is a {site.kind}; start from a site or a point.",
                {field: ["Must be a point or a site id."]},
            ) from None
        raise point_problem(field, err) from None


def _rows(columns: dict[str, Any], n: int) -> list[dict[str, Any]]:
    lists: dict[str, list[Any]] = {}
    for key, values in columns.items():
        if key == "nearest":
            lists[key] = [
                {"lat": a, "lon": b}
                for a, b in zip(values["lat"].tolist(), values["lon"].tolist(), strict=True)
            ]
        elif key == "side":
            lists[key] = [SIDE_NAMES[int(s)] for s in values.tolist()]
        else:
            lists[key] = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return [{key: lists[key][i] for key in lists} for i in range(n)]


def _measure(
    ref: ReferenceSet, batch: PointBatch, to: Any, field: str, at: datetime, units: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    target = resolve_target(ref, to, at, field)
    return distance_columns(ref, target, batch.lon, batch.lat, batch.accuracy_m, units)


@bp.get("/distance")
def distance_get() -> Response:
    query_param_names({"from", "to", "accuracy_m", "units", "at", "data_version"})
    args = distance_query_schema.load(_query_dict(["accuracy_m"]))
    ref = reference(args.get("data_version"))
    at = parse_at(args.get("at"))
    origin = _origin(ref, args["from_"], "from")
    if "accuracy_m" in args:
        origin["accuracy_m"] = args["accuracy_m"]
    batch = parse_point_list([{k: origin[k] for k in ("lat", "lon", "accuracy_m")}], "from")
    columns, target = _measure(ref, batch, args["to"], "to", at, args.get("units"))
    row = _rows(columns, 1)[0]
    return json_response(
        {
            "from": {"lat": origin["lat"], "lon": origin["lon"]},
            "to": target,
            **row,
            **envelope(ref, at),
        }
    )


@bp.post("/distance")
def distance_post() -> Response:
    body = json_object()
    data = distance_request_schema.load(body)
    ref = reference(data.get("data_version"))
    at = parse_at(data.get("at"))
    origin = data["from_"]
    columnar = isinstance(origin, dict) and isinstance(origin.get("lat"), list)
    if not isinstance(origin, list) and not columnar:
        point = _origin(ref, origin, "from")
        batch = parse_point_list([{k: point[k] for k in ("lat", "lon", "accuracy_m")}], "from")
        columns, target = _measure(ref, batch, data["to"], "to", at, data.get("units"))
        row = _rows(columns, 1)[0]
        source = {"id": point["id"], "lat": point["lat"], "lon": point["lon"]}
        return json_response({"from": source, "to": target, **row, **envelope(ref, at)})
    count = point_count({"points": origin})
    limit = config().MAX_BATCH_POINTS
    if count > limit:
        raise ApiError(
            413,
            f"{count} points is more than the {limit} one request may carry; split the batch.",
            {"from": [f"At most {limit} points per request."]},
        )
    if columnar:
        batch = parse_columns(origin, "from")
    elif origin:
        batch = parse_point_list(origin, "from")
    else:
        raise ApiError(422, "from is empty.", {"from": ["Send at least one point."]})
    columns, target = _measure(ref, batch, data["to"], "to", at, data.get("units"))
    if columnar:
        columns["id"] = batch.ids
        if "side" in columns:
            columns["side"] = [SIDE_NAMES[int(s)] for s in columns["side"].tolist()]
        return json_response({"to": target, "results": columns, **envelope(ref, at)})
    rows = _rows(columns, len(batch))
    sources = zip(batch.ids, batch.lat.tolist(), batch.lon.tolist(), strict=True)
    for row, (ident, lat, lon) in zip(rows, sources, strict=True):
        row["from"] = {"id": ident, "lat": lat, "lon": lon}
    return json_response({"to": target, "results": rows, **envelope(ref, at)})


def _query_dict(numeric: list[str]) -> dict[str, Any]:
    """Query arguments as a dict, converting numeric ones (left as strings if invalid, so
    the schema reports them)."""
    out: dict[str, Any] = dict(request.args.items())
    for key in numeric:
        if key in out:
            with contextlib.suppress(ValueError):
                out[key] = float(out[key])
    return out


@bp.get("/nearby")
def nearby() -> Response:
    query_param_names({"point", "radius", "kind", "limit", "units", "at", "data_version"})
    raw = _query_dict([])
    if "limit" in raw:
        try:
            raw["limit"] = int(raw["limit"])
        except ValueError:
            raise ApiError(
                422, "limit must be a whole number.", {"limit": ["Must be an integer."]}
            ) from None
    args = nearby_query_schema.load(raw)
    ref = reference(args.get("data_version"))
    at = parse_at(args.get("at"))
    origin = _origin(ref, args["point"], "point")
    lon, lat = np.array([origin["lon"]]), np.array([origin["lat"]])
    found = []
    for feature in ref.features(kind=args.get("kind"), at=at):
        m = measure.to_feature(ref, feature, lon, lat)
        distance = float(m.distance_m[0])
        if distance <= args["radius"]:
            item: dict[str, Any] = {
                "id": feature.id,
                "name": feature.name,
                "kind": feature.kind,
                "distance_m": distance,
                "azimuth_deg": float(m.azimuth_deg[0]),
                "nearest": {"lat": float(m.nearest_lat[0]), "lon": float(m.nearest_lon[0])},
                "uncertainty_m": ref.uncertainty_m(feature) + origin["accuracy_m"],
            }
            if "distance_to_boundary_m" in m.extra:
                item["distance_to_boundary_m"] = float(m.extra["distance_to_boundary_m"][0])
            units = args.get("units")
            if units is not None:
                item[f"distance_{units}"] = distance / UNITS[units]
            found.append(item)
    found.sort(key=lambda item: (item["distance_m"], item["id"]))
    return json_response(
        {
            "point": {"lat": origin["lat"], "lon": origin["lon"]},
            "radius_m": args["radius"],
            "features": found[: args["limit"]],
            "numberMatched": len(found),
            **envelope(ref, at),
        }
    )


@bp.post("/destination")
def destination() -> Response:
    body = json_object()
    data = destination_request_schema.load(body)
    origin = _origin(reference(), data["from_"], "from")
    lon, lat, back = direct_one(origin["lon"], origin["lat"], data["azimuth"], data["distance"])
    return json_response(
        {
            "from": {"lat": origin["lat"], "lon": origin["lon"]},
            "azimuth_deg": data["azimuth"],
            "distance_m": data["distance"],
            "lat": lat,
            "lon": lon,
            "back_azimuth_deg": back,
            "model": MODEL,
        }
    )


@bp.post("/area")
def area() -> Response:
    body = json_body()
    if isinstance(body, dict) and body.get("type") in ("Polygon", "MultiPolygon"):
        body = {"geometry": body}
    elif isinstance(body, dict) and body.get("type") == "Feature":
        body = {"geometry": body.get("geometry")}
    if not isinstance(body, dict):
        raise ApiError(
            422,
            'The body must be a GeoJSON Polygon or {"geometry": …}.',
            {"body": ["Must be an object."]},
        )
    data = area_request_schema.load(body)
    shape = AreaShape(data["geometry"])
    return json_response(
        {
            "area_m2": shape.area_m2,
            "area_km2": shape.area_m2 / 1e6,
            "perimeter_m": shape.perimeter_m,
            "model": MODEL,
        }
    )


@bp.get("/zones/<string:zone_id>/polygon")
def zone_polygon(zone_id: str) -> Response:
    query_param_names({"max_error_m", "at", "data_version"})
    args = zone_polygon_query_schema.load(_query_dict(["max_error_m"]))
    ref = reference(args.get("data_version"))
    feature = ref.resolve(zone_id)
    if feature.kind != "zone":
        raise ApiError(
            404,
            f"{feature.id!r} is a {feature.kind}, not a zone.",
            {"zone_id": ["Not a zone; see GET /features?kind=zone."]},
        )
    if "at" in args and not feature.in_force(args["at"]):
        raise ApiError(
            422,
            f"{feature.id!r} is not in force at the requested time.",
            {"at": ["The zone is not valid then; see its valid_from / valid_to."]},
        )
    geometry, error = zone_display_geometry(ref, feature, args["max_error_m"])
    assert feature.zone is not None
    return json_response(
        {
            "type": "Feature",
            "id": feature.id,
            "geometry": geometry,
            "properties": {
                "id": feature.id,
                "name": feature.name,
                "zone": feature.zone.to_dict(),
                "requested_max_error_m": args["max_error_m"],
                "max_error_m": error,
                "uncertainty_m": ref.uncertainty_m(feature),
                "data_version": ref.data_version,
            },
        },
        mimetype="application/geo+json",
    )
