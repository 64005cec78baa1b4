"""``/distance`` and ``/nearby`` requests."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import DataVersion, FiniteFloat, Instant, StrictSchema
from schemas.units import Length, UnitName


class DistanceRequestSchema(StrictSchema):
    """``from``: one point or a list (or columns); ``to``: a feature id/alias or a point."""

    from_ = fields.Raw(required=True, data_key="from")
    to = fields.Raw(required=True)
    units = UnitName(load_default=None)
    at = Instant()
    data_version = DataVersion()


class DistanceQuerySchema(StrictSchema):
    from_ = fields.String(required=True, data_key="from", validate=validate.Length(min=1, max=200))
    to = fields.String(required=True, validate=validate.Length(min=1, max=200))
    accuracy_m = FiniteFloat(validate=validate.Range(min=0))
    units = UnitName(load_default=None)
    at = Instant()
    data_version = DataVersion()


class NearbyQuerySchema(StrictSchema):
    point = fields.String(required=True, validate=validate.Length(min=1, max=200))
    radius = Length(load_default=100_000.0)
    kind = fields.String(validate=validate.OneOf(("site", "route", "area", "zone")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    units = UnitName(load_default=None)
    at = Instant()
    data_version = DataVersion()


distance_request_schema = DistanceRequestSchema()
distance_query_schema = DistanceQuerySchema()
nearby_query_schema = NearbyQuerySchema()
