"""Every shape against the shape protocol: signed distances against GeographicLib, bounds
that really bound, measurements whose nearest point is on the boundary, display polygons
within their stated error, and what each shape follows."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from schemas.feature import SHAPE_VARIANTS, ZoneRuleSchema
from schemas.feature import SHAPES as WIRE_SHAPES
from service.geodesy import GeodesyError, direct
from service.rules.model import CircleRule, CorridorRule, Feature, PolygonRule
from service.rules.reference import ReferenceSet
from service.rules.shapes import SHAPES, AreaShape, CircleShape, PointShape, RouteShape, Shape
from service.rules.verdict import verdict_codes
from tests.geodesy import oracle
from tests.geodesy.shapes import AL_TANF

#: Distances are the true minimum to 1 mm (DESIGN §2); circles to a micrometre.
TOLERANCE_M = 1e-3

ROAD = [(36.9, 33.7), (37.3, 33.85), (37.7, 34.1)]
SIDE_ROAD = [(38.3, 34.6), (38.8, 34.9)]
TRIANGLE = [(37.0, 33.0), (39.0, 33.0), (38.0, 35.0)]
SQUARE = [(39.5, 34.0), (40.0, 34.0), (40.0, 34.5), (39.5, 34.5)]


def _ring(vertices: list[tuple[float, float]]) -> list[list[float]]:
    return [list(v) for v in [*vertices, vertices[0]]]


FEATURES = [
    Feature(
        "garrison", "Garrison", "site", {"type": "Point", "coordinates": list(AL_TANF)}, 2000.0
    ),
    Feature("road", "Road", "route", {"type": "LineString", "coordinates": ROAD}, 700.0),
    Feature(
        "two-roads",
        "Two roads",
        "route",
        {"type": "MultiLineString", "coordinates": [ROAD, SIDE_ROAD]},
        300.0,
    ),
    Feature(
        "lands",
        "Lands",
        "area",
        {"type": "MultiPolygon", "coordinates": [[_ring(TRIANGLE)], [_ring(SQUARE)]]},
        100.0,
    ),
    Feature(
        "site-circle",
        "Site circle",
        "zone",
        None,
        10.0,
        zone=CircleRule(centre="garrison", radius_m=55_000.0),
    ),
    Feature(
        "point-circle",
        "Point circle",
        "zone",
        None,
        20.0,
        zone=CircleRule(centre=(37.5, 34.0), radius_m=30_000.0),
    ),
    Feature(
        "corridor",
        "Corridor",
        "zone",
        None,
        30.0,
        zone=CorridorRule(route="road", half_width_m=5_000.0),
    ),
    Feature(
        "two-road-corridor",
        "Two-road corridor",
        "zone",
        {"type": "Polygon", "coordinates": [_ring(SQUARE)]},
        0.0,
        zone=CorridorRule(route="two-roads", half_width_m=2_000.0),
    ),
    Feature(
        "triangle",
        "Triangle",
        "zone",
        {"type": "Polygon", "coordinates": [_ring(TRIANGLE)]},
        40.0,
        zone=PolygonRule(),
    ),
]
REFERENCE = ReferenceSet(FEATURES, 1)
ZONES = ["site-circle", "point-circle", "corridor", "triangle"]
ALL = ["garrison", "road", "two-roads", "lands", *ZONES, "two-road-corridor"]


def _shape(feature_id: str) -> Shape:
    return REFERENCE.shape(REFERENCE.resolve(feature_id))


def _oracle_signed(feature_id: str, lon: float, lat: float) -> float:
    """Signed distance (m, negative inside) by GeographicLib and brute force only."""
    if feature_id == "garrison":
        return oracle.distance(lon, lat, *AL_TANF)
    if feature_id == "site-circle":
        return oracle.distance(lon, lat, *AL_TANF) - 55_000.0
    if feature_id == "point-circle":
        return oracle.distance(lon, lat, 37.5, 34.0) - 30_000.0
    if feature_id == "road":
        return oracle.polyline_distance(lon, lat, ROAD)
    if feature_id == "corridor":
        return oracle.polyline_distance(lon, lat, ROAD) - 5_000.0
    if feature_id == "triangle":
        gap = oracle.polyline_distance(lon, lat, [*TRIANGLE, TRIANGLE[0]])
        return -gap if oracle.winding_contains(lon, lat, TRIANGLE) else gap
    raise AssertionError(feature_id)


def _probe_points(feature_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Scattered points, plus points 0.5 m either side of the boundary: from scattered
    points toward their nearest boundary point (as the shape measures it)."""
    rng = np.random.default_rng(zlib.crc32(feature_id.encode()))
    lon, lat = rng.uniform(36.5, 39.5, 10), rng.uniform(32.8, 35.0, 10)
    m = _shape(feature_id).measure(lon, lat)
    gap = m.distance_m[:4]
    near = direct(lon[:4], lat[:4], m.azimuth_deg[:4], gap + 0.5)
    near_out = direct(lon[:4], lat[:4], m.azimuth_deg[:4], np.maximum(gap - 0.5, 0.0))
    keep = gap > 1.0  # points already inside have no outside approach
    return (
        np.concatenate([lon, near.lon[keep], near_out.lon[keep]]),
        np.concatenate([lat, near.lat[keep], near_out.lat[keep]]),
    )


