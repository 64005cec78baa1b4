"""The shapes of features and zones: one protocol, and the registry of zone shapes by name.

Every feature's geometry is a :class:`Shape`: a site is a :class:`PointShape`, a route a
:class:`RouteShape`, an area an :class:`AreaShape`. Every zone is a :class:`ZoneShape`,
built from its rule by the entry for its shape's name in :data:`SHAPES`:

* ``circle``: a :class:`~service.rules.model.CircleRule` makes a :class:`CircleShape`
  (an exact geodesic circle), which follows its centre site if it has one;
* ``corridor``: a :class:`~service.rules.model.CorridorRule` makes a
  :class:`CorridorShape`, which follows its route;
* ``polygon``: a :class:`~service.rules.model.PolygonRule` makes an :class:`AreaShape`
  of the zone's own geometry, which follows nothing.

Nothing else in the service tells shapes apart: verdicts, measurements, display polygons
and uncertainty inheritance all go through the protocol. (The wire format's side of each
shape, its fields and what they require, is ``schemas.feature.SHAPE_VARIANTS``.)

Conventions
-----------
* Points come as two arrays, longitudes then latitudes, in degrees (GeoJSON order); the
  scalar twins take two floats in the same order.
* Lengths are metres; azimuths degrees clockwise from true north, in [0, 360).
* Signed distances are negative inside a shape, zero on its boundary and positive outside.
  Shapes are closed: a point on the boundary (signed distance 0) is inside. Sites and
  routes have no inside; their signed distance is the plain distance (never negative).
* Bounds are proven: ``low <= signed_distance <= high`` for every point, whatever
  floating-point rounding does, so a verdict they settle is the exact verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from service.geodesy import (
    WGS84,
    Circle,
    Corridor,
    GeodesicPolygon,
    Polyline,
    PolylineDistance,
    circle_polygon,
    corridor_polygon,
)
from service.geodesy.ellipsoid import FloatArray, as_lonlat, normalize_azimuth, normalize_longitude
from service.rules.errors import ReferenceDataError
from service.rules.model import CircleRule, CorridorRule, Feature, PolygonRule

#: A GeoJSON geometry object, as loaded.
Geometry = dict[str, Any]

#: What :meth:`ZoneShape.display` returns: a GeoJSON geometry to draw (or ``None``) and its
#: measured maximum error in metres (``None`` where the geometry is the zone's own data).
Display = tuple[Geometry | None, float | None]

#: How a builder asks for a feature a zone refers to: ``lookup(ref, kind, field)`` returns
#: the geometry of the feature with id ``ref``, which must be of ``kind``, or raises
#: :class:`~service.rules.errors.ReferenceDataError` naming ``zone.<field>``.
Lookup = Callable[[str, str, str], Geometry]


@dataclass
class Measurement:
    """Distances from query points to a feature; every array has one entry per point.

    Attributes
    ----------
    distance_m : ndarray of float
        Geodesic distance (m, ≥ 0) to the nearest point of the feature; 0 inside an area
        or zone.
    azimuth_deg : ndarray of float
        Azimuth at the query point toward the nearest point, degrees in [0, 360).
    nearest_lon, nearest_lat : ndarray of float
        The nearest point of the feature (of a zone's or area's boundary), degrees.
    extra : dict of str to ndarray
        The columns a kind of shape adds: ``along_m``, ``segment``, ``side`` (routes and
        corridors); ``distance_to_boundary_m`` (signed, m) and ``inside`` (areas and
        zones); ``distance_to_center_m`` (circles).
    """

    distance_m: FloatArray
    azimuth_deg: FloatArray
    nearest_lon: FloatArray
    nearest_lat: FloatArray
    extra: dict[str, np.ndarray] = field(default_factory=dict)


class ZoneDistances(NamedTuple):
    """The distances a verdict reports for each point (arrays, one entry per point)."""

    #: Signed geodesic distance to the zone's boundary (m): negative inside.
    boundary_m: FloatArray
    #: Geodesic distance to the centre (m) for shapes that have one; otherwise ``None``.
    centre_m: FloatArray | None


class Bounded(Protocol):
    """What a verdict needs of a shape: the exact signed distance and proven bounds on it.

    A shape may also offer ``verdict_bounds(lon, lat, margin_m) -> int8 array``: the codes
    its own cheapest test makes certain for one margin (m) shared by every point (1 inside,
    0 uncertain, −1 outside, 2 where the exact distance is needed), faster than
    :meth:`boundary_bounds`. :func:`service.rules.verdict.fast_verdicts` uses it when
    present; :class:`CircleShape` offers it (squared chords against thresholds, see
    :meth:`service.geodesy.Circle.verdict_bounds`).
    """

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact signed geodesic distance from each point to the shape's boundary.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Metres; negative inside, 0 on the boundary (which is inside), positive outside.
            Shapes without an inside (sites, routes) give the plain distance.
        """
        ...

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven bounds on :meth:`signed_distance` from cheap straight-line geometry.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        low, high : ndarray of float
            Metres, with ``low <= signed_distance(lon, lat) <= high`` for every point;
            ``-inf`` or ``+inf`` where the shape claims no bound.
        """
        ...


class Shape(Bounded, Protocol):
    """What every feature's geometry answers: a site, a route, an area, or a zone."""

    @property
    def follows(self) -> str | None:
        """Id of the feature whose position this shape is drawn from (a circle's centre
        site, a corridor's route), whose uncertainty it inherits; ``None`` if none."""
        ...

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance, azimuth and nearest point from each point, with the shape's columns.

        Parameters
        ----------
        lon, lat : ndarray of float
            Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths).

        Returns
        -------
        Measurement
            See :class:`Measurement` for the columns each kind of shape adds.
        """
        ...


class ZoneShape(Shape, Protocol):
    """What every zone shape answers, beyond :class:`Shape`: the distances a verdict
    reports (for many points and, fast, for one), its centre, and a polygon to draw."""

    @property
    def centre_point(self) -> tuple[float, float] | None:
        """``(lon, lat)`` in degrees of the zone's centre (a circle's, following its site),
        or ``None`` for shapes without one."""
        ...

    def distances(self, lon: FloatArray, lat: FloatArray) -> ZoneDistances:
        """The signed boundary distance and, where the shape has a centre, the distance to
        it: the distances a verdict reports.

        Parameters
        ----------
        lon, lat : ndarray of float
            Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths).

        Returns
        -------
        ZoneDistances
            ``boundary_m`` (m, negative inside) and ``centre_m`` (m, or ``None`` for
            shapes without a centre).
        """
        ...

    def distances_one(self, lon: float, lat: float) -> tuple[float, float | None]:
        """:meth:`distances` for one point in plain floats (the single-point request path:
        pyproj is several times faster on floats than on one-element arrays).

        Parameters
        ----------
        lon, lat : float
            The point, longitude then latitude (degrees).

        Returns
        -------
        boundary_m : float
            Signed distance to the boundary (m), negative inside.
        centre_m : float or None
            Distance to the centre (m), or ``None`` for shapes without one.
        """
        ...

    def display(self, max_error_m: float) -> Display:
        """A geometry to draw the zone on a flat map, and its measured error.

        Parameters
        ----------
        max_error_m : float
            Largest distance (m) the drawn edges may stray from the true boundary.

        Returns
        -------
        geometry : dict or None
            GeoJSON Polygon or MultiPolygon, split at the antimeridian; or the zone's own
            geometry (possibly ``None``) where no display polygon is made for it.
        max_error_m : float or None
            The error actually measured (m, at most the one asked for), or ``None`` when
            the geometry is the zone's own: a polygon zone's vertices are exact, its
            geodesic edges drawn straight.

        Raises
        ------
        GeodesyError
            If ``max_error_m`` is below 0.01 m, or no polygon can be drawn (a corridor
            within a degree of a pole).
        """
        ...


# -- measuring helpers ----------------------------------------------------------------


def to_point(lon: FloatArray, lat: FloatArray, to_lon: float, to_lat: float) -> Measurement:
    """Distance and azimuth from each point to the point ``(to_lon, to_lat)``.

    Parameters
    ----------
    lon, lat : ndarray of float
        Longitudes, then latitudes, of the query points (degrees, 1-D).
    to_lon, to_lat : float
        The target point (degrees); it is every row's nearest point.

    Returns
    -------
    Measurement
        With no extra columns.
    """
    az, _, dist = WGS84.inv(lon, lat, np.full(lon.shape, to_lon), np.full(lat.shape, to_lat))
    return Measurement(
        np.asarray(dist),
        normalize_azimuth(az),
        np.full(lon.shape, to_lon),
        np.full(lat.shape, to_lat),
    )


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
    """The measurement of a shape with an inside, from its signed distance and the
    nearest boundary point."""
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
    """Distance (m) to the nearest edge of any ring, and that nearest point (degrees)."""
    per_ring = [ring.boundary.distance(lon, lat) for ring in polygon.rings]
    best = np.argmin(np.stack([r.distance_m for r in per_ring]), axis=0)
    pick = np.arange(lon.size)
    d = np.stack([r.distance_m for r in per_ring])[best, pick]
    n_lon = np.stack([r.nearest_lon for r in per_ring])[best, pick]
    n_lat = np.stack([r.nearest_lat for r in per_ring])[best, pick]
    return d, n_lon, n_lat


class _BoundaryOnly:
    """The verdict distances of a zone shape without a centre: the signed distance only."""

    centre_point: tuple[float, float] | None = None

    def distances(self: Bounded, lon: FloatArray, lat: FloatArray) -> ZoneDistances:
        """See :meth:`ZoneShape.distances`; ``centre_m`` is ``None``."""
        return ZoneDistances(self.signed_distance(lon, lat), None)

    def distances_one(self: Bounded, lon: float, lat: float) -> tuple[float, float | None]:
        """See :meth:`ZoneShape.distances_one`; the centre distance is ``None``."""
        return float(self.signed_distance(np.array([lon]), np.array([lat]))[0]), None


# -- feature geometries ---------------------------------------------------------------


class PointShape:
    """A site: distance to one point (no inside).

    Parameters
    ----------
    lon, lat : float
        The site, degrees.
    """

    follows: str | None = None

    def __init__(self, lon: float, lat: float) -> None:
        self.circle = Circle(lon, lat, 1.0)  # reuse the exact inverse and chord bounds
        self.lon, self.lat = self.circle.lon, self.circle.lat

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Geodesic distance (m, ≥ 0) from each point to the site (no inside). See
        :meth:`Bounded.signed_distance`."""
        return self.circle.distance(lon, lat).centre_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven ``(low, high)`` bounds (m) from the chord to the site. See
        :meth:`Bounded.boundary_bounds`."""
        low, high = self.circle.boundary_bounds(lon, lat)
        return low + 1.0, high + 1.0

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance and azimuth to the site (as :func:`to_point`); no extra columns. See
        :meth:`Shape.measure`."""
        return to_point(lon, lat, self.lon, self.lat)


