"""Independent references for the geodesy tests: Karney's own pure-Python GeographicLib,
never pyproj, plus brute force where no closed form exists."""

from __future__ import annotations

import itertools
import math

from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea

WGS84 = Geodesic.WGS84


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])


def azimuth(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2)["azi1"]) % 360.0


def segment_distance(
    lon: float, lat: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Minimum distance from (lon, lat) to the geodesic segment a→b: dense sampling, then
    golden-section refinement around the best sample (and both ends)."""
    line = WGS84.InverseLine(a[1], a[0], b[1], b[0])
    length = line.s13

    def at(s: float) -> float:
        pos = line.Position(s)
        return float(WGS84.Inverse(lat, lon, pos["lat2"], pos["lon2"])["s12"])

    samples = 64
    values = [at(length * k / samples) for k in range(samples + 1)]
    best = min(values)
    k = values.index(best)
    lo = length * max(0, k - 1) / samples
    hi = length * min(samples, k + 1) / samples
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(100):
        x1 = hi - ratio * (hi - lo)
        x2 = lo + ratio * (hi - lo)
        if at(x1) < at(x2):
            hi = x2
        else:
            lo = x1
    return min(best, at((lo + hi) / 2))


def polyline_distance(lon: float, lat: float, coords: list[tuple[float, float]]) -> float:
    return min(segment_distance(lon, lat, coords[i], coords[i + 1]) for i in range(len(coords) - 1))


def winding_contains(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Whether a small ring encloses the point: the azimuth from the point to a position
    moving around the ring turns through ±360° exactly when it does. Each edge is sampled
    so no step subtends 180° or more."""
    total = 0.0
    closed = [*ring, ring[0]]
    previous = None
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(closed):
        line = WGS84.InverseLine(lat1, lon1, lat2, lon2)
        for k in range(16):
            pos = line.Position(line.s13 * k / 16)
            az = WGS84.Inverse(lat, lon, pos["lat2"], pos["lon2"])["azi1"]
            if previous is not None:
                total += (az - previous + 180.0) % 360.0 - 180.0
            previous = az
    first = WGS84.Inverse(lat, lon, closed[0][1], closed[0][0])["azi1"]
    assert previous is not None
    total += (first - previous + 180.0) % 360.0 - 180.0
    return abs(total) > 180.0


def polygon_area(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """(|area| of the smaller region, perimeter) by GeographicLib's PolygonArea."""
    poly = PolygonArea(WGS84)
    for lon, lat in ring:
        poly.AddPoint(lat, lon)
    _, perimeter, area = poly.Compute(False, True)
    return abs(float(area)), float(perimeter)
