"""The notation people type, read to known answers, and the one range check with its swap
hint, the same from every front end."""

from __future__ import annotations

import doctest
import math
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError
from pyproj import Transformer

import schemas.notation
from schemas.geometry import validate_geometry
from schemas.notation import (
    COMPASS_POINTS,
    SWAP_HINT,
    NotationError,
    lat_lon_errors,
    looks_swapped,
    parse_azimuth_deg,
    parse_length_m,
    parse_point_string,
    parse_unit,
)
from schemas.point import check_lat_lon, parse_columns, parse_point, parse_point_list
from service.annotate import Options
from service.annotate.locate import Locator

GARRISON = (33 + 30 / 60 + 21 / 3600, 38 + 37 / 60 + 4 / 3600)  # 33°30'21"N 38°37'04"E


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(schemas.notation).failed == 0


# -- points -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("33.9, 38.2", 33.9, 38.2),
        ("33.9 38.2", 33.9, 38.2),
        ("33.9;38.2", 33.9, 38.2),
        ("33,9; 38,2", 33.9, 38.2),  # decimal commas
        ("-33.9, +38.2", -33.9, 38.2),
        ("  33 , 38  ", 33.0, 38.0),
    ],
)
def test_decimal_pairs(text: str, lat: float, lon: float) -> None:
    assert parse_point_string(text) == (lat, lon, None)


@pytest.mark.parametrize(
    "text",
    [
        "33°30'21\"N 38°37'04\"E",
        "33°30′21″N, 38°37′04″E",
        "33º30’21”N 38º37’04”E",
        "33 30 21 N, 38 37 04 E",
        "33 30 21 n 38 37 04 e",
        "N33°30'21\" E38°37'04\"",
        "33d30m21sN 38d37m04sE",
        "33 30 21 north, 38 37 04 east",
        "33 30 21; 38 37 04",
        "33 30 21 / 38 37 04",
    ],
)
def test_dms_and_hemispheres(text: str) -> None:
    lat, lon, implied = parse_point_string(text)
    assert (lat, lon) == pytest.approx(GARRISON, abs=1e-12) and implied is None


def test_southern_and_western_hemispheres_are_negative() -> None:
    assert parse_point_string("33 30 S, 38 30 W")[:2] == (-33.5, -38.5)
    assert parse_point_string("-33 30, -38 30")[:2] == (-33.5, -38.5)
    assert parse_point_string("33.5S 38.5W")[:2] == (-33.5, -38.5)


#: WGS84 to UTM zone 37N (easting, northing in metres): an oracle for MGRS in zone 37.
TO_UTM_37N = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)


@pytest.mark.parametrize(
    ("reference", "easting", "northing", "accuracy_m"),
    [
        # Square DT of zone 37 starts at easting 400 km and northing 3,700 km. A reference
        # names a square by its south-west corner; the point is the square's centre, and
        # a coarser square carries its half-diagonal as accuracy.
        ("37SDT6450107427", 464501.5, 3707427.5, 0.0),
        ("37S DT 645 074", 464550.0, 3707450.0, 50 * math.sqrt(2)),
        ("37sdt60", 465000.0, 3705000.0, 5000 * math.sqrt(2)),
    ],
)
def test_mgrs_is_the_centre_of_its_square(
    reference: str, easting: float, northing: float, accuracy_m: float
) -> None:
    lat, lon, implied = parse_point_string(reference)
    assert implied == pytest.approx(accuracy_m)
    assert TO_UTM_37N.transform(lon, lat) == pytest.approx((easting, northing), abs=1e-3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "not a coordinate: use '33.5, 38.6' (lat, lon)"),
        ("33.5", "cannot tell where latitude ends and longitude starts"),
        ("33 N 12 S 38 E", "longitude has more than one hemisphere letter"),
        ("33 E, 38 E", "latitude cannot take hemisphere E"),
        ("33 70 00 N, 38 E", "latitude minutes must be below 60"),
        ("33 30 75 N, 38 E", "latitude seconds must be below 60"),
        ("33 30 21 9 N, 38 E", "latitude must be degrees, optionally with minutes and seconds"),
        ("-33 N, 38 E", "latitude has both a minus sign and a hemisphere"),
        ("37SZZ1234", "not a valid MGRS reference"),
        ("1" * 201, "a point string is at most 200 characters"),
    ],
)
def test_bad_point_strings_say_why(text: str, message: str) -> None:
    with pytest.raises(NotationError) as err:
        parse_point_string(text)
    assert str(err.value).startswith(message)