class RouteShape:
    """A route: a LineString or MultiLineString of geodesic segments (no inside).

    Parameters
    ----------
    geometry : dict
        GeoJSON LineString or MultiLineString, ``[lon, lat]`` positions in degrees.
    """

    follows: str | None = None

    def __init__(self, geometry: Geometry) -> None:
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
        """Total geodesic length (m) of every line."""
        return float(sum(line.length_m for line in self.lines))

    def distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> PolylineDistance:
        """Exact distance to the nearest point over every line of the route.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees; results are flattened).

        Returns
        -------
        PolylineDistance
            As :meth:`service.geodesy.Polyline.distance`, with ``along_m`` and ``segment``
            counted across lines, in order, as if they were one.

        Raises
        ------
        GeodesyError
            If a point is not a finite position with latitude in [-90, 90].
        """
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
        """Geodesic distance (m, ≥ 0) to the route (no inside). See
        :meth:`Bounded.signed_distance`."""
        return self.distance(lon, lat).distance_m

    def lower_bound(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """A proven lower bound on each point's distance to the route, from straight-line
        geometry only (see :meth:`service.geodesy.Polyline.distance_lower_bound`).

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Metres, ≥ 0, shaped like ``lon``.
        """
        return np.min([line.distance_lower_bound(lon, lat) for line in self.lines], axis=0)

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven ``(low, +inf)`` bounds (m) from :meth:`lower_bound`. See
        :meth:`Bounded.boundary_bounds`."""
        low = self.lower_bound(lon, lat)
        return low, np.full(low.shape, np.inf)

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance to the nearest point of the route, with ``along_m`` (m from the first
        vertex), ``segment`` (index across lines) and ``side`` (−1 left of the direction
        of travel, +1 right, 0 on the line). See :meth:`Shape.measure`."""
        route = self.distance(lon, lat)
        return Measurement(
            route.distance_m,
            route.azimuth_deg,
            route.nearest_lon,
            route.nearest_lat,
            {"along_m": route.along_m, "segment": route.segment, "side": route.side},
        )


def _polygon_rings(coords: list[Any]) -> GeodesicPolygon:
    rings = [np.asarray(ring, dtype=np.float64)[:, :2] for ring in coords]
    return GeodesicPolygon([(ring[:, 0], ring[:, 1]) for ring in rings])


class AreaShape(_BoundaryOnly):
    """An area, or a polygon zone: a Polygon or MultiPolygon with geodesic edges. Closed:
    the boundary is inside.

    Parameters
    ----------
    geometry : dict
        GeoJSON Polygon or MultiPolygon, ``[lon, lat]`` positions in degrees. Each ring's
        interior is the smaller of the two regions it bounds, whatever its orientation.

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[37, 33], [38, 33], [38, 34], [37, 34]]]}
    >>> area = AreaShape(square)
    >>> round(area.area_m2 / 1e6)
    10306
    >>> bool(area.signed_distance([37.5], [33.5])[0] < 0)
    True
    """

    follows: str | None = None

    def __init__(self, geometry: Geometry) -> None:
        self.geometry = geometry
        if geometry["type"] == "Polygon":
            self.parts = [_polygon_rings(geometry["coordinates"])]
        else:
            self.parts = [_polygon_rings(poly) for poly in geometry["coordinates"]]

    @classmethod
    def build(cls, rule: PolygonRule, feature: Feature, lookup: Lookup) -> AreaShape:
        """The shape of a polygon zone: the zone feature's own geometry (see
        :class:`ShapeKind`).

        Parameters
        ----------
        rule : PolygonRule
            The zone's rule.
        feature : Feature
            The zone feature, whose Polygon or MultiPolygon geometry is the shape.
        lookup : Lookup
            Gives the geometry of a feature the zone refers to (see :data:`Lookup`).
            Unused: a polygon zone refers to nothing.

        Returns
        -------
        AreaShape
            Following nothing.

        Raises
        ------
        ReferenceDataError
            If the zone feature has no geometry.
        GeodesyError
            If a ring is degenerate (see :class:`service.geodesy.Ring`).
        """
        if feature.geometry is None:
            raise ReferenceDataError(["a polygon zone needs Polygon geometry"])
        return cls(feature.geometry)

    @property
    def area_m2(self) -> float:
        """Geodesic area (m²), holes excluded."""
        return sum(p.area_m2 for p in self.parts)

    @property
    def perimeter_m(self) -> float:
        """Geodesic length (m) of every ring, holes included."""
        return sum(p.perimeter_m for p in self.parts)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact signed distance (m) to the boundary of the nearest part: negative inside.
        See :meth:`Bounded.signed_distance`."""
        lon_a, lat_a = as_lonlat(lon, lat)
        signed = np.stack([p.signed_distance(lon_a, lat_a) for p in self.parts])
        inside = np.any(signed <= 0, axis=0)
        # Inside some part: how deep in the deepest part; outside all: the nearest gap.
        return np.where(inside, signed.min(axis=0), np.abs(signed).min(axis=0))

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven ``(low, +inf)`` bounds (m): a point beyond every part's bounding ball is
        outside by at least its gap to the nearest ball. See
        :meth:`Bounded.boundary_bounds`."""
        lows = np.stack([p.boundary_bounds(lon, lat)[0] for p in self.parts])
        low = lows.min(axis=0)
        return low, np.full(low.shape, np.inf)

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance (0 inside) to the nearest boundary point, with the signed
        ``distance_to_boundary_m`` and ``inside``. See :meth:`Shape.measure`."""
        signed = self.signed_distance(lon, lat)
        parts = [_polygon_nearest(p, lon, lat) for p in self.parts]
        best = np.argmin(np.stack([p[0] for p in parts]), axis=0)
        pick = np.arange(lon.size)
        n_lon = np.stack([p[1] for p in parts])[best, pick]
        n_lat = np.stack([p[2] for p in parts])[best, pick]
        return _signed_area_measure(signed, n_lon, n_lat, lon, lat)

    def display(self, max_error_m: float) -> Display:
        """The geometry itself, with no stated error: its vertices are exact and its
        geodesic edges are drawn straight. See :meth:`ZoneShape.display`."""
        return self.geometry, None


# -- zone shapes --------------------------------------------------------------------


class CircleShape:
    """A circle zone, kept exact: a centre and a geodesic radius, never a polygon.

    Parameters
    ----------
    circle : service.geodesy.Circle
        The circle (centre in degrees, radius in metres).
    follows : str or None
        Id of the site the centre was taken from, if any.

    Examples
    --------
    >>> from service.geodesy import Circle
    >>> zone = CircleShape(Circle(38.6178, 33.5058, 55_000.0))
    >>> boundary_m, centre_m = zone.distances_one(38.6178, 33.0)
    >>> round(centre_m), round(boundary_m)
    (56098, 1098)
    """

    def __init__(self, circle: Circle, follows: str | None = None) -> None:
        self.circle = circle
        self.follows = follows

    def __repr__(self) -> str:
        return f"CircleShape({self.circle!r}, follows={self.follows!r})"

    @classmethod
    def build(cls, rule: CircleRule, feature: Feature, lookup: Lookup) -> CircleShape:
        """The shape of a circle zone (see :class:`ShapeKind`).

        Parameters
        ----------
        rule : CircleRule
            The zone's rule; a centre given as a site id follows that site.
        feature : Feature
            The zone feature (unused: a circle has no geometry of its own).
        lookup : Lookup
            Gives the geometry of a feature the zone refers to (see :data:`Lookup`).

        Returns
        -------
        CircleShape

        Raises
        ------
        ReferenceDataError
            If the centre names no site with geometry.
        GeodesyError
            If the centre or radius is out of range (see :class:`service.geodesy.Circle`).
        """
        if isinstance(rule.centre, str):
            lon, lat = lookup(rule.centre, "site", "centre")["coordinates"][:2]
            return cls(Circle(lon, lat, rule.radius_m), follows=rule.centre)
        lon, lat = rule.centre
        return cls(Circle(lon, lat, rule.radius_m))

    @property
    def centre_point(self) -> tuple[float, float]:
        """``(lon, lat)`` of the centre in degrees."""
        return self.circle.lon, self.circle.lat

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact ``distance to the centre − radius`` (m). See
        :meth:`Bounded.signed_distance`."""
        return self.circle.signed_distance(lon, lat)

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven bounds (m), ~0.2 m apart 55 km out (see
        :meth:`service.geodesy.Circle.boundary_bounds`). See
        :meth:`Bounded.boundary_bounds`."""
        return self.circle.boundary_bounds(lon, lat)

    def verdict_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike, margin_m: float
    ) -> npt.NDArray[np.int8]:
        """The fast verdict hook (see :class:`Bounded`): squared chords against thresholds
        computed once.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).
        margin_m : float
            The verdict margin (m, ≥ 0) shared by every point.

        Returns
        -------
        ndarray of int8
            1 inside, 0 uncertain, −1 outside where certain, 2 where only the exact
            distance can tell; see :meth:`service.geodesy.Circle.verdict_bounds`.
        """
        return self.circle.verdict_bounds(lon, lat, margin_m)

    def distances(self, lon: FloatArray, lat: FloatArray) -> ZoneDistances:
        """Signed boundary distance and distance to the centre (m); one inverse problem a
        point answers both. See :meth:`ZoneShape.distances`."""
        distance = self.circle.distance(lon, lat)
        return ZoneDistances(distance.boundary_m, distance.centre_m)

    def distances_one(self, lon: float, lat: float) -> tuple[float, float | None]:
        """:meth:`distances` for one point, in floats (see :meth:`ZoneShape.distances_one`)."""
        boundary, centre, _ = self.circle.distance_one(lon, lat)
        return boundary, centre

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance (0 inside) to the nearest boundary point, which lies on the radius
        through the query point, with ``distance_to_boundary_m``, ``inside`` and
        ``distance_to_center_m``. See :meth:`Shape.measure`."""
        circle = self.circle
        dist = circle.distance(lon, lat)
        n_lon, n_lat = _boundary_offset(
            np.full(lon.shape, circle.lon),
            np.full(lat.shape, circle.lat),
            lon,
            lat,
            circle.radius_m,
        )
        m = _signed_area_measure(dist.boundary_m, n_lon, n_lat, lon, lat)
        m.extra["distance_to_center_m"] = dist.centre_m
        return m

    def display(self, max_error_m: float) -> Display:
        """A polygon within ``max_error_m`` of the circle (see
        :func:`service.geodesy.circle_polygon`) and its measured error. See
        :meth:`ZoneShape.display`."""
        display = circle_polygon(self.circle, max_error_m)
        return display.geometry, display.max_error_m


