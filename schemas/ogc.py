"""Query parameters of the OGC API – Features endpoints (Part 1: Core)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from schemas.base import StrictSchema, parse_instant

MAX_LIMIT = 1000


class BBox(fields.Field):
    """``minlon,minlat,maxlon,maxlat`` (CRS84); ``minlon > maxlon`` crosses the antimeridian."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[float, ...]:
        try:
            numbers = tuple(float(p) for p in str(value).split(","))
        except ValueError:
            raise ValidationError("Must be four numbers: minlon,minlat,maxlon,maxlat.") from None
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise ValidationError("Must be four finite numbers: minlon,minlat,maxlon,maxlat.")
        west, south, east, north = numbers
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise ValidationError(
                "Longitudes must lie in [-180, 180] and -90 ≤ minlat ≤ maxlat ≤ 90 "
                "(minlon > maxlon means the box crosses the antimeridian)."
            )
        return numbers


class Interval(fields.Field):
    """RFC 3339 instant or interval (``a/b``, ``../b``, ``a/..``) → ``(start, end)``."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[datetime | None, datetime | None]:
        text = str(value)
        if "/" not in text:
            instant = parse_instant(text)
            return instant, instant
        start_text, _, end_text = text.partition("/")
        start = None if start_text in ("", "..") else parse_instant(start_text)
        end = None if end_text in ("", "..") else parse_instant(end_text)
        if start is not None and end is not None and end < start:
            raise ValidationError("The interval ends before it starts.")
        return start, end


class ItemsQuerySchema(StrictSchema):
    bbox = BBox()
    datetime = Interval()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    f = fields.String(validate=validate.OneOf(("json", "geojson")))


items_query_schema = ItemsQuerySchema()