def test_point_strings_are_not_range_checked_here() -> None:
    assert parse_point_string("133.9, 38.2") == (133.9, 38.2, None)


# -- lengths and directions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "metres"),
    [
        (55000, 55000.0),
        (0.5, 0.5),
        ("60km", 60000.0),
        ("60 km", 60000.0),
        (" 34 mi ", 34 * 1609.344),
        ("5 nmi", 9260.0),
        ("5 nautical miles", 9260.0),
        ("2 Kilometres", 2000.0),
        ("1e3 m", 1000.0),
        ("1500", 1500.0),
        ("0", 0.0),
    ],
)
def test_lengths(value: Any, metres: float) -> None:
    assert parse_length_m(value) == pytest.approx(metres)


def test_a_bare_number_takes_the_default_unit() -> None:
    assert parse_length_m(3, default_unit="km") == parse_length_m("3", "km") == 3000.0
    assert parse_length_m("3 m", default_unit="km") == 3.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12 furlongs", "Unknown unit 'furlongs'; use m, km, mi or nmi."),
        ("km", "Cannot read 'km' as a length; write e.g. '60km' or '34 mi'."),
        ("-5 km", "Must not be negative."),
        ("1e400 m", "Must be a finite length."),
        (math.inf, "Must be a finite length."),
        (True, "Must be a number of metres or a string like '60km'."),
        (None, "Must be a number of metres or a string like '60km'."),
    ],
)
def test_bad_lengths_say_why(value: Any, message: str) -> None:
    with pytest.raises(NotationError, match="^" + message.replace(".", r"\.") + "$"):
        parse_length_m(value)


def test_unit_names() -> None:
    assert [parse_unit(w) for w in ("m", " Metres ", "KM", "miles", "nm")] == [
        "m",
        "m",
        "km",
        "mi",
        "nmi",
    ]
    with pytest.raises(NotationError, match="Must be one of m, km, mi, nmi"):
        parse_unit("parsec")


def test_the_sixteen_compass_points_are_22_5_degrees_apart() -> None:
    assert [parse_azimuth_deg(p) for p in COMPASS_POINTS] == [22.5 * i for i in range(16)]


@pytest.mark.parametrize(
    ("value", "degrees"),
    [
        ("SW", 225.0),
        ("sw", 225.0),
        ("south-west", 225.0),
        ("South West", 225.0),
        ("south_west", 225.0),
        ("southwest", 225.0),
        ("north north east", 22.5),
        ("NorthEast", 45.0),
        ("W", 270.0),
        (90, 90.0),
        ("45", 45.0),
        (-90, 270.0),
        (720.5, 0.5),
        (-1e-20, 0.0),  # x % 360 is 360.0 for tiny negative x: the second % folds it
    ],
)
def test_directions(value: Any, degrees: float) -> None:
    assert parse_azimuth_deg(value) == degrees


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("up", "Must be degrees clockwise from north, or a compass point"),
        ("NNNE", "Must be degrees clockwise from north, or a compass point"),
        ("nan", "Must be a finite number of degrees."),
        (math.inf, "Must be a finite number of degrees."),
        (True, "Must be degrees or a compass direction like 'SW'."),
    ],
)
def test_bad_directions_say_why(value: Any, message: str) -> None:
    with pytest.raises(NotationError) as err:
        parse_azimuth_deg(value)
    assert str(err.value).startswith(message)


