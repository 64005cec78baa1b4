"""marshmallow fields for lengths with units (``"60km"``, ``"34 mi"``, ``55000``), unit
names and compass directions; the notation itself is :mod:`schemas.notation`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import ValidationError, fields

from schemas.notation import UNITS, NotationError, parse_azimuth_deg, parse_length_m, parse_unit

__all__ = ["UNITS", "Azimuth", "Length", "UnitName", "parse_azimuth", "parse_length"]

T = TypeVar("T")


def _validated(parse: Callable[..., T], *args: Any) -> T:
    """``parse(*args)``, its :class:`NotationError` raised as a ``ValidationError``."""
    try:
        return parse(*args)
    except NotationError as err:
        raise ValidationError(str(err)) from None


def parse_length(value: Any, default_unit: str = "m") -> float:
    """Metres from a number (in ``default_unit``) or a string like ``"60 km"``
    (:func:`schemas.notation.parse_length_m`); refused with a ``ValidationError``."""
    return _validated(parse_length_m, value, default_unit)


def parse_azimuth(value: Any) -> float:
    """Degrees clockwise from north in [0, 360) from a number or a compass word
    (:func:`schemas.notation.parse_azimuth_deg`); refused with a ``ValidationError``."""
    return _validated(parse_azimuth_deg, value)


class Length(fields.Field):
    """A length in metres; accepts numbers (metres) and strings with units."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        return parse_length(value)


class Azimuth(fields.Field):
    """Degrees clockwise from north, or a compass word."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        return parse_azimuth(value)


class UnitName(fields.String):
    """A unit name or word (``"km"``, ``"miles"``) as a key of :data:`UNITS`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return _validated(parse_unit, text)
