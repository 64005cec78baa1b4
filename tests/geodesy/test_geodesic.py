"""Inverse and direct problems against Karney's GeodTest set and GeographicLib."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.geodesy import GeodesyError, direct, direct_one, inverse, inverse_one
from tests.geodesy import oracle
from tests.helpers import SHARED

GEODTEST = SHARED / "data" / "geodtest" / "GeodTest-short.dat.gz"

lons = st.floats(-180, 180, allow_nan=False)
lats = st.floats(-90, 90, allow_nan=False)


@pytest.mark.skipif(not GEODTEST.exists(), reason="GeodTest-short.dat.gz not beside the repo")
def test_geodtest_short_distance_and_direct_within_a_micrometre() -> None:
    with gzip.open(GEODTEST, "rt") as stream:
        rows = np.loadtxt(stream)
    lat1, lon1, azi1, lat2, lon2, _azi2, s12 = rows[:, :7].T
    result = inverse(lon1, lat1, lon2, lat2)
    assert np.max(np.abs(result.distance_m - s12)) <= 1e-6
    dest = direct(lon1, lat1, azi1, s12)
    # Compare positions as distances on the ground: longitude is meaningless at the poles.
    miss = inverse(dest.lon, dest.lat, lon2, lat2).distance_m
    assert np.max(miss) <= 1e-6


@given(lons, lats, lons, lats)
def test_inverse_matches_geographiclib(lon1: float, lat1: float, lon2: float, lat2: float) -> None:
    dist, az, _ = inverse_one(lon1, lat1, lon2, lat2)
    assert dist == pytest.approx(oracle.distance(lon1, lat1, lon2, lat2), abs=1e-6)
    arr = inverse([lon1], [lat1], [lon2], [lat2])
    assert arr.distance_m[0] == pytest.approx(dist, abs=1e-9)
    assert 0.0 <= az < 360.0


@pytest.mark.parametrize(
    ("lon1", "lat1", "lon2", "lat2", "label"),
    [
        (0.0, 90.0, 45.0, 89.0, "from the north pole"),
        (10.0, -89.999999, -170.0, -89.999999, "across the south pole"),
        (179.9999, 0.0, -179.9999, 0.0, "across the antimeridian"),
        (0.0, 0.0, 179.5, 0.5, "near-antipodal"),
        (0.0, 0.0, 180.0, 0.0, "antipodal on the equator"),
        (38.6178, 33.5058, 38.6178000001, 33.5058000001, "sub-centimetre"),
        (38.0, 34.0, 38.0, 34.0, "identical points"),
    ],
)
def test_hard_cases_against_geographiclib(
    lon1: float, lat1: float, lon2: float, lat2: float, label: str
) -> None:
    dist, _, _ = inverse_one(lon1, lat1, lon2, lat2)
    assert dist == pytest.approx(oracle.distance(lon1, lat1, lon2, lat2), abs=1e-6), label


@given(lons, st.floats(-89.9, 89.9), st.floats(0, 360, exclude_max=True), st.floats(0, 2e7))
def test_direct_then_inverse_round_trip(lon: float, lat: float, az: float, dist: float) -> None:
    lon2, lat2, _ = direct_one(lon, lat, az, dist)
    assert -180.0 <= lon2 < 180.0
    expected = oracle.WGS84.Direct(lat, lon, az, dist)
    miss = oracle.distance(lon2, lat2, expected["lon2"], expected["lat2"])
    assert miss <= 1e-6


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [(float("nan"), 0.0, "lon"), (0.0, float("inf"), "lat"), (0.0, 90.5, "lat"), (0.0, -91, "lat")],
)
def test_bad_coordinates_raise_the_domain_error(lon: float, lat: float, field: str) -> None:
    with pytest.raises(GeodesyError) as err:
        inverse([lon], [lat], [0.0], [0.0])
    assert err.value.field == field
    with pytest.raises(GeodesyError):
        inverse_one(lon, lat, 0.0, 0.0)


def test_negative_distance_is_rejected() -> None:
    with pytest.raises(GeodesyError, match="distance_m"):
        direct(0.0, 0.0, 90.0, -1.0)


def test_azimuths_are_in_range_even_for_tiny_negative_values() -> None:
    result = inverse([0.0], [0.0], [0.0], [1.0])  # due north: azimuth 0, never 360
    assert result.azimuth_deg[0] == 0.0
    assert 0.0 <= result.back_azimuth_deg[0] < 360.0
