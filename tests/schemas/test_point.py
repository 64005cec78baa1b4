"""Every point form users paste, and the errors bad ones get."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from schemas.point import parse_columns, parse_point, parse_point_list
from tests.geodesy import oracle

GARRISON = (33.505833333, 38.617777778)  # 33°30'21"N 38°37'04"E


@pytest.mark.parametrize(
    "text",
    [
        "33°30'21\"N 38°37'04\"E",
        "33°30′21″N, 38°37′04″E",
        "33 30 21 N, 38 37 04 E",
        "N33°30'21\" E38°37'04\"",
        "33d30m21sN 38d37m04sE",
        "33.505833333, 38.617777778",
        "33.505833333 38.617777778",
        "33.505833333N 38.617777778E",
    ],
)
def test_strings_name_the_same_place(text: str) -> None:
    point = parse_point(text)
    assert point["lat"] == pytest.approx(GARRISON[0], abs=1e-8)
    assert point["lon"] == pytest.approx(GARRISON[1], abs=1e-8)


def test_southern_and_western_hemispheres() -> None:
    point = parse_point("33 30 21 S, 38 37 04 W")
    assert point["lat"] < 0 and point["lon"] < 0


@pytest.mark.parametrize(
    ("reference", "accuracy"),
    [("37SDT6450107427", 0.0), ("37S DT 645 074", 70.71), ("37SDT60", 7071.07)],
)
def test_mgrs_is_the_centre_of_its_square(reference: str, accuracy: float) -> None:
    point = parse_point(reference)
    # The 1 m reference lies within a metre of the garrison coordinate it was made from.
    assert oracle.distance(point["lon"], point["lat"], 38.6178, 33.5058) < accuracy + 2.0
    assert point["accuracy_m"] == pytest.approx(accuracy, abs=0.01)


def test_object_and_geojson_forms() -> None:
    assert parse_point({"lat": 33.9, "lon": 38.2, "accuracy_m": 50, "id": "e1"}) == {
        "lat": 33.9,
        "lon": 38.2,
        "accuracy_m": 50.0,
        "id": "e1",
    }
    assert parse_point({"type": "Point", "coordinates": [38.2, 33.9]})["lat"] == 33.9


@pytest.mark.parametrize(
    ("value", "field", "fragment"),
    [
        ({"lat": 133.9, "lon": 38.2}, "lat", "swapped"),
        ({"lat": 33.9, "lon": 238.2}, "lon", "outside"),
        ({"lat": "33.9", "lon": 38.2}, "lat", "number"),
        ({"lat": True, "lon": 38.2}, "lat", "number"),
        ({"lat": 33.9}, "lon", "Missing"),
        ({"lat": 33.9, "lon": 38.2, "alt": 4}, "alt", "Unknown"),
        ({"lat": 33.9, "lon": 38.2, "accuracy_m": -1}, "accuracy_m", "negative"),
        ({"lat": 33.9, "lon": 38.2, "id": [1]}, "id", "string"),
    ],
)
def test_bad_objects_name_the_field(value: dict, field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_point(value)
    assert field in err.value.messages
    assert fragment in " ".join(err.value.messages[field])  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "text", ["hello", "33.5", "95, 38", "33 70 00 N, 38 E", "37SZZ1234", "x" * 300]
)
def test_bad_strings_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_point(text)


def test_columns_are_checked_as_arrays() -> None:
    batch = parse_columns({"lat": [33.9, 34], "lon": [38.2, 38], "id": ["a", "b"]})
    assert batch.lat.tolist() == [33.9, 34.0] and batch.ids == ["a", "b"]
    with pytest.raises(ValidationError) as err:
        parse_columns({"lat": [33.9, 95.0, True], "lon": [38.2, 38.0, 1.0]})
    assert "points.lat.2" in err.value.messages
    with pytest.raises(ValidationError) as err:
        parse_columns({"lat": [33.9, 95.0], "lon": [38.2, 38.0]})
    assert "swapped" in err.value.messages["points.lat.1"][0]  # type: ignore[index]
    with pytest.raises(ValidationError) as err:
        parse_columns({"lat": [1.0], "lon": [1.0, 2.0]})
    assert "points.lon" in err.value.messages


def test_lists_mix_forms_and_report_the_index() -> None:
    batch = parse_point_list(
        [{"lat": 33.9, "lon": 38.2}, "34, 38", {"type": "Point", "coordinates": [38, 34]}]
    )
    assert batch.lat.tolist() == [33.9, 34.0, 34.0]
    with pytest.raises(ValidationError) as err:
        parse_point_list([{"lat": 33.9, "lon": 38.2}, {"lat": 99.0, "lon": 38.2}])
    assert "points.1.lat" in err.value.messages


@pytest.mark.parametrize(
    "lon",
    [[[[]], [[], {"a": 1}]], [[1.0], [2.0, 3.0]], [10**400], [None], [{"x": 1}]],
)
def test_ragged_or_odd_columns_are_refused(lon: list) -> None:
    with pytest.raises(ValidationError):
        parse_columns({"lat": [1.0] * len(lon), "lon": lon})
