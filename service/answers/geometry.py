"""Geometry questions: ``/area`` of a polygon and a zone's display polygon."""

from __future__ import annotations

from typing import Any

from service.answers import MODEL, Moment
from service.rules.errors import NotAZoneError, NotInForceError, UnknownFeatureError
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.rules.shapes import AreaShape


def area(geometry: dict[str, Any]) -> dict[str, Any]:
    """Geodesic area (m², km²) and perimeter (m) of a validated Polygon or MultiPolygon
    with geodesic edges, whatever its rings' orientation."""
    shape = AreaShape(geometry)
    return {
        "area_m2": shape.area_m2,
        "area_km2": shape.area_m2 / 1e6,
        "perimeter_m": shape.perimeter_m,
        "model": MODEL,
    }


def zone_display_geometry(
    reference: ReferenceSet, feature: Feature, max_error_m: float
) -> tuple[dict[str, Any] | None, float | None]:
    """A display polygon of a zone and its measured error (m), as its shape draws it (see
    :meth:`service.rules.shapes.ZoneShape.display`)."""
    return reference.zone_shape(feature).display(max_error_m)


def zone_polygon(
    moment: Moment, ref: str, max_error_m: float, *, require_in_force: bool
) -> dict[str, Any]:
    """A zone as a GeoJSON Feature whose polygon is within ``max_error_m`` (m) of the exact
    boundary, with the error measured and the exact definition in ``properties.zone``.

    Raises
    ------
    UnknownFeatureError
        For a name no feature has.
    NotAZoneError
        For a feature that is not a zone (``zone_id``).
    NotInForceError
        When ``require_in_force`` and the zone is not valid at the moment (``at``).
    """
    reference = moment.reference
    try:
        feature = reference.resolve(ref)
    except UnknownFeatureError as err:
        raise UnknownFeatureError(err.ref, err.suggestions, "zone_id") from None
    if feature.zone is None:
        raise NotAZoneError(feature.id, feature.kind, "zone_id")
    if require_in_force and not feature.in_force(moment.at):
        raise NotInForceError(feature.id, moment.at, feature.valid_from, feature.valid_to, "at")
    geometry, error = zone_display_geometry(reference, feature, max_error_m)
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": geometry,
        "properties": {
            "id": feature.id,
            "name": feature.name,
            "zone": feature.zone.to_dict(),
            "requested_max_error_m": max_error_m,
            "max_error_m": error,
            "uncertainty_m": reference.uncertainty_m(feature),
            "data_version": reference.data_version,
        },
    }
