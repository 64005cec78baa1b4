"""Domain objects to JSON: features as GeoJSON, numbers rounded to what is meaningful."""

from __future__ import annotations

from typing import Any

from schemas.base import format_instant
from service.rules.model import Feature
from service.rules.reference import ReferenceSet


def zone_display_geometry(
    reference: ReferenceSet, feature: Feature, max_error_m: float
) -> tuple[dict[str, Any] | None, float | None]:
    """A display polygon of a zone and its measured error (m); polygon zones are their own
    geometry (error 0 at the vertices: edges are geodesics drawn straight). See
    :meth:`service.rules.shapes.ZoneShape.display`."""
    return reference.zone_shape(feature).display(max_error_m)


def feature_to_geojson(
    reference: ReferenceSet, feature: Feature, display_max_error_m: float = 10.0
) -> dict[str, Any]:
    """A feature as a GeoJSON Feature; zones carry a display polygon as geometry and their
    exact definition in ``properties.zone``."""
    props: dict[str, Any] = {
        "id": feature.id,
        "name": feature.name,
        "aliases": list(feature.aliases),
        "kind": feature.kind,
        "uncertainty_m": feature.uncertainty_m,
        "effective_uncertainty_m": reference.uncertainty_m(feature),
        "sources": [dict(s) for s in feature.sources],
        "valid_from": format_instant(feature.valid_from) if feature.valid_from else None,
        "valid_to": format_instant(feature.valid_to) if feature.valid_to else None,
        "notes": feature.notes,
        "properties": dict(feature.properties),
        "version": feature.version,
    }
    geometry = feature.geometry
    if feature.zone is not None:
        rule = feature.zone.to_dict()
        centre = reference.circle_centre(feature)
        if centre is not None:
            rule["centre_point"] = {"lon": centre[0], "lat": centre[1]}
        geometry, error = zone_display_geometry(reference, feature, display_max_error_m)
        rule["display_max_error_m"] = error
        props["zone"] = rule
    return {"type": "Feature", "id": feature.id, "geometry": geometry, "properties": props}