@pytest.mark.parametrize("feature_id", ["garrison", "road", *ZONES])
def test_signed_distance_matches_the_oracle(feature_id: str) -> None:
    lon, lat = _probe_points(feature_id)
    got = _shape(feature_id).signed_distance(lon, lat)
    expected = np.array([_oracle_signed(feature_id, x, y) for x, y in zip(lon, lat, strict=True)])
    assert np.max(np.abs(got - expected)) < TOLERANCE_M
    # Closed shapes: the sign is right even half a metre from the boundary.
    assert np.array_equal(got <= 0, expected <= 0)


@pytest.mark.parametrize("feature_id", ALL)
def test_bounds_bound_the_exact_distance_and_decide_far_points(feature_id: str) -> None:
    rng = np.random.default_rng(3)
    near_lon, near_lat = _probe_points(feature_id)
    lon = np.concatenate([rng.uniform(33.0, 43.0, 3_000), near_lon])
    lat = np.concatenate([rng.uniform(30.0, 37.0, 3_000), near_lat])
    shape = _shape(feature_id)
    low, high = shape.boundary_bounds(lon, lat)
    exact = shape.signed_distance(lon, lat)
    assert np.all(low <= exact)
    assert np.all(exact <= high)
    # Useful, not just true: points a few hundred km away are settled as outside.
    far = exact > 300_000
    assert far.any() and np.all(low[far] > 0)


def test_the_circle_verdict_hook_never_contradicts_the_exact_verdict() -> None:
    shape = REFERENCE.zone_shape(REFERENCE.resolve("site-circle"))
    assert isinstance(shape, CircleShape)
    az = np.linspace(0, 360, 720, endpoint=False)
    offsets = np.repeat([-2_500.0, -0.01, 0.0, 0.01, 1_900.0, 2_100.0], az.size)
    p = direct(AL_TANF[0], AL_TANF[1], np.tile(az, 6), 55_000.0 + offsets)
    exact = shape.signed_distance(p.lon, p.lat)
    for margin in (0.0, 2_000.0):
        codes = shape.verdict_bounds(p.lon, p.lat, margin)
        decided = codes != 2
        assert decided.mean() > 0.5
        assert np.array_equal(codes[decided], verdict_codes(exact, margin)[decided])


@pytest.mark.parametrize("feature_id", [*ZONES, "two-road-corridor"])
def test_verdict_distances_agree_with_the_signed_distance_one_point_or_many(
    feature_id: str,
) -> None:
    shape = REFERENCE.zone_shape(REFERENCE.resolve(feature_id))
    lon, lat = _probe_points(feature_id)
    boundary, centre = shape.distances(lon, lat)
    assert np.array_equal(boundary, shape.signed_distance(lon, lat))
    for i in range(lon.size):
        one_boundary, one_centre = shape.distances_one(float(lon[i]), float(lat[i]))
        assert one_boundary == pytest.approx(boundary[i], abs=1e-9)
        if centre is None:
            assert one_centre is None
        else:
            assert one_centre == pytest.approx(centre[i], abs=1e-9)
    if shape.centre_point is None:
        assert centre is None
    else:
        assert centre is not None
        expected = [
            oracle.distance(x, y, *shape.centre_point) for x, y in zip(lon, lat, strict=True)
        ]
        assert np.max(np.abs(centre - expected)) < 1e-6