# -- the range check and the swap hint --------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (33.9, 38.2, {}),
        (90.0, 180.0, {}),
        (-90.0, -180.0, {}),
        (133.9, 38.2, {"lat": "Latitude 133.9 is outside [-90, 90]. lat and lon may be swapped."}),
        (-95.0, -90.0, {"lat": "Latitude -95.0 is outside [-90, 90]. lat and lon may be swapped."}),
        (180.0, 0.0, {"lat": "Latitude 180.0 is outside [-90, 90]. lat and lon may be swapped."}),
        # Swapped, these would be no valid point either: no hint.
        (200.0, 10.0, {"lat": "Latitude 200.0 is outside [-90, 90]."}),
        (95.0, 120.0, {"lat": "Latitude 95.0 is outside [-90, 90]."}),
        (95.0, 90.5, {"lat": "Latitude 95.0 is outside [-90, 90]."}),
        (33.9, 238.2, {"lon": "Longitude 238.2 is outside [-180, 180]."}),
        (
            100.0,
            200.0,
            {
                "lat": "Latitude 100.0 is outside [-90, 90].",
                "lon": "Longitude 200.0 is outside [-180, 180].",
            },
        ),
        (math.nan, 0.0, {"lat": "Latitude nan is outside [-90, 90]."}),
    ],
)
def test_range_check(lat: float, lon: float, expected: dict[str, str]) -> None:
    assert lat_lon_errors(lat, lon) == expected


finite = st.floats(-400.0, 400.0)


@given(lat=finite, lon=finite)
def test_the_hint_is_given_exactly_when_the_swapped_point_is_valid(lat: float, lon: float) -> None:
    errors = lat_lon_errors(lat, lon)
    assert ("lat" in errors) == (abs(lat) > 90) and ("lon" in errors) == (abs(lon) > 180)
    valid_swapped = abs(lon) <= 90 and abs(lat) <= 180
    hinted = SWAP_HINT in errors.get("lat", "")
    assert hinted == ("lat" in errors and valid_swapped) == looks_swapped(lat, lon)
    assert SWAP_HINT not in errors.get("lon", "")


#: (lat, lon, the latitude's error): one point that looks swapped, one that does not.
OUT_OF_RANGE = [
    (133.9, 38.2, "Latitude 133.9 is outside [-90, 90]. lat and lon may be swapped."),
    (200.0, 10.0, "Latitude 200.0 is outside [-90, 90]."),
]


def _refusal(parse: Any, *args: Any) -> Any:
    with pytest.raises(ValidationError) as err:
        parse(*args)
    return err.value.messages


@pytest.mark.parametrize(("lat", "lon", "message"), OUT_OF_RANGE)
def test_every_schema_gives_the_same_reason(lat: float, lon: float, message: str) -> None:
    assert _refusal(parse_point, {"lat": lat, "lon": lon}) == {"lat": [message]}
    assert _refusal(parse_point, f"{lat}, {lon}") == {"lat": [message]}
    assert _refusal(parse_point, {"type": "Point", "coordinates": [lon, lat]}) == {
        "coordinates": [message]
    }
    columns = {"lat": [1.0, lat], "lon": [1.0, lon]}
    assert _refusal(parse_columns, columns) == {"points.lat.1": [message]}
    points = [{"lat": 1.0, "lon": 1.0}, {"lat": lat, "lon": lon}]
    assert _refusal(parse_point_list, points) == {"points.1.lat": [message]}
    line = {"type": "LineString", "coordinates": [[1.0, 1.0], [lon, lat]]}
    assert _refusal(validate_geometry, line) == [f"coordinates[1]: {message}"]
    errors: dict[str, list[str]] = {}
    check_lat_lon(lat, lon, errors, prefix="point.")
    assert errors == {"point.lat": [message]}


@pytest.mark.parametrize(("lat", "lon", "message"), OUT_OF_RANGE)
def test_the_api_and_annotate_give_the_same_reason(
    client: FlaskClient, lat: float, lon: float, message: str
) -> None:
    one = client.post("/check-zone", json={"point": {"lat": lat, "lon": lon}}).get_json()
    assert one["errors"] == {"point.lat": [message]}
    many = client.post("/check-zone", json={"points": {"lat": [lat], "lon": [lon]}}).get_json()
    assert many["errors"] == {"points.lat.0": [message]}
    ring = [[1.0, 1.0], [2.0, 1.0], [lon, lat], [1.0, 1.0]]
    area = client.post("/area", json={"geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert area.get_json()["errors"] == {"geometry": [f"coordinates[0][2]: {message}"]}
    # annotate: a lat and a lon column, and one column in any point form
    rows = [{"lat": lat, "lon": lon, "where": f"{lat}, {lon}"}]
    for options in (Options(), Options(coord_col="where")):
        located = Locator.for_columns(rows[0].keys(), options).locate(rows)
        assert located.bad == {0: message}
