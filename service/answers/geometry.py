"""Geometry questions: ``/area`` of a polygon and a zone's display polygon."""

from __future__ import annotations

from typing import Any

from service.answers import MODEL, Moment
from service.rules.errors import NotAZoneError, NotInForceError
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.rules.shapes import AreaShape


def area(geometry: dict[str, Any]) -> dict[str, Any]:
    """Geodesic area (m², km²) and perimeter (m) of a validated Polygon or MultiPolygon
    with geodesic edges, whatever its rings' orientation.

    Parameters
    ----------
    geometry : dict
        GeoJSON Polygon or MultiPolygon, validated, positions ``[lon, lat]`` in degrees; each
        ring's interior is the smaller of the two regions it bounds.

    Returns
    -------
    dict
        ``area_m2``, ``area_km2``, ``perimeter_m`` (every ring's length) and ``model``.

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[37, 33], [38, 33], [38, 34], [37, 34]]]}
    >>> round(area(square)["area_km2"])
    10306
    """
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
    """A display polygon of a zone and its measured error, as its shape draws it (see
    :meth:`service.rules.shapes.ZoneShape.display`).

    Parameters
    ----------
    reference : ReferenceSet
        The reference set the zone (and the site it may follow) is read from.
    feature : Feature
        The zone.
    max_error_m : float
        Largest distance (m) the drawn edges may stray from the exact boundary.

    Returns
    -------
    geometry : dict or None
        GeoJSON Polygon or MultiPolygon (``[lon, lat]`` positions, split at the antimeridian),
        or the zone's own geometry where no display polygon is made.
    max_error_m : float or None
        The error measured (m, at most the one asked for), or None when the geometry is the
        zone's own.
    """
    return reference.zone_shape(feature).display(max_error_m)


def zone_polygon(
    moment: Moment, ref: str, max_error_m: float, *, require_in_force: bool
) -> dict[str, Any]:
    """A zone as a GeoJSON Feature whose polygon is within ``max_error_m`` of the exact
    boundary, with the error measured and the exact definition in ``properties.zone``.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    ref : str
        The zone's id or alias.
    max_error_m : float
        Largest distance (m) the drawn edges may stray from the exact boundary.
    require_in_force : bool
        Refuse a zone not valid at ``moment.at`` (when the question named an ``at``).

    Returns
    -------
    dict
        A GeoJSON Feature: ``type``, ``id``, ``geometry`` (``[lon, lat]`` positions) and
        ``properties`` with ``id``, ``name``, ``zone`` (the exact rule), ``requested_max_error_m``,
        ``max_error_m`` (measured, m; null for a polygon zone's own geometry),
        ``uncertainty_m`` and ``data_version``.

    Raises
    ------
    UnknownFeatureError
        For a name no feature has (``zone_id``, with close matches).
    NotAZoneError
        For a feature that is not a zone (``zone_id``).
    NotInForceError
        When ``require_in_force`` and the zone is not valid at the moment (``at``).
    """
    reference = moment.reference
    feature = reference.resolve(ref, "zone_id")
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
