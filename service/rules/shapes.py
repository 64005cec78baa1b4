"""Geometry objects for features: one interface for signed distance and cheap bounds.

Every shape answers, for arrays of ``(lon, lat)`` degrees:

* ``signed_distance(lon, lat)``: exact signed geodesic distance (m) to its boundary,
  negative inside; for points and lines (no inside) the plain distance;
* ``boundary_bounds(lon, lat)``: proven ``(low, high)`` bounds on that value from cheap
  straight-line geometry, so verdicts can skip the exact work where it cannot matter.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from service.geodesy import Circle, Corridor, GeodesicPolygon, Polyline, PolylineDistance
from service.geodesy.ellipsoid import FloatArray, as_lonlat


class Shape(Protocol):
    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray: ...

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]: ...


def _polygon_rings(coords: list[Any]) -> GeodesicPolygon:
    rings = [np.asarray(ring, dtype=np.float64)[:, :2] for ring in coords]
    return GeodesicPolygon([(ring[:, 0], ring[:, 1]) for ring in rings])


class AreaShape:
    """A Polygon or MultiPolygon with geodesic edges (closed: the boundary is inside)."""

    def __init__(self, geometry: dict[str, Any]) -> None:
        if geometry["type"] == "Polygon":
            self.parts = [_polygon_rings(geometry["coordinates"])]
        else:
            self.parts = [_polygon_rings(poly) for poly in geometry["coordinates"]]

    @property
    def area_m2(self) -> float:
        return sum(p.area_m2 for p in self.parts)

    @property
    def perimeter_m(self) -> float:
        return sum(p.perimeter_m for p in self.parts)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        lon_a, lat_a = as_lonlat(lon, lat)
        signed = np.stack([p.signed_distance(lon_a, lat_a) for p in self.parts])
        inside = np.any(signed <= 0, axis=0)
        # Inside some part: how deep in the deepest part; outside all: the nearest gap.
        return np.where(inside, signed.min(axis=0), np.abs(signed).min(axis=0))

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        lows = np.stack([p.boundary_bounds(lon, lat)[0] for p in self.parts])
        low = lows.min(axis=0)
        return low, np.full(low.shape, np.inf)


class RouteShape:
    """A LineString or MultiLineString of geodesic segments."""

    def __init__(self, geometry: dict[str, Any]) -> None:
        lines = (
            [geometry["coordinates"]]
            if geometry["type"] == "LineString"
            else geometry["coordinates"]
        )
        self.lines = [Polyline(*np.asarray(line, dtype=np.float64)[:, :2].T) for line in lines]
        # along_m is measured along the whole route: each line starts where the last ended.
        self.offsets = np.cumsum([0.0] + [line.length_m for line in self.lines[:-1]])

    @property
    def length_m(self) -> float:
        return float(sum(line.length_m for line in self.lines))

    def distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> PolylineDistance:
        """Nearest point over every line; ``segment`` counts segments across lines."""
        results = [line.distance(lon, lat) for line in self.lines]
        if len(results) == 1:
            return results[0]
        best = np.argmin(np.stack([r.distance_m for r in results]), axis=0)
        seg_offsets = np.cumsum([0] + [line.segment_count for line in self.lines[:-1]])
        fields = {}
        for name in PolylineDistance.__dataclass_fields__:
            stacked = np.stack([getattr(r, name) for r in results])
            fields[name] = np.take_along_axis(stacked, best[None, :], axis=0)[0]
        fields["along_m"] = fields["along_m"] + self.offsets[best]
        fields["segment"] = fields["segment"] + seg_offsets[best]
        return PolylineDistance(**fields)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        return self.distance(lon, lat).distance_m

    def lower_bound(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        return np.min([line.distance_lower_bound(lon, lat) for line in self.lines], axis=0)

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        low = self.lower_bound(lon, lat)
        return low, np.full(low.shape, np.inf)


class CorridorShape:
    """Every point within ``half_width_m`` of a route (round ends: the true buffer)."""

    def __init__(self, route: RouteShape, half_width_m: float) -> None:
        # Corridor validates the width; one per line so display polygons can be built.
        self.corridors = [Corridor(line, half_width_m) for line in route.lines]
        self.route = route
        self.half_width_m = float(half_width_m)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        return self.route.signed_distance(lon, lat) - self.half_width_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        low = self.route.lower_bound(lon, lat) - self.half_width_m
        return low, np.full(low.shape, np.inf)


class PointShape:
    """A site: distance to one point (no inside)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.circle = Circle(lon, lat, 1.0)  # reuse the exact inverse and chord bounds
        self.lon, self.lat = self.circle.lon, self.circle.lat

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        return self.circle.distance(lon, lat).centre_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        low, high = self.circle.boundary_bounds(lon, lat)
        return low + 1.0, high + 1.0
