"""The marshmallow side of lengths, units and directions: the notation's answers, and its
refusals as ValidationErrors naming the field."""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from schemas.units import Azimuth, Length, UnitName, parse_azimuth, parse_length


class Leg(Schema):
    distance = Length()
    azimuth = Azimuth()
    units = UnitName()


def test_fields_read_the_notation() -> None:
    leg = Leg().load({"distance": "60 km", "azimuth": "south-west", "units": "Miles"})
    assert leg == {"distance": 60000.0, "azimuth": 225.0, "units": "mi"}


def test_refusals_name_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        Leg().load({"distance": "5 parsecs", "azimuth": "up", "units": "furlongs"})
    assert err.value.messages == {
        "distance": ["Unknown unit 'parsecs'; use m, km, mi or nmi."],
        "azimuth": [
            "Must be degrees clockwise from north, or a compass point such as N, NE, SSW, "
            "southwest."
        ],
        "units": ["Must be one of m, km, mi, nmi."],
    }


def test_parse_functions_raise_validation_errors() -> None:
    assert parse_length("3", default_unit="km") == 3000.0 and parse_azimuth(-90) == 270.0
    with pytest.raises(ValidationError) as err:
        parse_length("-5 km")
    assert err.value.messages == ["Must not be negative."]
    with pytest.raises(ValidationError) as err:
        parse_azimuth("nan")
    assert err.value.messages == ["Must be a finite number of degrees."]
