"""``/distance``, ``/nearby``, ``/destination`` and ``/area`` requests."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import FiniteFloat, Instant, StrictSchema
from schemas.geometry import Geometry
from schemas.units import Azimuth, Length, UnitName


class DistanceRequestSchema(StrictSchema):
    """``from``: one point or a list (or columns); ``to``: a feature id/alias or a point."""

    from_ = fields.Raw(required=True, data_key="from")
    to = fields.Raw(required=True)
    units = UnitName(load_default=None)
    at = Instant()
    data_version = fields.Integer(validate=validate.Range(min=1))


class DistanceQuerySchema(StrictSchema):
    from_ = fields.String(required=True, data_key="from", validate=validate.Length(min=1, max=200))
    to = fields.String(required=True, validate=validate.Length(min=1, max=200))
    accuracy_m = FiniteFloat(validate=validate.Range(min=0))
    units = UnitName(load_default=None)
    at = Instant()
    data_version = fields.Integer(validate=validate.Range(min=1))


class NearbyQuerySchema(StrictSchema):
    point = fields.String(required=True, validate=validate.Length(min=1, max=200))
    radius = Length(load_default=100_000.0)
    kind = fields.String(validate=validate.OneOf(("site", "route", "area", "zone")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    units = UnitName(load_default=None)
    at = Instant()
    data_version = fields.Integer(validate=validate.Range(min=1))


class DestinationRequestSchema(StrictSchema):
    from_ = fields.Raw(required=True, data_key="from")
    azimuth = Azimuth(required=True)
    distance = Length(required=True)

    @validates_schema
    def _reasonable(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["distance"] > 1e8:
            raise ValidationError("At most 100,000 km.", "distance")


class AreaRequestSchema(StrictSchema):
    geometry = Geometry(required=True)

    @validates_schema
    def _polygon(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            raise ValidationError("Must be a GeoJSON Polygon or MultiPolygon.", "geometry")


class ZonePolygonQuerySchema(StrictSchema):
    max_error_m = FiniteFloat(load_default=10.0, validate=validate.Range(min=0.01, max=100_000))
    at = Instant()
    data_version = fields.Integer(validate=validate.Range(min=1))


distance_request_schema = DistanceRequestSchema()
distance_query_schema = DistanceQuerySchema()
nearby_query_schema = NearbyQuerySchema()
destination_request_schema = DestinationRequestSchema()
area_request_schema = AreaRequestSchema()
zone_polygon_query_schema = ZonePolygonQuerySchema()
