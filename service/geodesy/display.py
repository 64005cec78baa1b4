"""Display polygons: GeoJSON geometry for drawing zones on flat maps.

Mapping tools join GeoJSON vertices with straight lines in longitude/latitude (RFC 7946
§3.1.1), so a display polygon is only ever an approximation of a geodesic shape. Each one
here is densified until its straight lon/lat edges stay within a requested distance of the
true boundary, and the error actually reached, measured with the exact distance at points
along every edge, is returned with it. Shapes that cross the antimeridian are cut there
into a MultiPolygon, and shapes that contain a pole are closed along the map edge through
that pole, as RFC 7946 §3.1.9 recommends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient

from service.geodesy.circle import Circle
from service.geodesy.corridor import Corridor
from service.geodesy.ellipsoid import WGS84, FloatArray
from service.geodesy.errors import GeodesyError

#: Fractions of each edge at which the display error is measured.
_SAMPLES = np.array([0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875])
_MAX_VERTICES = 1 << 16
MIN_ERROR_M = 0.01


@dataclass(frozen=True)
class DisplayPolygon:
    """A GeoJSON geometry (Polygon or MultiPolygon, ``[lon, lat]`` positions in degrees,
    exteriors counter-clockwise, cut at the antimeridian) and its measured maximum
    error."""

    geometry: dict[str, Any]
    #: Largest distance (m) found between the drawn edges and the true boundary.
    max_error_m: float
    #: Vertices drawn (rings closed, before any cut at the antimeridian).
    vertex_count: int


def _check_error(max_error_m: float) -> float:
    value = float(max_error_m)
    if not np.isfinite(value) or value < MIN_ERROR_M:
        raise GeodesyError(
            f"max_error_m must be a number of metres of at least {MIN_ERROR_M}", "max_error_m"
        )
    return value


def _edge_samples(ring_lon: FloatArray, ring_lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Points along the straight lon/lat edges of a closed ring (unwrapped longitudes)."""
    lon0, lat0 = ring_lon[:-1], ring_lat[:-1]
    dlon, dlat = np.diff(ring_lon), np.diff(ring_lat)
    lon = (lon0[:, None] + _SAMPLES[None, :] * dlon[:, None]).ravel()
    lat = (lat0[:, None] + _SAMPLES[None, :] * dlat[:, None]).ravel()
    return lon, np.clip(lat, -90.0, 90.0)


def _unwrap(lon: FloatArray) -> FloatArray:
    return np.unwrap(lon, period=360.0)


def _split_antimeridian(geom: Polygon | MultiPolygon) -> dict[str, Any]:
    """Cut a shape drawn with unwrapped longitudes into pieces inside [-180, 180]."""
    pieces: list[Polygon] = []
    for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
        window = box(-180.0 + shift, -90.0, 180.0 + shift, 90.0)
        part = geom.intersection(window)
        if part.is_empty:
            continue
        part = shapely.affinity.translate(part, xoff=-shift)
        for poly in getattr(part, "geoms", [part]):
            if isinstance(poly, Polygon) and poly.area > 0:
                pieces.append(orient(poly, sign=1.0))
    if not pieces:
        raise GeodesyError("the shape is too small to draw", "max_error_m")
    # Pieces from neighbouring windows may touch along a meridian inside the map: merge.
    merged = shapely.union_all(pieces)
    parts = [orient(p, sign=1.0) for p in getattr(merged, "geoms", [merged])]
    result: Polygon | MultiPolygon = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return dict(mapping(result))


def _circle_outline(circle: Circle, count: int) -> tuple[Polygon, FloatArray, FloatArray]:
    lon, lat = circle.ring(count)
    lon = _unwrap(np.append(lon, lon[0]))
    lat = np.append(lat, lat[0])
    winding = round((lon[-1] - lon[0]) / 360.0)
    if winding != 0:
        # The ring goes once around a pole: close it along the map edge through that pole.
        pole = 90.0 if circle.contains_pole(north=True) else -90.0
        coords = [*list(zip(lon, lat, strict=True)), (lon[-1], pole), (lon[0], pole)]
        return Polygon(coords), lon, lat
    return Polygon(list(zip(lon, lat, strict=True))), lon, lat


