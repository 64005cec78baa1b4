"""Lengths with units (``"60km"``, ``"34 mi"``, ``55000``) and compass directions."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import ValidationError, fields

#: Metres per unit.
UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "nmi": 1852.0}
_ALIASES = {
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "km": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
    "mi": "mi", "mile": "mi", "miles": "mi",
    "nmi": "nmi", "nm": "nmi", "nautical-mile": "nmi", "nautical-miles": "nmi",
}  # fmt: skip
_LENGTH = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z\- ]*)\s*$")

_POINTS = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
]  # fmt: skip
_WORDS = {"north": "N", "east": "E", "south": "S", "west": "W"}


def parse_length(value: Any, default_unit: str = "m") -> float:
    """Metres from a number (in ``default_unit``) or a string like ``"60 km"``."""
    if isinstance(value, bool):
        raise ValidationError("Must be a number of metres or a string like '60km'.")
    if isinstance(value, int | float):
        number, unit = float(value), default_unit
    elif isinstance(value, str):
        match = _LENGTH.match(value)
        if not match:
            raise ValidationError(
                f"Cannot read {value!r} as a length; write e.g. '60km' or '34 mi'."
            )
        number = float(match.group(1))
        word = match.group(2).strip().lower().replace(" ", "-")
        unit = _ALIASES.get(word, "") if word else default_unit
        if not unit:
            raise ValidationError(f"Unknown unit {match.group(2)!r}; use m, km, mi or nmi.")
    else:
        raise ValidationError("Must be a number of metres or a string like '60km'.")
    metres = number * UNITS[unit]
    if not math.isfinite(metres):
        raise ValidationError("Must be a finite length.")
    if metres < 0:
        raise ValidationError("Must not be negative.")
    return metres


def parse_azimuth(value: Any) -> float:
    """Degrees clockwise from north in [0, 360) from a number or a compass word
    (``"SW"``, ``"south-west"``, ``"NNE"``)."""
    if isinstance(value, bool):
        raise ValidationError("Must be degrees or a compass direction like 'SW'.")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValidationError("Must be a finite number of degrees.")
        return float(value) % 360.0 % 360.0
    if isinstance(value, str):
        word = re.sub(r"[\s\-_]+", "", value.strip().lower())
        for name, letter in _WORDS.items():
            word = word.replace(name, letter.lower())
        code = word.upper()
        if code in _POINTS:
            return _POINTS.index(code) * 22.5
        try:
            return parse_azimuth(float(value))
        except ValueError:
            pass
    raise ValidationError(
        "Must be degrees clockwise from north, or a compass point such as N, NE, SSW, southwest."
    )


class Length(fields.Field):
    """A length in metres; accepts numbers (metres) and strings with units."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        return parse_length(value)


class Azimuth(fields.Field):
    """Degrees clockwise from north, or a compass word."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        return parse_azimuth(value)


class UnitName(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        unit = _ALIASES.get(text.strip().lower())
        if unit is None:
            raise ValidationError("Must be one of m, km, mi, nmi.")
        return unit
