"""Distances from points to features or to other points, with the nearest point.

Conventions: metres and degrees; ``azimuth_deg`` is measured at the query point toward the
nearest point, clockwise from north in [0, 360); ``side`` is relative to a route's
direction of travel (from its first vertex to its last).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from service.geodesy import LEFT, RIGHT, WGS84, Circle, GeodesicPolygon
from service.geodesy.ellipsoid import FloatArray, normalize_azimuth, normalize_longitude
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.rules.shapes import AreaShape, CorridorShape, PointShape, RouteShape

SIDE_NAMES = {LEFT: "left", RIGHT: "right", 0: "on"}


@dataclass
class Measurement:
    """Distances from each query point; every array has one entry per point."""

    distance_m: FloatArray
    azimuth_deg: FloatArray
    nearest_lon: FloatArray
    nearest_lat: FloatArray
    #: Extra per-kind columns: along_m, segment, side (routes); distance_to_boundary_m,
    #: inside (areas, zones); distance_to_center_m (circles).
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def _inverse_to(lon: FloatArray, lat: FloatArray, to_lon: float, to_lat: float) -> Measurement:
    az, _, dist = WGS84.inv(lon, lat, np.full(lon.shape, to_lon), np.full(lat.shape, to_lat))
    return Measurement(
        np.asarray(dist),
        normalize_azimuth(az),
        np.full(lon.shape, to_lon),
        np.full(lat.shape, to_lat),
    )


def to_point(lon: FloatArray, lat: FloatArray, to_lon: float, to_lat: float) -> Measurement:
    """Distance and azimuth to one point."""
    return _inverse_to(lon, lat, to_lon, to_lat)


def _boundary_offset(
    from_lon: FloatArray,
    from_lat: FloatArray,
    toward_lon: FloatArray,
    toward_lat: FloatArray,
    distance_m: float | FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The point ``distance_m`` from ``from`` along the geodesic toward ``toward``."""
    az, _, _ = WGS84.inv(from_lon, from_lat, toward_lon, toward_lat)
    lon, lat, _ = WGS84.fwd(from_lon, from_lat, az, np.broadcast_to(distance_m, from_lon.shape))
    return normalize_longitude(lon), np.asarray(lat)


def _signed_area_measure(
    signed: FloatArray,
    nearest_lon: FloatArray,
    nearest_lat: FloatArray,
    lon: FloatArray,
    lat: FloatArray,
) -> Measurement:
    az, _, _ = WGS84.inv(lon, lat, nearest_lon, nearest_lat)
    return Measurement(
        np.maximum(signed, 0.0),
        normalize_azimuth(az),
        normalize_longitude(nearest_lon),
        nearest_lat,
        {"distance_to_boundary_m": signed, "inside": signed <= 0},
    )


def _polygon_nearest(
    polygon: GeodesicPolygon, lon: FloatArray, lat: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    per_ring = [ring.boundary.distance(lon, lat) for ring in polygon.rings]
    best = np.argmin(np.stack([r.distance_m for r in per_ring]), axis=0)
    pick = np.arange(lon.size)
    d = np.stack([r.distance_m for r in per_ring])[best, pick]
    n_lon = np.stack([r.nearest_lon for r in per_ring])[best, pick]
    n_lat = np.stack([r.nearest_lat for r in per_ring])[best, pick]
    return d, n_lon, n_lat


def to_feature(
    reference: ReferenceSet, feature: Feature, lon: FloatArray, lat: FloatArray
) -> Measurement:
    """Distance from each point to ``feature``: a site, route, area or zone."""
    shape = reference.shape(feature)
    if isinstance(shape, PointShape):
        return _inverse_to(lon, lat, shape.lon, shape.lat)
    if isinstance(shape, RouteShape):
        route = shape.distance(lon, lat)
        return Measurement(
            route.distance_m,
            route.azimuth_deg,
            route.nearest_lon,
            route.nearest_lat,
            {"along_m": route.along_m, "segment": route.segment, "side": route.side},
        )
    if isinstance(shape, Circle):
        dist = shape.distance(lon, lat)
        # Nearest boundary point: along the radius through the point.
        n_lon, n_lat = _boundary_offset(
            np.full(lon.shape, shape.lon), np.full(lat.shape, shape.lat), lon, lat, shape.radius_m
        )
        m = _signed_area_measure(dist.boundary_m, n_lon, n_lat, lon, lat)
        m.extra["distance_to_center_m"] = dist.centre_m
        return m
    if isinstance(shape, CorridorShape):
        route = shape.route.distance(lon, lat)
        signed = route.distance_m - shape.half_width_m
        # From the nearest centre-line point, half a width toward the query point.
        n_lon, n_lat = _boundary_offset(
            route.nearest_lon, route.nearest_lat, lon, lat, shape.half_width_m
        )
        on_line = route.distance_m == 0
        n_lon = np.where(on_line, route.nearest_lon, n_lon)
        n_lat = np.where(on_line, route.nearest_lat, n_lat)
        m = _signed_area_measure(signed, n_lon, n_lat, lon, lat)
        m.extra.update(along_m=route.along_m, segment=route.segment, side=route.side)
        return m
    assert isinstance(shape, AreaShape)
    signed = shape.signed_distance(lon, lat)
    parts = [_polygon_nearest(p, lon, lat) for p in shape.parts]
    best = np.argmin(np.stack([p[0] for p in parts]), axis=0)
    pick = np.arange(lon.size)
    n_lon = np.stack([p[1] for p in parts])[best, pick]
    n_lat = np.stack([p[2] for p in parts])[best, pick]
    return _signed_area_measure(signed, n_lon, n_lat, lon, lat)
