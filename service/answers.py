"""Answers as plain columns: the shape ``/check-zone`` and ``/distance`` return for columnar
requests, built here once so that the HTTP API, the Python API and the command line give
identical answers. (It sits above ``rules/`` because it speaks the wire format.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from marshmallow import ValidationError

from schemas.base import format_instant
from schemas.point import parse_point
from schemas.units import UNITS
from service.geodesy.ellipsoid import FloatArray
from service.problems import ApiError
from service.rules import measure
from service.rules.checks import check_points
from service.rules.measure import Measurement
from service.rules.model import Feature
from service.rules.reference import (
    NotAZoneError,
    ReferenceSet,
    UnknownFeatureError,
)
from service.rules.verdict import NAME_TABLE

MODEL = {
    "ellipsoid": "WGS84",
    "method": "geodesic (Karney, via pyproj.Geod); cheap bounds only where proven",
}


def zone_info(zone: Feature, uncertainty_m: float) -> dict[str, Any]:
    rule = zone.zone
    assert rule is not None
    return {
        "zone": zone.id,
        "name": zone.name,
        "shape": rule.shape,
        "severity": rule.severity,
        "message": rule.message,
        "uncertainty_m": uncertainty_m,
    }


def envelope(reference: ReferenceSet, at: datetime) -> dict[str, Any]:
    return {"at": format_instant(at), "data_version": reference.data_version, "model": MODEL}


def check_columns(
    reference: ReferenceSet,
    zones: list[Feature],
    lon: FloatArray,
    lat: FloatArray,
    accuracy_m: FloatArray,
    ids: list[Any],
    at: datetime,
    with_distances: bool = True,
) -> dict[str, Any]:
    """The columnar ``/check-zone`` answer: ``results`` holds one list per field."""
    result = check_points(reference, zones, lon, lat, accuracy_m, with_distances)
    columns: dict[str, Any] = {}
    for z in result.zones:
        column: dict[str, Any] = {
            "verdict": NAME_TABLE[z.verdict + 1].tolist(),
            "margin_m": z.margin_m,
        }
        if z.boundary_m is not None:
            column["distance_to_boundary_m"] = z.boundary_m
        if z.centre_m is not None:
            column["distance_to_center_m"] = z.centre_m
        columns[z.zone.id] = column
    return {
        "results": {
            "id": ids,
            "lat": lat,
            "lon": lon,
            "verdict": NAME_TABLE[result.overall + 1].tolist(),
            "zones": columns,
        },
        **envelope(reference, at),
        "zones": [zone_info(z.zone, z.uncertainty_m) for z in result.zones],
    }


#: Length fields that ``units`` adds a converted twin for (``distance_km``…).
LENGTH_FIELDS = (
    "distance_m",
    "uncertainty_m",
    "along_m",
    "distance_to_boundary_m",
    "distance_to_center_m",
)


def measurement_columns(
    m: Measurement, uncertainty: np.ndarray, units: str | None
) -> dict[str, Any]:
    """Distance answers as columns (numpy arrays); ``side`` stays coded (-1, 0, 1)."""
    out: dict[str, Any] = {
        "distance_m": m.distance_m,
        "azimuth_deg": m.azimuth_deg,
        "nearest": {"lat": m.nearest_lat, "lon": m.nearest_lon},
        "uncertainty_m": uncertainty,
        **m.extra,
    }
    if units is not None:
        factor = UNITS[units]
        for key in LENGTH_FIELDS:
            if key in out:
                out[key[: -len("_m")] + f"_{units}"] = out[key] / factor
    return out


def point_problem(field: str, err: ValidationError) -> ApiError:
    """A 422 naming ``field`` for a value that is no point."""
    messages = err.messages
    if isinstance(messages, dict):
        errors = {f"{field}.{k}": list(v) for k, v in messages.items()}
    else:
        errors = {field: [str(m) for m in messages]}
    return ApiError(422, f"{field} is not a valid point.", errors)


def resolve_target(
    reference: ReferenceSet, value: Any, at: datetime, field: str = "to"
) -> Feature | dict[str, Any]:
    """A ``to`` reference: a feature (by id or alias) valid at ``at``, or a point in any
    accepted form.

    Raises :class:`~service.problems.ApiError` naming ``field``: 404 (with suggestions) for
    a string that is neither, 422 for a feature not valid at ``at`` or anything else that
    is no point.
    """
    try:
        if not isinstance(value, str):
            return parse_point(value)
        try:
            feature = reference.resolve(value)
        except UnknownFeatureError as unknown:
            try:
                return parse_point(value)
            except ValidationError:
                raise ApiError(
                    404,
                    f"{field}: no feature or alias named {value!r}, and it is not a point."
                    + unknown.hint,
                    {field: ["Unknown feature id or alias, and not a coordinate."]},
                    extra={"suggestions": unknown.suggestions},
                ) from None
    except ValidationError as err:
        raise point_problem(field, err) from None
    if not feature.in_force(at):
        raise ApiError(
            422,
            f"{feature.id!r} is not in force at the requested time.",
            {field: ["Not valid at 'at'; see its valid_from / valid_to."]},
        )
    return feature


def zones_at(reference: ReferenceSet, at: datetime, ids: list[str] | None) -> list[Feature]:
    """The zones to check (all in force, or those named), as ``/check-zone`` takes them:
    a name that is no zone is a 422 (an unknown one raises
    :class:`~service.rules.reference.UnknownFeatureError`, a 404)."""
    try:
        return reference.zones(at, ids)
    except NotAZoneError as err:
        raise ApiError(422, f"{err}.", {"zones": [f"{err.ref!r} is not a zone."]}) from None


def distance_columns(
    reference: ReferenceSet,
    target: Feature | dict[str, Any],
    lon: FloatArray,
    lat: FloatArray,
    accuracy_m: FloatArray,
    units: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Distance columns from every point to ``target``, and the target's description."""
    if isinstance(target, Feature):
        m = measure.to_feature(reference, target, lon, lat)
        described: dict[str, Any] = {"id": target.id, "kind": target.kind, "name": target.name}
        own = reference.uncertainty_m(target)
    else:
        m = measure.to_point(lon, lat, target["lon"], target["lat"])
        described = {"kind": "point", "lat": target["lat"], "lon": target["lon"]}
        own = target["accuracy_m"]
    return measurement_columns(m, accuracy_m + own, units), described
