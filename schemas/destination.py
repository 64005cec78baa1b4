"""``/destination`` requests: a start, an azimuth and a length."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from schemas.base import StrictSchema
from schemas.units import Azimuth, Length


class DestinationRequestSchema(StrictSchema):
    from_ = fields.Raw(required=True, data_key="from")
    azimuth = Azimuth(required=True)
    distance = Length(required=True)

    @validates_schema
    def _reasonable(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["distance"] > 1e8:
            raise ValidationError("At most 100,000 km.", "distance")


destination_request_schema = DestinationRequestSchema()
