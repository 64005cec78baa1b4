"""Polygons whose edges are geodesics: containment, signed distance, area and perimeter.

Conventions
-----------
* Rings are sequences of ``(lon, lat)`` vertices in degrees; closing the ring (repeating
  the first vertex) is optional. The first ring is the exterior, the others are holes.
* A ring divides the ellipsoid in two; its interior is the **smaller** of the two regions,
  whatever the ring's orientation (RFC 7946 asks for counter-clockwise exteriors, but data
  in the wild often is not). A ring therefore encloses at most half the Earth.
* A polygon is closed: points on its boundary are inside.
* Vertices exactly at a pole are rejected; polygons may contain a pole and may cross the
  antimeridian.

Containment counts where the polygon's edges cross the meridian through the point, north
of it: along a geodesic, longitude changes monotonically, so each edge crosses a meridian
at most once and the crossing latitude is found by a safeguarded Newton iteration on the
direct problem. Whether the North Pole itself is inside is settled once per ring from a
point just to the left of an edge, whose side is known from the ring's signed area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from service.geodesy.ellipsoid import (
    ECCENTRICITY_SQ,
    FLATTENING,
    SEMI_MAJOR_M,
    WGS84,
    FloatArray,
    as_lonlat,
    to_ecef,
)
from service.geodesy.errors import GeodesyError
from service.geodesy.polyline import Polyline, sagitta_bound

BoolArray = npt.NDArray[np.bool_]

_NEWTON_ITERATIONS = 60
_LON_TOLERANCE_DEG = 1e-13
_CELLS_PER_CHUNK = 1 << 21


def _wrap180(x: FloatArray) -> FloatArray:
    return np.mod(x + 180.0, 360.0) - 180.0


class Ring:
    """One closed ring of geodesic edges; its interior is the smaller region it bounds.

    Parameters
    ----------
    lon, lat : array_like
        Vertices in degrees, longitudes then latitudes, in either orientation; repeating
        the first vertex at the end is optional.

    Raises
    ------
    GeodesyError
        If a vertex is at a pole, fewer than three distinct vertices remain, or the ring
        encloses no area.
    """

    def __init__(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
        lon_a, lat_a = as_lonlat(lon, lat, "ring vertex")
        if lon_a.ndim != 1:
            raise GeodesyError("a ring must be a list of [lon, lat] positions", "coordinates")
        if np.any(np.abs(lat_a) == 90.0):
            raise GeodesyError(
                "ring vertices exactly at a pole are not supported; move the vertex off the "
                "pole (a ring around a pole contains it)",
                "coordinates",
            )
        if lon_a.size >= 2 and lon_a[0] == lon_a[-1] and lat_a[0] == lat_a[-1]:
            lon_a, lat_a = lon_a[:-1], lat_a[:-1]
        # Drop consecutive repeats, including the wrap to the first vertex.
        nxt_lon, nxt_lat = np.roll(lon_a, -1), np.roll(lat_a, -1)
        same = (np.mod(lon_a - nxt_lon, 360.0) == 0.0) & (lat_a == nxt_lat)
        lon_a, lat_a = lon_a[~same], lat_a[~same]
        if lon_a.size < 3:
            raise GeodesyError("a ring needs at least three distinct vertices", "coordinates")
        self.lon = lon_a
        self.lat = lat_a
        closed_lon = np.append(lon_a, lon_a[0])
        closed_lat = np.append(lat_a, lat_a[0])
        self.boundary = Polyline(closed_lon, closed_lat)
        az1, back2, length = WGS84.inv(
            closed_lon[:-1], closed_lat[:-1], closed_lon[1:], closed_lat[1:]
        )
        az1 = np.asarray(az1)
        az2 = np.asarray(back2) + 180.0
        self._start_lon = closed_lon[:-1]
        self._start_lat = closed_lat[:-1]
        self._azimuth = az1
        self._length = np.asarray(length)
        # Signed longitude span of each edge, from the direction it starts in: longitude is
        # monotonic along a geodesic, eastward when sin(azimuth) > 0.
        diff = _wrap180(closed_lon[1:] - closed_lon[:-1])
        east = np.sin(np.radians(az1)) > 0
        span = np.where(east & (diff < 0), diff + 360.0, diff)
        span = np.where(~east & (diff > 0), diff - 360.0, span)
        self._span = span
        self._lat_min, self._lat_max = self._latitude_range(closed_lat, az1, az2)
        area, perimeter = WGS84.polygon_area_perimeter(lon_a, lat_a)
        if area == 0.0:
            raise GeodesyError(
                "the ring encloses no area (its vertices are collinear)", "coordinates"
            )
        # pyproj reports the area left of the path of travel, reduced into (−E/2, E/2]:
        # positive means the left side is the smaller region, the interior.
        self.interior_is_left = bool(area > 0)
        self.area_m2 = abs(float(area))
        self.perimeter_m = float(perimeter)
        self.north_pole_inside = self._north_pole_inside()
        ecef = to_ecef(lon_a, lat_a)
        self._centre = ecef.mean(axis=0)
        self._reach = float(
            np.sqrt(((ecef - self._centre) ** 2).sum(axis=1)).max()
            + sagitta_bound(self._length).max()
        )

    @staticmethod
    def _latitude_range(
        lat: FloatArray, az1: FloatArray, az2: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Least and greatest latitude reached along each edge (degrees). A geodesic's
        extreme latitude is at its vertex, where Clairaut's relation gives the reduced
        latitude β₀ = acos(|sin α₁| cos β₁)."""
        lat1, lat2 = lat[:-1], lat[1:]
        low = np.minimum(lat1, lat2)
        high = np.maximum(lat1, lat2)
        beta1 = np.arctan((1.0 - FLATTENING) * np.tan(np.radians(lat1)))
        beta0 = np.arccos(np.clip(np.abs(np.sin(np.radians(az1))) * np.cos(beta1), -1.0, 1.0))
        vertex_lat = np.degrees(np.arctan(np.tan(beta0) / (1.0 - FLATTENING)))
        cos1 = np.cos(np.radians(az1))
        cos2 = np.cos(np.radians(az2))
        northern = (cos1 > 0) & (cos2 < 0)
        southern = (cos1 < 0) & (cos2 > 0)
        high = np.where(northern, np.maximum(high, vertex_lat), high)
        low = np.where(southern, np.minimum(low, -vertex_lat), low)
        pad = 1e-9  # degrees (~0.1 mm): rounding in the closed form above
        return low - pad, high + pad

    def _north_pole_inside(self) -> bool:
        """The North Pole is inside when a point known to be inside sees an even number of
        crossings on its way north."""
        edge = int(np.argmax(self._length))
        half = self._length[edge] / 2.0
        mid_lon, mid_lat, back = WGS84.fwd(
            self._start_lon[edge], self._start_lat[edge], self._azimuth[edge], half
        )
        travel = float(back) + 180.0
        step = min(1.0, half / 10.0)
        left_lon, left_lat, _ = WGS84.fwd(mid_lon, mid_lat, travel - 90.0, step)
        odd = bool(self.crossings_north(np.array([left_lon]), np.array([left_lat]))[0] % 2)
        # left point inside ⇔ interior is left; the pole is on its side iff crossings even
        return self.interior_is_left != odd

    def crossings_north(self, lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.int64]:
        """Number of edges crossing the meridian of each point north of the point.

        Parameters
        ----------
        lon, lat : ndarray of float
            Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths; not
            checked here).

        Returns
        -------
        ndarray of int64
            One count per point; odd where the point and the North Pole are on opposite
            sides of the ring.
        """
        count = np.zeros(lon.size, dtype=np.int64)
        chunk = max(1, _CELLS_PER_CHUNK // self._span.size)
        for begin in range(0, lon.size, chunk):
            end = begin + chunk
            count[begin:end] = self._crossings_chunk(lon[begin:end], lat[begin:end])
        return count

    def _crossings_chunk(self, lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.int64]:
        # Position of every vertex east of each point's meridian, in [0, 360); an edge wraps
        # past the meridian k times where k is fixed by its span (see module notes).
        vertex_pos = np.mod(self._start_lon[None, :] - lon[:, None], 360.0)
        end_pos = np.roll(vertex_pos, -1, axis=1)
        wraps = np.rint((vertex_pos + self._span[None, :] - end_pos) / 360.0)
        crossing = wraps != 0
        north_of_edge = lat[:, None] > self._lat_max[None, :]
        south_of_edge = lat[:, None] < self._lat_min[None, :]
        certain = crossing & south_of_edge
        count = certain.sum(axis=1)
        unsure_rows, unsure_edges = np.nonzero(crossing & ~north_of_edge & ~south_of_edge)
        if unsure_rows.size:
            # Longitude offset from the edge start to the point's meridian.
            pos = vertex_pos[unsure_rows, unsure_edges]
            offset = np.where(wraps[unsure_rows, unsure_edges] > 0, 360.0 - pos, -pos)
            cross_lat = self._crossing_latitude(unsure_edges, offset)
            north = cross_lat > lat[unsure_rows]
            np.add.at(count, unsure_rows[north], 1)
        return count

    def _crossing_latitude(self, edges: npt.NDArray[np.intp], offset: FloatArray) -> FloatArray:
        """Latitude where edge ``edges[k]`` reaches longitude ``start + offset[k]``."""
        lon0 = self._start_lon[edges]
        lat0 = self._start_lat[edges]
        azi = self._azimuth[edges]
        length = self._length[edges]
        span = self._span[edges]
        low = np.zeros(edges.size)
        high = length.copy()
        s = np.clip(length * offset / span, 0.0, length)
        lat = np.empty(edges.size)
        active = np.arange(edges.size)
        for _ in range(_NEWTON_ITERATIONS):
            x_lon, x_lat, back = WGS84.fwd(lon0[active], lat0[active], azi[active], s[active])
            x_lon, x_lat = np.asarray(x_lon), np.asarray(x_lat)
            lat[active] = x_lat
            # Signed error: how far past (+) or short of (−) the target the point is, in the
            # direction of travel.
            moved = _wrap180(x_lon - lon0[active] - offset[active])
            excess = moved * np.sign(span[active])
            done = np.abs(moved) <= _LON_TOLERANCE_DEG
            over = excess > 0
            high[active] = np.where(over, s[active], high[active])
            low[active] = np.where(~over, s[active], low[active])
            travel = np.radians(np.asarray(back) + 180.0)
            phi = np.radians(x_lat)
            parallel = SEMI_MAJOR_M * np.cos(phi) / np.sqrt(1 - ECCENTRICITY_SQ * np.sin(phi) ** 2)
            rate = np.degrees(np.sin(travel) / np.maximum(parallel, 1e-3))  # deg per metre
            with np.errstate(divide="ignore", invalid="ignore"):
                newton = s[active] - moved / rate
            bisect = (low[active] + high[active]) / 2.0
            ok = np.isfinite(newton) & (newton > low[active]) & (newton < high[active])
            s[active] = np.where(ok, newton, bisect)
            finished = done | (high[active] - low[active] < 1e-7)
            active = active[~finished]
            if active.size == 0:
                break
        return lat

    def contains(self, lon: FloatArray, lat: FloatArray) -> BoolArray:
        """Whether each point is in the ring's interior (the smaller region).

        Parameters
        ----------
        lon, lat : ndarray of float
            Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths; not
            checked here).

        Returns
        -------
        ndarray of bool
            One per point; undefined for points on the boundary
            (:class:`GeodesicPolygon` settles them by distance).

        Examples
        --------
        >>> ring = Ring([37, 38, 38, 37], [33, 33, 34, 34])
        >>> ring.contains(np.array([37.5, 39.0]), np.array([33.5, 33.5])).tolist()
        [True, False]
        """
        odd = self.crossings_north(lon, lat) % 2 == 1
        return odd != self.north_pole_inside

    def outside_bound(self, points_ecef: FloatArray) -> FloatArray:
        """A proven lower bound on the distance from each point to the ring, for points
        outside the ring's bounding ball.

        Parameters
        ----------
        points_ecef : ndarray of float
            Earth-centred coordinates (m), shape ``(n, 3)``; see
            :func:`~service.geodesy.to_ecef`.

        Returns
        -------
        ndarray of float
            Metres, one per point; ≤ 0 (no bound) for points inside the ball.
        """
        diff = points_ecef - self._centre
        return np.sqrt(np.einsum("ij,ij->i", diff, diff)) - self._reach


class GeodesicPolygon:
    """A polygon with geodesic edges and optional holes on WGS84.

    Closed: points on the boundary are inside. Each ring's interior is the smaller of
    the two regions it bounds, whatever its orientation; polygons may contain a pole and
    cross the antimeridian.

    Parameters
    ----------
    rings : sequence of (lon, lat) array pairs
        Exterior first, then holes; degrees, longitudes then latitudes.

    Raises
    ------
    GeodesyError
        If there is no ring, or a ring is degenerate (see :class:`Ring`).

    Examples
    --------
    >>> square = GeodesicPolygon([([37, 38, 38, 37], [33, 33, 34, 34])])
    >>> [round(float(d)) for d in square.signed_distance([37.5, 39.0], [33.5, 33.5])]
    [-46461, 92921]
    """

    def __init__(self, rings: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]]) -> None:
        if not rings:
            raise GeodesyError("a polygon needs an exterior ring", "coordinates")
        self.rings = [Ring(lon, lat) for lon, lat in rings]
        exterior = self.rings[0]
        self._small = exterior.area_m2 < 2.0e13 and exterior._reach < 5.0e6

    @property
    def area_m2(self) -> float:
        """Geodesic area (m²): the exterior's less its holes'."""
        return self.rings[0].area_m2 - sum(r.area_m2 for r in self.rings[1:])

    @property
    def perimeter_m(self) -> float:
        """Geodesic length (m) of every ring, exterior and holes."""
        return sum(r.perimeter_m for r in self.rings)

    def contains(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> BoolArray:
        """Whether each point is inside the polygon, the boundary included.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of bool
            Shaped like ``lon``: ``signed_distance <= 0``.

        Raises
        ------
        GeodesyError
            If a point is not a finite position with latitude in [-90, 90].

        Examples
        --------
        >>> square = GeodesicPolygon([([37, 38, 38, 37], [33, 33, 34, 34])])
        >>> square.contains([37.5, 39.0], [33.5, 33.5]).tolist()
        [True, False]
        """
        return self.signed_distance(lon, lat) <= 0.0

    def boundary_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact geodesic distance from each point to the nearest edge of any ring.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Metres, ≥ 0, one per point (flattened to 1-D); unsigned.

        Raises
        ------
        GeodesyError
            If a point is not a finite position with latitude in [-90, 90].
        """
        lon_a, lat_a = as_lonlat(lon, lat)
        return np.min(
            [ring.boundary.distance(lon_a, lat_a).distance_m for ring in self.rings], axis=0
        )

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact signed distance (m) to the boundary: negative inside, 0 on it (inside).

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Shaped like ``lon``; within 1 mm of the true distance to the nearest edge.

        Raises
        ------
        GeodesyError
            If a point is not a finite position with latitude in [-90, 90].
        """
        lon_a, lat_a = as_lonlat(lon, lat)
        flat_lon, flat_lat = lon_a.ravel(), lat_a.ravel()
        distance = self.boundary_distance(flat_lon, flat_lat)
        inside = self.rings[0].contains(flat_lon, flat_lat)
        for hole in self.rings[1:]:
            inside &= ~hole.contains(flat_lon, flat_lat)
        return np.where(inside, -distance, distance).reshape(lon_a.shape)

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven bounds ``(low, high)`` on the signed distance (m) from cheap geometry: a
        point beyond the exterior's bounding ball is outside by at least its gap to the
        ball (for exteriors that fit in a cap well under a hemisphere). ``high`` is +inf.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        low, high : ndarray of float
            Metres, shaped like ``lon``: ``low`` is -inf where no bound is claimed,
            ``high`` is +inf.
        """
        lon_a, lat_a = as_lonlat(lon, lat)
        low = np.full(lon_a.shape, -np.inf)
        if self._small:
            gap = self.rings[0].outside_bound(to_ecef(lon_a.ravel(), lat_a.ravel()))
            low = np.where(gap > 0, gap, -np.inf).reshape(lon_a.shape)
        return low, np.full(lon_a.shape, np.inf)