def circle_polygon(circle: Circle, max_error_m: float = 10.0) -> DisplayPolygon:
    """A display polygon for ``circle`` whose straight lon/lat edges stay within
    ``max_error_m`` metres of the true geodesic circle.

    Parameters
    ----------
    circle : Circle
        The circle to draw.
    max_error_m : float
        Largest distance (m, ≥ 0.01) the drawn edges may stray from the circle.

    Returns
    -------
    DisplayPolygon
        Vertices exactly on the circle; ``max_error_m`` as measured, at most the one
        asked for (unless 65,536 vertices are not enough). A circle around a pole is
        closed along the map edge through that pole.

    Raises
    ------
    GeodesyError
        If ``max_error_m`` is below 0.01 m.

    Examples
    --------
    >>> drawn = circle_polygon(Circle(38.6178, 33.5058, 55_000.0), 10.0)
    >>> drawn.geometry["type"], drawn.max_error_m <= 10.0
    ('Polygon', True)
    """
    target = _check_error(max_error_m)
    # Planar sagitta r(1 − cos(π/n)) ≈ rπ²/2n² gives a first guess; verify and refine.
    count = int(np.clip(np.ceil(np.pi * np.sqrt(circle.radius_m / (2 * target))), 16, 4096))
    while True:
        outline, lon, lat = _circle_outline(circle, count)
        s_lon, s_lat = _edge_samples(lon, lat)
        error = float(np.max(np.abs(circle.signed_distance(s_lon, s_lat))))
        if error <= target or count >= _MAX_VERTICES:
            break
        count = min(_MAX_VERTICES, int(count * max(1.25, np.sqrt(error / target))))
    return DisplayPolygon(_split_antimeridian(outline), error, count)


def corridor_polygon(corridor: Corridor, max_error_m: float = 10.0) -> DisplayPolygon:
    """A display polygon of the corridor (round ends and joins) within ``max_error_m``.

    Built as the union of exact pieces — a strip along each segment, offset by the half
    width on both sides, and a disc at each vertex — in longitude unwrapped from the
    route's start, then measured against the exact distance to the route.

    Parameters
    ----------
    corridor : Corridor
        The corridor to draw.
    max_error_m : float
        Largest distance (m, ≥ 0.01) the drawn edges may stray from the corridor's edge.

    Returns
    -------
    DisplayPolygon
        ``max_error_m`` as measured; the sampling is refined until it is at most the one
        asked for or the samples are 10 m apart.

    Raises
    ------
    GeodesyError
        If ``max_error_m`` is below 0.01 m, or the corridor reaches within about a
        degree of a pole.
    """
    target = _check_error(max_error_m)
    route = corridor.route
    width = corridor.half_width_m
    lat_reach = np.max(np.abs(route.lat)) + np.degrees(width / 6.3e6) * 1.01
    if lat_reach >= 89.0:
        raise GeodesyError(
            "display polygons are not available for corridors that reach within about a "
            "degree of a pole; containment and distances still work there",
            "zone",
        )
    spacing = max(10.0, 4.0 * np.sqrt(2 * width * target))
    count = int(np.clip(np.ceil(np.pi * np.sqrt(width / (2 * target))), 16, 4096))
    base_lon = float(route.lon[0])
    while True:
        pieces = []
        for seg in range(route.segment_count):
            samples = max(2, int(np.ceil(route.segment_length_m[seg] / spacing)) + 1)
            s = np.linspace(0.0, route.segment_length_m[seg], samples)
            lon0 = np.full(samples, route.lon[seg])
            lat0 = np.full(samples, route.lat[seg])
            x_lon, x_lat, back = WGS84.fwd(
                lon0, lat0, np.full(samples, route.segment_azimuth_deg[seg]), s
            )
            travel = np.asarray(back) + 180.0
            left_lon, left_lat, _ = WGS84.fwd(x_lon, x_lat, travel - 90.0, np.full(samples, width))
            right_lon, right_lat, _ = WGS84.fwd(
                x_lon, x_lat, travel + 90.0, np.full(samples, width)
            )
            ring_lon = np.concatenate([np.asarray(left_lon), np.asarray(right_lon)[::-1]])
            ring_lat = np.concatenate([np.asarray(left_lat), np.asarray(right_lat)[::-1]])
            ring_lon = _unwrap(ring_lon)
            ring_lon += 360.0 * np.round((base_lon - ring_lon[0]) / 360.0)
            pieces.append(Polygon(zip(ring_lon, ring_lat, strict=True)).buffer(0))
        for vlon, vlat in zip(route.lon, route.lat, strict=True):
            disc, _, _ = _circle_outline(Circle(vlon, vlat, width), count)
            shift = 360.0 * np.round((base_lon - vlon) / 360.0)
            pieces.append(shapely.affinity.translate(disc, xoff=shift))
        outline = shapely.union_all(pieces)
        error = 0.0
        vertex_count = 0
        for poly in getattr(outline, "geoms", [outline]):
            for ring in [poly.exterior, *poly.interiors]:
                coords = np.asarray(ring.coords)
                vertex_count += len(coords)
                s_lon, s_lat = _edge_samples(coords[:, 0], coords[:, 1])
                deviation = corridor.signed_distance(s_lon, s_lat)
                error = max(error, float(np.max(np.abs(deviation))))
        if error <= target or spacing <= 10.0:
            break
        spacing /= 2.0
        count *= 2
    return DisplayPolygon(_split_antimeridian(outline), error, vertex_count)
