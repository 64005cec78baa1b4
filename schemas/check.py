"""``POST /check-zone``: which zones hold these points?"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import DataVersion, Instant, StrictBoolean, StrictSchema, message_lines
from schemas.point import PointBatch, parse_columns, parse_point, parse_point_list


class CheckZoneRequestSchema(StrictSchema):
    """One of ``point``, ``points`` (a list, or columns) or a FeatureCollection of Points."""

    point = fields.Raw(allow_none=False)
    points = fields.Raw(allow_none=False)
    type = fields.String(validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Raw())
    name = fields.String()
    bbox = fields.List(fields.Float())
    zones = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(min=1, max=100),
    )
    at = Instant()
    distances = StrictBoolean(load_default=True)
    data_version = DataVersion()

    @validates_schema
    def _one_input(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [k for k in ("point", "points", "features") if k in data]
        if len(given) != 1:
            raise ValidationError(
                'Send exactly one of "point", "points", or a GeoJSON FeatureCollection '
                'with "features".',
                "point",
            )
        if "features" in data and data.get("type") != "FeatureCollection":
            raise ValidationError('A FeatureCollection needs "type": "FeatureCollection".', "type")


def point_count(data: dict[str, Any]) -> int:
    """How many points a validated envelope of ``points`` or ``features`` carries (before
    parsing them)."""
    if "features" in data:
        return len(data["features"])
    points = data["points"]
    if isinstance(points, dict):
        lat = points.get("lat")
        return len(lat) if isinstance(lat, list) else 0
    return len(points) if isinstance(points, list) else 0


def _feature_points(features: list[Any]) -> PointBatch:
    items: list[Any] = []
    errors: dict[str, list[str]] = {}
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors[f"features.{i}"] = ["Must be a GeoJSON Feature."]
            continue
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            errors[f"features.{i}.geometry"] = ["Must be a GeoJSON Point."]
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors[f"features.{i}.properties"] = ["Must be an object."]
            continue
        try:
            point = parse_point(geometry)
        except ValidationError as err:
            errors[f"features.{i}.geometry"] = message_lines(err.messages)
            continue
        item = {"lat": point["lat"], "lon": point["lon"]}
        ident = props.get("id", feature.get("id"))
        if ident is not None:
            item["id"] = ident
        if props.get("accuracy_m") is not None:
            item["accuracy_m"] = props["accuracy_m"]
        items.append(item)
    if errors:
        raise ValidationError(errors)
    batch = parse_point_list(items, "features")
    return batch


def points_of(data: dict[str, Any]) -> tuple[PointBatch, str]:
    """The points of a validated envelope without a single ``point`` (the API answers
    those on a scalar path) and the form they came in: ``"list"``, ``"columns"`` or
    ``"features"``."""
    if "features" in data:
        return _feature_points(data["features"]), "features"
    points = data["points"]
    if isinstance(points, list):
        if not points:
            raise ValidationError({"points": ["Send at least one point."]})
        return parse_point_list(points), "list"
    batch = parse_columns(points)
    if len(batch) == 0:
        raise ValidationError({"points.lat": ["Send at least one point."]})
    return batch, "columns"


check_zone_request_schema = CheckZoneRequestSchema()
