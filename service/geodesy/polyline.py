"""Distance from points to a polyline made of geodesic segments.

The answer is the true minimum over every segment: for each point, the nearest point on
the line, the index of its segment, the distance along the line from its first vertex,
and the side of the line (left or right of the direction of travel).

How it stays exact and fast
---------------------------
For every (point, segment) pair a cheap, proven lower bound is computed from Earth-centred
coordinates: the straight-line distance from the point to the segment's chord, less the
largest gap between the geodesic arc and its chord (``sagitta``). A geodesic distance is
never shorter than the straight line, so no segment whose bound exceeds an exact distance
already found can hold the nearest point. Only the segment with the smallest bound, and
the few others whose bound is still below that segment's exact distance, are solved
exactly.

The exact solve finds the foot of the perpendicular on a segment: starting from the chord
projection it moves along the geodesic by the spherical right-triangle step
``atan(tan(d/R)·cos θ)`` (θ is the angle between the segment and the direction to the
point). At the fixed point θ = 90°, so the step's model error only slows convergence; it
never biases the answer. Iteration stops when the step is below 1 µm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.geodesy.ellipsoid import (
    BOUND_SLACK_M,
    MAX_GEODESIC_CURVATURE,
    MEAN_RADIUS_M,
    WGS84,
    FloatArray,
    as_lonlat,
    geodesic_upper_bound,
    normalize_azimuth,
    normalize_longitude,
    to_ecef,
)
from service.geodesy.errors import GeodesyError

IntArray = npt.NDArray[np.intp]

#: Segments longer than this (m) also have both ends checked, because on very long
#: geodesics the distance to a point need not be unimodal along the segment.
_LONG_SEGMENT_M = 1_000_000.0
_STEP_TOLERANCE_M = 1e-6
_MAX_ITERATIONS = 60
#: Points per chunk are chosen so the (points × blocks) bound matrix stays ~1M cells.
_CELLS_PER_CHUNK = 1 << 20

LEFT = -1
ON_LINE = 0
RIGHT = 1


@dataclass(frozen=True)
class PolylineDistance:
    """Distances from points to a polyline; every field is an array with one entry per
    point."""

    #: Geodesic distance to the nearest point of the line (m, ≥ 0).
    distance_m: FloatArray
    #: Nearest point on the line, degrees.
    nearest_lon: FloatArray
    nearest_lat: FloatArray
    #: Index of the segment holding the nearest point (0 = first vertex to second).
    segment: IntArray
    #: Distance along the line from its first vertex to the nearest point (m).
    along_m: FloatArray
    #: -1 left of the direction of travel, +1 right, 0 on the line.
    side: npt.NDArray[np.int8]
    #: Azimuth at the query point toward the nearest point, degrees in [0, 360).
    azimuth_deg: FloatArray


def sagitta_bound(length_m: FloatArray) -> FloatArray:
    """Largest straight-line distance (m) between a geodesic arc of ``length_m`` and its
    chord.

    A curve whose curvature never exceeds κ stays inside the lens bounded by the two circle
    arcs of radius 1/κ through its ends, whose half-thickness is ``(1 − cos(κL/2))/κ`` for
    κL ≤ π. The bound is doubled as a safety factor (it costs centimetres of pruning);
    arcs too long for the lemma get ``+inf`` and are never pruned.

    Parameters
    ----------
    length_m : ndarray of float
        Geodesic lengths of the arcs (m).

    Returns
    -------
    ndarray of float
        Upper bounds (m) on each arc's distance from its chord.
    """
    kappa = MAX_GEODESIC_CURVATURE
    half_angle = kappa * length_m / 2.0
    lens = (1.0 - np.cos(np.minimum(half_angle, np.pi / 2))) / kappa
    return np.where(half_angle < np.pi / 2, 2.0 * lens, np.inf)


class Polyline:
    """A line of geodesic segments between consecutive vertices.

    Parameters
    ----------
    lon, lat : array_like
        Vertices in degrees, longitudes then latitudes, in order of travel. Consecutive
        repeated vertices are dropped; at least two distinct vertices must remain.

    Raises
    ------
    GeodesyError
        If a vertex is not a valid position or fewer than two distinct vertices remain.

    Examples
    --------
    >>> road = Polyline([36.9, 37.3, 37.7], [33.7, 33.85, 34.1])
    >>> round(road.length_m), road.segment_count
    (86825, 2)
    >>> near = road.distance([37.3], [33.9])
    >>> int(near.segment[0]), int(near.side[0])  # north of the road heading east: left
    (1, -1)
    """

    def __init__(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
        lon_a, lat_a = as_lonlat(lon, lat, "line vertex")
        if lon_a.ndim != 1 or lon_a.size < 2:
            raise GeodesyError("a line needs at least two vertices", "coordinates")
        az12, _, length = WGS84.inv(lon_a[:-1], lat_a[:-1], lon_a[1:], lat_a[1:])
        length = np.asarray(length)
        keep = np.concatenate([[True], length > 0.0])
        lon_a, lat_a = lon_a[keep], lat_a[keep]
        if lon_a.size < 2:
            raise GeodesyError("a line needs at least two distinct vertices", "coordinates")
        az12, _, length = WGS84.inv(lon_a[:-1], lat_a[:-1], lon_a[1:], lat_a[1:])
        self.lon: FloatArray = lon_a
        self.lat: FloatArray = lat_a
        self.segment_azimuth_deg: FloatArray = np.asarray(az12, dtype=np.float64)
        self.segment_length_m: FloatArray = np.asarray(length, dtype=np.float64)
        self.cumulative_m: FloatArray = np.concatenate([[0.0], np.cumsum(self.segment_length_m)])
        ecef = to_ecef(lon_a, lat_a)
        self._chord_start = ecef[:-1]
        self._chord_vec = ecef[1:] - ecef[:-1]
        self._chord_len_sq = np.einsum("ij,ij->i", self._chord_vec, self._chord_vec)
        self._sagitta = sagitta_bound(self.segment_length_m)
        self._sagitta_slack = self._sagitta + BOUND_SLACK_M
        # Chord start (3), chord vector (3), 1/|chord|², sagitta + slack: one packed row per
        # segment, so a pair needs a single gather.
        self._segment_table = np.column_stack(
            [
                self._chord_start,
                self._chord_vec,
                1.0 / np.maximum(self._chord_len_sq, 1e-300),
                self._sagitta_slack,
            ]
        )
        # Direction of travel at each segment's far end (forward azimuth there).
        _, back, _ = WGS84.inv(lon_a[:-1], lat_a[:-1], lon_a[1:], lat_a[1:])
        self._end_azimuth_deg = np.asarray(back, dtype=np.float64) + 180.0
        # Consecutive segments grouped in at most ~64 blocks, each with a bounding ball
        # (centre, radius) that holds its vertices, hence its chords, plus the sagitta.
        count = self.segment_length_m.size
        self._block_size = max(1, round(count / 64))
        self._block_first = np.arange(0, count, self._block_size)
        self._block_end = np.minimum(self._block_first + self._block_size, count)
        centres, radii = [], []
        for first, end in zip(self._block_first, self._block_end, strict=True):
            vertices = ecef[first : end + 1]
            centre = vertices.mean(axis=0)
            reach = np.sqrt(((vertices - centre) ** 2).sum(axis=1)).max()
            centres.append(centre)
            radii.append(reach + self._sagitta[first:end].max())
        self._block_centre = np.array(centres)
        self._block_radius = np.array(radii)
        self._block_norm_sq = np.einsum("ij,ij->i", self._block_centre, self._block_centre)
        self._block_radius_slack = self._block_radius + BOUND_SLACK_M

    @property
    def length_m(self) -> float:
        """Total geodesic length of the line (m)."""
        return float(self.cumulative_m[-1])

    @property
    def segment_count(self) -> int:
        """Number of geodesic segments (vertices less one, after dropping repeats)."""
        return int(self.segment_length_m.size)

    # -- bounds -------------------------------------------------------------------------

    def _pair_bounds(
        self, px: FloatArray, py: FloatArray, pz: FloatArray, segs: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """Proven lower bound (m) on the distance from point k (Earth-centred ``px, py, pz``)
        to segment ``segs[k]``, and the parameter (0..1) of the nearest chord point."""
        table = self._segment_table[segs]  # one gather of packed rows
        dx = px - table[..., 0]
        dy = py - table[..., 1]
        dz = pz - table[..., 2]
        vx, vy, vz = table[..., 3], table[..., 4], table[..., 5]
        t = (dx * vx + dy * vy + dz * vz) * table[..., 6]
        np.clip(t, 0.0, 1.0, out=t)
        dx -= t * vx
        dy -= t * vy
        dz -= t * vz
        bound = np.sqrt(dx * dx + dy * dy + dz * dz)
        bound -= table[..., 7]
        np.maximum(bound, 0.0, out=bound)
        return bound, t

    def _block_bounds(self, points_ecef: FloatArray) -> FloatArray:
        """Proven lower bounds (m), shaped (points, blocks), on the distance from each point
        to every segment of each block: the geodesic is never shorter than the straight
        line, and each block's arcs lie inside its bounding ball."""
        # |P − c|² = |P|² + |c|² − 2 P·c as one matrix product. Cancellation costs at most
        # ~0.1 m² (terms ~4e13 m², a few ulp each), covered by the 1 m² added below.
        square = points_ecef @ (-2.0 * self._block_centre.T)
        square += np.einsum("ij,ij->i", points_ecef, points_ecef)[:, None]
        square += self._block_norm_sq[None, :] - 1.0
        dist = np.sqrt(np.maximum(square, 0.0), out=square)
        dist -= self._block_radius_slack[None, :]
        return dist

    def _expand_blocks(self, rows: IntArray, blocks: IntArray) -> tuple[IntArray, IntArray]:
        """All (row, segment) pairs for the segments of the given (row, block) pairs."""
        segs = self._block_first[blocks][:, None] + np.arange(self._block_size)[None, :]
        valid = segs < self._block_end[blocks][:, None]
        rows2 = np.broadcast_to(rows[:, None], segs.shape)
        return rows2[valid], segs[valid]

    def distance_lower_bound(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """A proven lower bound (m) on each point's distance to the line, computed without
        any geodesic (only Earth-centred straight lines): cheap pre-filter for
        "certainly farther than X".

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Metres, ≥ 0, never more than :meth:`distance` gives; shaped like ``lon``.
        """
        lon_a, lat_a = as_lonlat(lon, lat)
        points = to_ecef(lon_a.ravel(), lat_a.ravel())
        return np.maximum(self._block_bounds(points).min(axis=1), 0.0).reshape(lon_a.shape)

    # -- exact distance -----------------------------------------------------------------

    def distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> PolylineDistance:
        """Exact distance from each point to the line, with the nearest point.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the query points in degrees (any shape;
            results are flattened to 1-D).

        Returns
        -------
        PolylineDistance
            Within 1 mm of the true minimum over every segment: the distance (m, ≥ 0),
            the nearest point, its segment and distance along the line, the side of the
            line and the azimuth toward the nearest point.
        """
        lon_a, lat_a = as_lonlat(lon, lat)
        flat_lon = np.ascontiguousarray(lon_a.ravel())
        flat_lat = np.ascontiguousarray(lat_a.ravel())
        n = flat_lon.size
        result: dict[str, np.ndarray] = {
            "distance_m": np.empty(n),
            "nearest_lon": np.empty(n),
            "nearest_lat": np.empty(n),
            "segment": np.empty(n, dtype=np.intp),
            "along_m": np.empty(n),
            "side": np.empty(n, dtype=np.int8),
            "azimuth_deg": np.empty(n),
        }
        chunk = max(1, _CELLS_PER_CHUNK // self._block_first.size)
        for begin in range(0, n, chunk):
            end = min(n, begin + chunk)
            part = self._distance_chunk(flat_lon[begin:end], flat_lat[begin:end])
            for key in result:
                result[key][begin:end] = part[key]
        return PolylineDistance(**result)

    def _distance_chunk(self, lon: FloatArray, lat: FloatArray) -> dict[str, np.ndarray]:
        n = lon.size
        np.arange(n)
        points = to_ecef(lon, lat)
        px, py, pz = (np.ascontiguousarray(c) for c in points.T)
        block_bounds = self._block_bounds(points)
        # An upper bound on each point's distance from the segments of its most promising
        # block: the chord point nearest the point lies within the sagitta of the arc, and
        # a chord c bounds the geodesic by the Schur bound U(c).
        first_block = np.argmin(block_bounds, axis=1)
        segs = self._block_first[first_block][:, None] + np.arange(self._block_size)[None, :]
        np.minimum(segs, self._block_end[first_block][:, None] - 1, out=segs)
        bounds, _ = self._pair_bounds(px[:, None], py[:, None], pz[:, None], segs)
        upper = self._upper_bound(bounds, segs).min(axis=1)
        # Every segment whose lower bound is below that upper bound is a candidate; all
        # others provably hold no nearer point.
        cand_rows, cand_blocks = np.nonzero(block_bounds < upper[:, None])
        pair_rows, pair_segs = self._expand_blocks(cand_rows, cand_blocks)
        bounds, chord_t = self._pair_bounds(px[pair_rows], py[pair_rows], pz[pair_rows], pair_segs)
        pair_upper = self._upper_bound(bounds, pair_segs)
        np.minimum.at(upper, pair_rows, pair_upper)
        keep = bounds <= upper[pair_rows]
        pair_rows, pair_segs, chord_t = pair_rows[keep], pair_segs[keep], chord_t[keep]
        solved = self._solve_pairs(lon, lat, pair_rows, pair_segs, chord_t)
        # Smallest distance per point. Pairs come grouped by point (every point has at
        # least one: its nearest segment) in segment order, so the first minimum of each
        # group is the earliest along the line: no sort needed.
        starts = np.flatnonzero(np.r_[True, pair_rows[1:] != pair_rows[:-1]])
        sizes = np.diff(np.r_[starts, pair_rows.size])
        minima = np.minimum.reduceat(solved["distance_m"], starts)
        hits = np.flatnonzero(solved["distance_m"] == np.repeat(minima, sizes))
        first_hit = np.r_[True, pair_rows[hits[1:]] != pair_rows[hits[:-1]]]
        pick = hits[first_hit]
        return {key: values[pick] for key, values in solved.items()}

    def _upper_bound(self, lower: FloatArray, segs: IntArray) -> FloatArray:
        """Upper bound (m) on the geodesic distance matching a lower bound from
        :meth:`_pair_bounds` (which subtracted the sagitta and slack)."""
        chord = lower + 2.0 * self._sagitta_slack[segs]
        return geodesic_upper_bound(chord) + BOUND_SLACK_M

    def _points_along(
        self, segs: IntArray, s: FloatArray, length: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Position and direction of travel (azimuth, degrees) at distance ``s`` along each
        segment; segment ends come from the vertex table, interior points from the direct
        problem."""
        at_start = s <= 0.0
        at_end = s >= length
        x_lon = np.where(
            at_start, self.lon[segs], self.lon[np.minimum(segs + 1, self.lon.size - 1)]
        )
        x_lat = np.where(
            at_start, self.lat[segs], self.lat[np.minimum(segs + 1, self.lat.size - 1)]
        )
        travel = np.where(at_start, self.segment_azimuth_deg[segs], self._end_azimuth_deg[segs])
        inside = np.nonzero(~(at_start | at_end))[0]
        if inside.size:
            i_segs = segs[inside]
            lon2, lat2, back = WGS84.fwd(
                self.lon[i_segs], self.lat[i_segs], self.segment_azimuth_deg[i_segs], s[inside]
            )
            x_lon[inside] = lon2
            x_lat[inside] = lat2
            travel[inside] = np.asarray(back) + 180.0
        return x_lon, x_lat, travel

    def _solve_pairs(
        self,
        lon: FloatArray,
        lat: FloatArray,
        rows: IntArray,
        segs: IntArray,
        chord_t: FloatArray,
    ) -> dict[str, np.ndarray]:
        """Exact nearest point on segment ``segs[k]`` to point ``rows[k]``."""
        p_lon = lon[rows]
        p_lat = lat[rows]
        a_lon = self.lon[segs]
        a_lat = self.lat[segs]
        azi = self.segment_azimuth_deg[segs]
        length = self.segment_length_m[segs]
        s = chord_t * length
        n = rows.size
        x_lon, x_lat, travel = np.empty(n), np.empty(n), np.empty(n)
        to_p, from_p, d = np.empty(n), np.empty(n), np.empty(n)
        active = np.arange(n)
        # A point nearest a vertex starts two pairs at that vertex: the end of one segment
        # and the start of the next (pairs come grouped by point, in segment order). The
        # first inverse from there is solved once for both.
        shared = np.zeros(n, dtype=bool)
        next_segment = (rows[1:] == rows[:-1]) & (segs[1:] == segs[:-1] + 1)
        shared[1:] = next_segment & (s[:-1] >= length[:-1]) & (s[1:] <= 0.0)
        for iteration in range(_MAX_ITERATIONS + 1):
            a_x_lon, a_x_lat, a_travel = self._points_along(segs[active], s[active], length[active])
            if iteration == 0:
                a_to_p, a_from_p, a_d = _inverse_once(a_x_lon, a_x_lat, p_lon, p_lat, shared)
            else:
                a_to_p, a_from_p, a_d = WGS84.inv(a_x_lon, a_x_lat, p_lon[active], p_lat[active])
            theta = np.radians(np.asarray(a_to_p) - a_travel)
            sigma = np.asarray(a_d) / MEAN_RADIUS_M
            step = MEAN_RADIUS_M * np.arctan2(np.sin(sigma) * np.cos(theta), np.cos(sigma))
            new_s = np.clip(s[active] + step, 0.0, length[active])
            # Converged where the next step is below tolerance: the current point is the
            # foot of the perpendicular (or a clamped end) to within 1 µm along the line.
            done = (np.abs(new_s - s[active]) <= _STEP_TOLERANCE_M) | (iteration == _MAX_ITERATIONS)
            finished = active[done]
            x_lon[finished] = np.asarray(a_x_lon)[done]
            x_lat[finished] = np.asarray(a_x_lat)[done]
            travel[finished] = a_travel[done]
            to_p[finished] = np.asarray(a_to_p)[done]
            from_p[finished] = np.asarray(a_from_p)[done]
            d[finished] = np.asarray(a_d)[done]
            s[active[~done]] = new_s[~done]
            active = active[~done]
            if active.size == 0:
                break

        long_rows = np.nonzero(length > _LONG_SEGMENT_M)[0]
        for end_index in (segs, segs + 1):
            if long_rows.size == 0:
                break
            e_lon = self.lon[end_index[long_rows]]
            e_lat = self.lat[end_index[long_rows]]
            e_to_p, e_from_p, e_d = WGS84.inv(e_lon, e_lat, p_lon[long_rows], p_lat[long_rows])
            better = np.asarray(e_d) < d[long_rows]
            idx = long_rows[better]
            d[idx] = np.asarray(e_d)[better]
            x_lon[idx] = e_lon[better]
            x_lat[idx] = e_lat[better]
            to_p[idx] = np.asarray(e_to_p)[better]
            from_p[idx] = np.asarray(e_from_p)[better]
            s[idx] = 0.0 if end_index is segs else length[idx]
            if end_index is not segs:
                # Travel direction at the far end is the segment's forward azimuth there.
                _, _, end_back = WGS84.fwd(a_lon[idx], a_lat[idx], azi[idx], length[idx])
                travel[idx] = np.asarray(end_back) + 180.0
            else:
                travel[idx] = azi[idx]

        cross = np.sin(np.radians(to_p - travel))
        side = np.where(d == 0.0, ON_LINE, np.where(cross > 0, RIGHT, LEFT)).astype(np.int8)
        return {
            "distance_m": d,
            "nearest_lon": normalize_longitude(x_lon),
            "nearest_lat": x_lat,
            "segment": segs.astype(np.intp),
            "along_m": self.cumulative_m[segs] + s,
            "side": side,
            "azimuth_deg": normalize_azimuth(from_p),
        }


def _inverse_once(
    x_lon: FloatArray, x_lat: FloatArray, p_lon: FloatArray, p_lat: FloatArray, repeat: np.ndarray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``WGS84.inv`` from each x to each p, where ``repeat[k]`` says that pair k is pair k − 1
    again (same two points): those are copied, not solved."""
    solve = np.flatnonzero(~repeat)
    results = WGS84.inv(x_lon[solve], x_lat[solve], p_lon[solve], p_lat[solve])
    # Each repeated pair takes the answer of the last solved pair before it.
    source = np.searchsorted(solve, np.arange(repeat.size), side="right") - 1
    to_p, from_p, distance = (np.asarray(r)[source] for r in results)
    return to_p, from_p, distance
