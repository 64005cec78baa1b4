"""Distance to polylines: within 1 mm of a brute-force GeographicLib reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.geodesy import LEFT, RIGHT, GeodesyError, Polyline, inverse
from tests.geodesy import oracle
from tests.geodesy.shapes import HIGHWAY

TOLERANCE_M = 1e-3


def test_highway_distances_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(36.0, 39.0, 12)
    lat = rng.uniform(33.0, 35.0, 12)
    line = Polyline(*np.array(HIGHWAY).T)
    got = line.distance(lon, lat)
    for i in range(lon.size):
        expected = oracle.polyline_distance(lon[i], lat[i], HIGHWAY)
        assert got.distance_m[i] == pytest.approx(expected, abs=TOLERANCE_M)
        # The reported nearest point is on the line and at the reported distance.
        miss = oracle.distance(lon[i], lat[i], got.nearest_lon[i], got.nearest_lat[i])
        assert miss == pytest.approx(got.distance_m[i], abs=TOLERANCE_M)


def test_points_within_metres_of_the_highway() -> None:
    line = Polyline(*np.array(HIGHWAY).T)
    # Walk 1.5 m, 0.4 m and 0.0 m off the middle of segment 20, both sides.
    seg = 20
    mid_lon, mid_lat = line.lon[seg], line.lat[seg]
    from service.geodesy import direct

    half = line.segment_length_m[seg] / 2
    centre = direct(mid_lon, mid_lat, line.segment_azimuth_deg[seg], half)
    heading = (line.segment_azimuth_deg[seg] + 0.0) % 360
    for offset in (1.5, 0.4, 0.0):
        for turn, side in ((90.0, RIGHT), (-90.0, LEFT)):
            travel = (float(centre.back_azimuth_deg) + 180.0) % 360.0
            p = direct(centre.lon, centre.lat, travel + turn, offset)
            got = line.distance([p.lon], [p.lat])
            expected = oracle.polyline_distance(float(p.lon), float(p.lat), HIGHWAY)
            assert got.distance_m[0] == pytest.approx(expected, abs=TOLERANCE_M)
            assert got.segment[0] == seg
            if offset > 0:
                assert got.side[0] == side
    assert heading >= 0


@st.composite
def lines_and_points(draw: st.DrawFn) -> tuple[list[tuple[float, float]], float, float]:
    lon0 = draw(st.floats(-180, 180))
    lat0 = draw(st.floats(-85, 85))
    count = draw(st.integers(2, 5))
    coords = [(lon0, lat0)]
    for _ in range(count - 1):
        step = draw(st.floats(1.0, 400_000.0))
        az = draw(st.floats(0, 360))
        lon, lat, _ = oracle_direct(coords[-1], az, step)
        coords.append((lon, lat))
    az = draw(st.floats(0, 360))
    reach = draw(st.sampled_from([0.5, 50.0, 5_000.0, 300_000.0]))
    lon, lat, _ = oracle_direct(coords[draw(st.integers(0, count - 1))], az, reach)
    return coords, lon, lat


def oracle_direct(start: tuple[float, float], az: float, dist: float) -> tuple[float, float, float]:
    out = oracle.WGS84.Direct(start[1], start[0], az, dist)
    return out["lon2"], out["lat2"], out["azi2"]


@given(lines_and_points())
def test_random_lines_worldwide_match_brute_force(
    case: tuple[list[tuple[float, float]], float, float],
) -> None:
    coords, lon, lat = case
    line = Polyline(*np.array(coords).T)
    got = line.distance([lon], [lat])
    expected = oracle.polyline_distance(lon, lat, coords)
    assert got.distance_m[0] == pytest.approx(expected, abs=TOLERANCE_M)
    assert 0.0 <= got.along_m[0] <= line.length_m + 1e-6


def test_line_across_the_antimeridian_and_near_the_pole() -> None:
    coords = [(179.0, 10.0), (-179.0, 10.5), (-170.0, 89.0), (10.0, 89.5)]
    line = Polyline(*np.array(coords).T)
    for lon, lat in [(180.0, 10.2), (-179.9, 9.0), (0.0, 90.0), (-100.0, 88.0)]:
        got = line.distance([lon], [lat])
        assert got.distance_m[0] == pytest.approx(
            oracle.polyline_distance(lon, lat, coords), abs=TOLERANCE_M
        )


def test_along_distance_and_vertex_hits() -> None:
    line = Polyline(*np.array(HIGHWAY).T)
    got = line.distance(line.lon, line.lat)
    assert np.all(got.distance_m < 1e-6)
    assert np.allclose(got.along_m, line.cumulative_m, atol=1e-3)
    total = inverse(line.lon[:-1], line.lat[:-1], line.lon[1:], line.lat[1:]).distance_m.sum()
    assert line.length_m == pytest.approx(total)


def test_lower_bound_never_exceeds_the_exact_distance() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(30, 45, 5000)
    lat = rng.uniform(28, 40, 5000)
    line = Polyline(*np.array(HIGHWAY).T)
    assert np.all(line.distance_lower_bound(lon, lat) <= line.distance(lon, lat).distance_m)


@pytest.mark.parametrize(
    "coords",
    [[(38.0, 34.0)], [(38.0, 34.0), (38.0, 34.0)], [(38.0, float("nan")), (39.0, 34.0)]],
)
def test_degenerate_lines_are_rejected(coords: list[tuple[float, float]]) -> None:
    with pytest.raises(GeodesyError):
        Polyline(*np.array(coords).T)