@pytest.mark.parametrize("feature_id", ["lands", *ZONES, "two-road-corridor"])
def test_measure_finds_the_nearest_boundary_point(feature_id: str) -> None:
    shape = _shape(feature_id)
    lon, lat = _probe_points(feature_id)
    m = shape.measure(lon, lat)
    signed = shape.signed_distance(lon, lat)
    assert np.array_equal(m.extra["distance_to_boundary_m"], signed)
    assert np.array_equal(m.extra["inside"], signed <= 0)
    assert np.array_equal(m.distance_m, np.maximum(signed, 0.0))
    # The nearest point is on the boundary, |signed| away, in the stated direction.
    on_boundary = shape.signed_distance(m.nearest_lon, m.nearest_lat)
    assert np.max(np.abs(on_boundary)) < TOLERANCE_M
    for i in range(lon.size):
        args = (lon[i], lat[i], m.nearest_lon[i], m.nearest_lat[i])
        assert oracle.distance(*args) == pytest.approx(abs(signed[i]), abs=TOLERANCE_M)
        if abs(signed[i]) > 1.0:
            assert oracle.azimuth(*args) == pytest.approx(m.azimuth_deg[i], abs=1e-6)


def test_measure_columns_of_each_kind() -> None:
    lon, lat = np.r_[37.1, 38.0], np.r_[33.8, 33.4]
    assert set(_shape("garrison").measure(lon, lat).extra) == set()
    assert set(_shape("road").measure(lon, lat).extra) == {"along_m", "segment", "side"}
    assert set(_shape("lands").measure(lon, lat).extra) == {"distance_to_boundary_m", "inside"}
    assert set(_shape("triangle").measure(lon, lat).extra) == {"distance_to_boundary_m", "inside"}
    circle = {"distance_to_boundary_m", "inside", "distance_to_center_m"}
    assert set(_shape("site-circle").measure(lon, lat).extra) == circle
    corridor = {"distance_to_boundary_m", "inside", "along_m", "segment", "side"}
    assert set(_shape("corridor").measure(lon, lat).extra) == corridor


def test_sites_and_routes_measure_against_the_oracle() -> None:
    lon, lat = np.r_[37.1, 38.0, 36.8], np.r_[33.8, 33.4, 33.9]
    site = _shape("garrison").measure(lon, lat)
    route = _shape("road").measure(lon, lat)
    for i in range(lon.size):
        assert site.distance_m[i] == pytest.approx(
            oracle.distance(lon[i], lat[i], *AL_TANF), abs=1e-6
        )
        assert site.azimuth_deg[i] == pytest.approx(
            oracle.azimuth(lon[i], lat[i], *AL_TANF), abs=1e-6
        )
        expected = oracle.polyline_distance(lon[i], lat[i], ROAD)
        assert route.distance_m[i] == pytest.approx(expected, abs=TOLERANCE_M)
        # along_m is the distance along the road to the nearest point.
        seg = int(route.extra["segment"][i])
        start = sum(oracle.distance(*ROAD[k], *ROAD[k + 1]) for k in range(seg))
        along = start + oracle.distance(*ROAD[seg], route.nearest_lon[i], route.nearest_lat[i])
        assert route.extra["along_m"][i] == pytest.approx(along, abs=TOLERANCE_M)


def test_a_route_of_several_lines_counts_along_and_segments_across_them() -> None:
    lon, lat = np.r_[38.5], np.r_[34.8]  # nearest the second line
    both = RouteShape({"type": "MultiLineString", "coordinates": [ROAD, SIDE_ROAD]})
    second = RouteShape({"type": "LineString", "coordinates": SIDE_ROAD})
    got, alone = both.measure(lon, lat), second.measure(lon, lat)
    assert got.distance_m[0] == alone.distance_m[0]
    first_length = RouteShape({"type": "LineString", "coordinates": ROAD}).length_m
    assert got.extra["along_m"][0] == pytest.approx(first_length + alone.extra["along_m"][0])
    assert got.extra["segment"][0] == len(ROAD) - 1 + alone.extra["segment"][0]