class CorridorShape(_BoundaryOnly):
    """A corridor zone: every point within ``half_width_m`` of a route (round ends and
    joins: the true buffer).

    Parameters
    ----------
    route : RouteShape
        The centre line.
    half_width_m : float
        Geodesic half-width (m), > 0.
    follows : str or None
        Id of the route feature, whose uncertainty the corridor inherits.
    geometry : dict or None
        The zone feature's own geometry, drawn where no display polygon is made (a route
        of several lines).
    """

    def __init__(
        self,
        route: RouteShape,
        half_width_m: float,
        follows: str | None = None,
        geometry: Geometry | None = None,
    ) -> None:
        # Corridor validates the width; one per line so display polygons can be built.
        self.corridors = [Corridor(line, half_width_m) for line in route.lines]
        self.route = route
        self.half_width_m = float(half_width_m)
        self.follows = follows
        self.geometry = geometry

    @classmethod
    def build(cls, rule: CorridorRule, feature: Feature, lookup: Lookup) -> CorridorShape:
        """The shape of a corridor zone, following its route (see :class:`ShapeKind`).

        Parameters
        ----------
        rule : CorridorRule
            The zone's rule.
        feature : Feature
            The zone feature; its geometry, if any, is what :meth:`display` falls back on.
        lookup : Lookup
            Gives the geometry of a feature the zone refers to (see :data:`Lookup`).

        Returns
        -------
        CorridorShape

        Raises
        ------
        ReferenceDataError
            If the route names no route with geometry.
        GeodesyError
            If the route or half-width is invalid (see :class:`service.geodesy.Corridor`).
        """
        route = RouteShape(lookup(rule.route, "route", "route"))
        return cls(route, rule.half_width_m, follows=rule.route, geometry=feature.geometry)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact ``distance to the route − half width`` (m). See
        :meth:`Bounded.signed_distance`."""
        return self.route.signed_distance(lon, lat) - self.half_width_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven ``(low, +inf)`` bounds (m) from the route's lower bound. See
        :meth:`Bounded.boundary_bounds`."""
        low = self.route.lower_bound(lon, lat) - self.half_width_m
        return low, np.full(low.shape, np.inf)

    def measure(self, lon: FloatArray, lat: FloatArray) -> Measurement:
        """Distance (0 inside) to the nearest edge point, half a width from the nearest
        centre-line point toward the query point, with ``distance_to_boundary_m``,
        ``inside`` and the route's ``along_m``, ``segment`` and ``side``. See
        :meth:`Shape.measure`."""
        route = self.route.distance(lon, lat)
        signed = route.distance_m - self.half_width_m
        n_lon, n_lat = _boundary_offset(
            route.nearest_lon, route.nearest_lat, lon, lat, self.half_width_m
        )
        on_line = route.distance_m == 0
        n_lon = np.where(on_line, route.nearest_lon, n_lon)
        n_lat = np.where(on_line, route.nearest_lat, n_lat)
        m = _signed_area_measure(signed, n_lon, n_lat, lon, lat)
        m.extra.update(along_m=route.along_m, segment=route.segment, side=route.side)
        return m

    def display(self, max_error_m: float) -> Display:
        """A polygon within ``max_error_m`` of the corridor (see
        :func:`service.geodesy.corridor_polygon`); a route of several lines gets none,
        and the zone's own geometry is returned instead. See :meth:`ZoneShape.display`."""
        if len(self.corridors) != 1:
            return self.geometry, None
        display = corridor_polygon(self.corridors[0], max_error_m)
        return display.geometry, display.max_error_m


