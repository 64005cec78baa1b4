"""Geodesic polygons: containment against a winding-number oracle on GeographicLib,
signed distance against brute force, and area against GeographicLib's PolygonArea."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.geodesy import GeodesicPolygon, GeodesyError
from tests.geodesy import oracle


@st.composite
def small_rings(draw: st.DrawFn) -> list[tuple[float, float]]:
    """Star-shaped rings of 3–8 vertices, up to ~800 km across, anywhere on Earth."""
    lon0 = draw(st.floats(-180, 180))
    lat0 = draw(st.floats(-80, 80))
    count = draw(st.integers(3, 8))
    start = draw(st.floats(0, 360))
    ring = []
    for k in range(count):
        az = start + k * 360.0 / count + draw(st.floats(-10, 10))
        dist = draw(st.floats(1_000.0, 400_000.0))
        out = oracle.WGS84.Direct(lat0, lon0, az, dist)
        ring.append((out["lon2"], out["lat2"]))
    if draw(st.booleans()):
        ring.reverse()
    return ring


@given(
    small_rings(),
    st.lists(st.tuples(st.floats(0, 360), st.floats(0, 600_000)), min_size=1, max_size=4),
)
def test_containment_matches_winding_oracle(
    ring: list[tuple[float, float]], probes: list[tuple[float, float]]
) -> None:
    polygon = GeodesicPolygon([np.array(ring).T])
    lon0, lat0 = ring[0]
    for az, dist in probes:
        out = oracle.WGS84.Direct(lat0, lon0, az, dist)
        lon, lat = out["lon2"], out["lat2"]
        signed = polygon.signed_distance([lon], [lat])[0]
        if abs(signed) < 1e-3:
            continue  # within 1 mm of the boundary: either verdict is exact enough
        assert (signed < 0) == oracle.winding_contains(lon, lat, ring)


@given(small_rings())
def test_area_and_perimeter_match_geographiclib(ring: list[tuple[float, float]]) -> None:
    polygon = GeodesicPolygon([np.array(ring).T])
    area, perimeter = oracle.polygon_area(ring)
    assert polygon.area_m2 == pytest.approx(area, rel=1e-9)
    assert polygon.perimeter_m == pytest.approx(perimeter, rel=1e-9)


def test_signed_distance_matches_brute_force_and_holes_count() -> None:
    outer = [(37.0, 33.0), (39.0, 33.0), (39.0, 35.0), (37.0, 35.0)]
    hole = [(37.5, 33.5), (38.5, 33.5), (38.5, 34.5), (37.5, 34.5)]
    polygon = GeodesicPolygon([np.array(outer).T, np.array(hole).T])
    for lon, lat, inside in [(37.2, 34.0, True), (38.0, 34.0, False), (39.5, 34.0, False)]:
        got = polygon.signed_distance([lon], [lat])[0]
        expected = min(
            oracle.polyline_distance(lon, lat, [*outer, outer[0]]),
            oracle.polyline_distance(lon, lat, [*hole, hole[0]]),
        )
        assert abs(got) == pytest.approx(expected, abs=1e-3)
        assert (got < 0) == inside
    assert polygon.area_m2 == pytest.approx(
        oracle.polygon_area(outer)[0] - oracle.polygon_area(hole)[0], rel=1e-9
    )


def test_antimeridian_and_polar_rings() -> None:
    across = GeodesicPolygon(
        [np.array([(179.0, -1.0), (-179.0, -1.0), (-179.0, 1.0), (179.0, 1.0)]).T]
    )
    assert list(across.contains([180.0, -179.5, 179.5, 178.0], [0.0, 0.0, 0.0, 0.0])) == [
        True,
        True,
        True,
        False,
    ]
    lons = np.arange(0.0, 360.0, 15.0)
    for lat_ring, lons_order in ((80.0, lons), (80.0, lons[::-1]), (-75.0, lons)):
        cap = GeodesicPolygon([(lons_order, np.full(lons_order.size, lat_ring))])
        pole = 90.0 if lat_ring > 0 else -90.0
        inside_lat = np.sign(lat_ring) * 85.0
        assert list(cap.contains([0.0, 33.0, 10.0], [pole, inside_lat, 0.0])) == [True, True, False]


def test_boundary_points_are_inside() -> None:
    polygon = GeodesicPolygon([np.array([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]).T])
    assert polygon.contains([0.0, 1.0], [0.0, 0.5]).all()


def test_bounds_never_contradict_exact() -> None:
    polygon = GeodesicPolygon([np.array([(37.0, 33.0), (39.0, 33.0), (38.0, 35.0)]).T])
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(30, 46, 3000), rng.uniform(26, 42, 3000)
    low, high = polygon.boundary_bounds(lon, lat)
    exact = polygon.signed_distance(lon, lat)
    assert np.all(low <= exact) and np.all(exact <= high)


@pytest.mark.parametrize(
    ("rings", "message"),
    [
        ([], "exterior"),
        ([np.array([(0.0, 0.0), (1.0, 0.0)]).T], "three distinct"),
        ([np.array([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)]).T], "no area"),
        ([np.array([(0.0, 90.0), (1.0, 80.0), (2.0, 80.0)]).T], "pole"),
    ],
)
def test_degenerate_polygons_are_rejected(rings: list[np.ndarray], message: str) -> None:
    with pytest.raises(GeodesyError, match=message):
        GeodesicPolygon(rings)