def _vertices(geometry: dict) -> np.ndarray:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return np.array([v for polygon in polygons for ring in polygon for v in ring])


@pytest.mark.parametrize("feature_id", ["site-circle", "point-circle", "corridor"])
@pytest.mark.parametrize("max_error_m", [20.0, 200.0])
def test_display_polygons_are_within_their_stated_error(
    feature_id: str, max_error_m: float
) -> None:
    shape = REFERENCE.zone_shape(REFERENCE.resolve(feature_id))
    geometry, error = shape.display(max_error_m)
    assert geometry is not None and geometry["type"] == "Polygon"
    assert error is not None and error <= max_error_m
    vertices = _vertices(geometry)
    # Vertices are on the boundary; midway along each drawn edge is within the error.
    assert np.max(np.abs(shape.signed_distance(vertices[:, 0], vertices[:, 1]))) < max_error_m
    mid = np.array([(a + b) / 2 for a, b in itertools.pairwise(vertices)])
    worst = max(abs(_oracle_signed(feature_id, x, y)) for x, y in mid[:: max(1, len(mid) // 40)])
    assert worst <= error * 1.05 + 1e-6
    with pytest.raises(GeodesyError):
        shape.display(0.001)


def test_zones_without_a_display_polygon_are_drawn_from_their_own_geometry() -> None:
    triangle = REFERENCE.resolve("triangle")
    assert REFERENCE.zone_shape(triangle).display(10.0) == (triangle.geometry, None)
    # No display polygon is made for a corridor over several lines.
    corridor = REFERENCE.resolve("two-road-corridor")
    assert REFERENCE.zone_shape(corridor).display(10.0) == (corridor.geometry, None)


@pytest.mark.parametrize(
    ("feature_id", "follows", "centre"),
    [
        ("garrison", None, None),
        ("road", None, None),
        ("lands", None, None),
        ("site-circle", "garrison", AL_TANF),
        ("point-circle", None, (37.5, 34.0)),
        ("corridor", "road", None),
        ("two-road-corridor", "two-roads", None),
        ("triangle", None, None),
    ],
)
def test_what_each_shape_follows(
    feature_id: str, follows: str | None, centre: tuple[float, float] | None
) -> None:
    assert _shape(feature_id).follows == follows
    assert REFERENCE.circle_centre(REFERENCE.resolve(feature_id)) == centre


def test_non_zone_shapes_are_the_plain_geometry_classes() -> None:
    assert type(_shape("garrison")) is PointShape
    assert type(_shape("road")) is RouteShape
    assert type(_shape("lands")) is AreaShape


# -- the registry ---------------------------------------------------------------------

PROTOCOL = (
    "signed_distance",
    "boundary_bounds",
    "measure",
    "follows",
    "centre_point",
    "distances",
    "distances_one",
    "display",
)


def test_the_registry_and_the_wire_format_name_the_same_shapes() -> None:
    assert tuple(SHAPES) == WIRE_SHAPES == tuple(SHAPE_VARIANTS)
    for name, kind in SHAPES.items():
        assert kind.rule.shape == name
        # The rule schema carries every variant's fields.
        assert issubclass(ZoneRuleSchema, SHAPE_VARIANTS[name].schema)


def _lookup(ref: str, kind: str, field: str) -> dict:
    feature = REFERENCE.resolve(ref)
    assert feature.kind == kind and feature.geometry is not None
    return feature.geometry


@pytest.mark.parametrize("feature_id", [*ZONES, "two-road-corridor"])
def test_every_registered_builder_makes_a_zone_shape(feature_id: str) -> None:
    zone = REFERENCE.resolve(feature_id)
    assert zone.zone is not None
    built = SHAPES[zone.zone.shape].build(zone.zone, zone, _lookup)
    for member in PROTOCOL:
        assert hasattr(built, member), member
    lon, lat = _probe_points(feature_id)
    assert np.array_equal(
        built.signed_distance(lon, lat), REFERENCE.zone_shape(zone).signed_distance(lon, lat)
    )
