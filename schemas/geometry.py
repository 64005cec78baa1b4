"""GeoJSON geometry (RFC 7946) validation: structure, finite numbers, ranges, closed rings."""

from __future__ import annotations

import math
from typing import Any

from marshmallow import ValidationError, fields

from schemas.notation import lat_lon_errors

GEOMETRY_TYPES = ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _position(value: Any, where: str) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise ValidationError(f"{where}: a position is [lon, lat] (optionally with altitude).")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ValidationError(f"{where}: coordinates must be numbers.")
        if not math.isfinite(number):
            raise ValidationError(f"{where}: coordinates must be finite numbers.")
    lon, lat = float(value[0]), float(value[1])
    problems = lat_lon_errors(lat, lon)
    if problems:
        raise ValidationError(f"{where}: {' '.join(problems.values())}")
    return [lon, lat]


def _line(value: Any, where: str, minimum: int = 2) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < minimum:
        raise ValidationError(f"{where}: needs at least {minimum} positions.")
    return [_position(p, f"{where}[{i}]") for i, p in enumerate(value)]


def _polygon(value: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise ValidationError(f"{where}: a polygon is a list of linear rings.")
    rings = []
    for i, ring in enumerate(value):
        coords = _line(ring, f"{where}[{i}]", minimum=4)
        if coords[0] != coords[-1]:
            raise ValidationError(f"{where}[{i}]: a linear ring must end where it starts.")
        rings.append(coords)
    return rings


def validate_geometry(value: Any) -> dict[str, Any]:
    """Check a GeoJSON geometry object and return it with positions as [lon, lat] floats."""
    if not isinstance(value, dict):
        raise ValidationError("Must be a GeoJSON geometry object.")
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        raise ValidationError(f"type must be one of {', '.join(GEOMETRY_TYPES)}.")
    extra = set(value) - {"type", "coordinates", "bbox"}
    if extra:
        raise ValidationError(f"Unknown geometry member(s): {', '.join(sorted(extra))}.")
    coords = value.get("coordinates")
    if kind == "Point":
        clean: Any = _position(coords, "coordinates")
    elif kind == "LineString":
        clean = _line(coords, "coordinates")
    elif kind == "MultiLineString":
        if not isinstance(coords, list) or not coords:
            raise ValidationError("coordinates: a MultiLineString needs at least one line.")
        clean = [_line(line, f"coordinates[{i}]") for i, line in enumerate(coords)]
    elif kind == "Polygon":
        clean = _polygon(coords, "coordinates")
    else:
        if not isinstance(coords, list) or not coords:
            raise ValidationError("coordinates: a MultiPolygon needs at least one polygon.")
        clean = [_polygon(poly, f"coordinates[{i}]") for i, poly in enumerate(coords)]
    return {"type": kind, "coordinates": clean}


class Geometry(fields.Field):
    """A GeoJSON geometry, validated by :func:`validate_geometry`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return validate_geometry(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value