def geometry_shape(geometry: Geometry) -> Shape:
    """The shape of a feature that has no zone rule, by GeoJSON type.

    Parameters
    ----------
    geometry : dict
        GeoJSON, ``[lon, lat]`` positions in degrees.

    Returns
    -------
    Shape
        A :class:`PointShape` for a Point, a :class:`RouteShape` for a LineString or
        MultiLineString, an :class:`AreaShape` for anything else (Polygon or
        MultiPolygon).

    Raises
    ------
    GeodesyError
        If the geometry is degenerate or a position is out of range.

    Examples
    --------
    >>> type(geometry_shape({"type": "Point", "coordinates": [38.2672, 34.56]})).__name__
    'PointShape'
    """
    kind = geometry["type"]
    if kind == "Point":
        return PointShape(*geometry["coordinates"][:2])
    if kind in ("LineString", "MultiLineString"):
        return RouteShape(geometry)
    return AreaShape(geometry)


# -- the registry -------------------------------------------------------------------

R = TypeVar("R")


@dataclass(frozen=True)
class ShapeKind(Generic[R]):
    """One zone shape as the reference set knows it.

    Attributes
    ----------
    rule : type
        Its rule variant (a dataclass in :mod:`service.rules.model`), whose ``shape`` tag
        is the name the shape is registered under.
    build : callable
        ``build(rule, feature, lookup) -> ZoneShape``: the zone's shape from its rule, the
        zone feature, and a :data:`Lookup` for the features it refers to. Raises
        :class:`~service.geodesy.GeodesyError` or
        :class:`~service.rules.errors.ReferenceDataError` for inconsistent data.
    """

    rule: type[R]
    build: Callable[[R, Feature, Lookup], ZoneShape]


#: Every zone shape by name (``properties.zone.shape``). A new shape is one entry here,
#: one rule variant in :mod:`service.rules.model`, one class implementing
#: :class:`ZoneShape`, one variant in :mod:`schemas.feature` and one in ``openapi.yaml``.
SHAPES: dict[str, ShapeKind[Any]] = {
    "circle": ShapeKind(CircleRule, CircleShape.build),
    "corridor": ShapeKind(CorridorRule, CorridorShape.build),
    "polygon": ShapeKind(PolygonRule, AreaShape.build),
}
