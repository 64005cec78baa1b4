"""Zone display polygons: ``/zones/{id}/polygon`` query parameters."""

from __future__ import annotations

from marshmallow import validate

from schemas.base import DataVersion, FiniteFloat, Instant, StrictSchema


class ZonePolygonQuerySchema(StrictSchema):
    max_error_m = FiniteFloat(load_default=10.0, validate=validate.Range(min=0.01, max=100_000))
    at = Instant()
    data_version = DataVersion()


zone_polygon_query_schema = ZonePolygonQuerySchema()
