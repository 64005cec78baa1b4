"""``/area`` requests: a GeoJSON polygon."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.base import StrictSchema
from schemas.geometry import Geometry


class AreaRequestSchema(StrictSchema):
    geometry = Geometry(required=True)

    @validates_schema
    def _polygon(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            raise ValidationError("Must be a GeoJSON Polygon or MultiPolygon.", "geometry")


area_request_schema = AreaRequestSchema()
