"""Circle zones: exact verdicts against GeographicLib, including points within a metre of
the 55 km boundary, and the cheap bounds never contradicting the exact answer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.geodesy import Circle, GeodesyError
from service.geodesy.circle import CHORD_SQUARED_SLACK_M2
from service.geodesy.ellipsoid import to_ecef
from tests.geodesy import oracle
from tests.geodesy.shapes import AL_TANF

ZONE = Circle(*AL_TANF, 55_000.0)


def _ring_points(offsets_m: list[float], count: int = 36) -> tuple[np.ndarray, np.ndarray]:
    lons, lats = [], []
    for az in np.linspace(0, 360, count, endpoint=False):
        for off in offsets_m:
            out = oracle.WGS84.Direct(AL_TANF[1], AL_TANF[0], az, 55_000.0 + off)
            lons.append(out["lon2"])
            lats.append(out["lat2"])
    return np.array(lons), np.array(lats)


def test_points_within_a_metre_of_the_boundary() -> None:
    lon, lat = _ring_points([-1.0, -0.01, -0.002, 0.002, 0.01, 1.0])
    got = ZONE.signed_distance(lon, lat)
    expected = np.array(
        [oracle.distance(x, y, *AL_TANF) - 55_000.0 for x, y in zip(lon, lat, strict=True)]
    )
    assert np.max(np.abs(got - expected)) < 1e-6
    assert np.array_equal(got <= 0, expected <= 0)


def test_bounds_bracket_the_exact_distance_and_are_tight() -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(36.0, 41.0, 20_000)
    lat = rng.uniform(31.5, 35.5, 20_000)
    low, high = ZONE.boundary_bounds(lon, lat)
    exact = ZONE.signed_distance(lon, lat)
    assert np.all(low <= exact)
    assert np.all(exact <= high)
    near = np.abs(exact) < 5_000
    assert np.max((high - low)[near]) < 0.5  # metres: the fast path decides almost all


def test_squared_chords_stay_well_within_their_slack() -> None:
    """The verdict fast path's |P|² + |C|² − 2 P·C form against plain differences of
    Earth-centred coordinates: worldwide, and near the centre where it cancels most."""
    rng = np.random.default_rng(11)
    for _ in range(12):
        centre = rng.uniform(-180, 180), float(np.degrees(np.arcsin(rng.uniform(-1, 1))))
        lon = np.concatenate([rng.uniform(-180, 180, 50_000), centre[0] + rng.normal(0, 1, 50_000)])
        lat = np.concatenate(
            [
                np.degrees(np.arcsin(rng.uniform(-1, 1, 50_000))),
                np.clip(centre[1] + rng.normal(0, 1, 50_000), -90, 90),
            ]
        )
        difference = to_ecef(lon, lat) - to_ecef(*centre)
        plain = np.einsum("ij,ij->i", difference, difference)
        error = np.abs(Circle(*centre, 10_000.0).chord_squared(lon, lat) - plain)
        assert error.max() < CHORD_SQUARED_SLACK_M2 / 4


@given(
    st.floats(-180, 180),
    st.floats(-89.9, 89.9),
    st.floats(1.0, 2_000_000.0),
    st.floats(0, 360),
    st.floats(-2_000.0, 2_000.0),
)
def test_random_circles_worldwide(
    lon: float, lat: float, radius: float, az: float, off: float
) -> None:
    circle = Circle(lon, lat, radius)
    dist = max(0.0, radius + off)
    p = oracle.WGS84.Direct(lat, lon, az, dist)
    expected = oracle.distance(p["lon2"], p["lat2"], lon, lat) - radius
    got = circle.signed_distance([p["lon2"]], [p["lat2"]])[0]
    assert got == pytest.approx(expected, abs=1e-6)
    low, high = circle.boundary_bounds([p["lon2"]], [p["lat2"]])
    assert low[0] <= got <= high[0]


def test_circle_around_a_pole_and_across_the_antimeridian() -> None:
    polar = Circle(0.0, 89.5, 100_000.0)
    assert polar.contains_pole(north=True)
    assert polar.signed_distance([123.0], [90.0])[0] < 0
    dateline = Circle(180.0, 0.0, 50_000.0)
    assert dateline.signed_distance([-179.8], [0.0])[0] < 0
    assert dateline.signed_distance([179.8], [0.0])[0] < 0


def test_scalar_and_array_paths_agree() -> None:
    b, centre, az = ZONE.distance_one(38.2, 33.9)
    arr = ZONE.distance([38.2], [33.9])
    assert b == pytest.approx(arr.boundary_m[0], abs=1e-9)
    assert centre == pytest.approx(arr.centre_m[0], abs=1e-9)
    assert az == pytest.approx(arr.azimuth_to_centre_deg[0], abs=1e-9)


@pytest.mark.parametrize("radius", [0.0, -5.0, float("nan"), float("inf"), 2e7])
def test_bad_radius(radius: float) -> None:
    with pytest.raises(GeodesyError, match="radius_m"):
        Circle(38.0, 34.0, radius)
