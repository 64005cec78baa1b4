"""The notation people type: points, lengths and compass directions as strings, and the one
range check of a latitude and longitude.

Pure functions, no marshmallow: each returns plain numbers or raises :class:`NotationError`
(a ``ValueError``) whose message says what is wrong and how to write it. The schemas turn
that into a ``ValidationError`` naming the field; ``geocheck annotate`` puts it in the
row's ``geocheck_error``.

* **Points**, latitude first: decimal ``"33.9, 38.2"`` (comma, semicolon or space between;
  a decimal comma is read as a point), hemisphere letters or words ``"33.9N 38.2E"``, DMS
  such as ``33°30'21"N 38°37'04"E`` or ``33 30 21 N, 38 37 04 E``, and MGRS such as
  ``37S BT 56789 12345`` (the centre of the square it names; see
  :func:`parse_point_string`).
* **Lengths**: a number in a default unit, or ``"60 km"``, ``"34 mi"``, ``"5 nmi"``,
  ``"55000 metres"`` (:func:`parse_length_m`).
* **Directions**: degrees clockwise from north, or one of the 16 compass points, as letters
  or words: ``"SW"``, ``"south-west"``, ``"NNE"`` (:func:`parse_azimuth_deg`).
* **Ranges**: :func:`lat_lon_errors` is the one latitude/longitude range check, with the
  one swap hint (:func:`looks_swapped`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import mgrs as mgrs_lib


class NotationError(ValueError):
    """A string (or number) that is not a point, length or direction in any accepted form."""


# -- ranges -----------------------------------------------------------------------------

#: Latitudes lie in [-MAX_LAT_DEG, MAX_LAT_DEG], longitudes in [-MAX_LON_DEG, MAX_LON_DEG].
MAX_LAT_DEG = 90.0
MAX_LON_DEG = 180.0
#: Added to a latitude's range error when :func:`looks_swapped`.
SWAP_HINT = "lat and lon may be swapped."


def looks_swapped(lat: float, lon: float) -> bool:
    """Whether an out-of-range latitude would be a valid point the other way round: the
    latitude fits as a longitude and the longitude as a latitude.

    >>> looks_swapped(133.9, 38.2), looks_swapped(200.0, 10.0), looks_swapped(95.0, 120.0)
    (True, False, False)
    """
    return MAX_LAT_DEG < abs(lat) <= MAX_LON_DEG and abs(lon) <= MAX_LAT_DEG


def lat_lon_errors(lat: float, lon: float) -> dict[str, str]:
    """Range check of one point (degrees): a message for ``"lat"`` and/or ``"lon"`` when out
    of range, nothing when both are in range (closed intervals). NaN is out of range.

    >>> lat_lon_errors(133.9, 38.2)
    {'lat': 'Latitude 133.9 is outside [-90, 90]. lat and lon may be swapped.'}
    >>> lat_lon_errors(33.9, 38.2)
    {}
    """
    errors = {}
    if not -MAX_LAT_DEG <= lat <= MAX_LAT_DEG:
        hint = f" {SWAP_HINT}" if looks_swapped(lat, lon) else ""
        errors["lat"] = f"Latitude {float(lat)} is outside [-90, 90].{hint}"
    if not -MAX_LON_DEG <= lon <= MAX_LON_DEG:
        errors["lon"] = f"Longitude {float(lon)} is outside [-180, 180]."
    return errors


# -- points -----------------------------------------------------------------------------

_NUMBER = r"[+-]?\d+(?:[.,]\d+)?"
_DECIMAL_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_MGRS = re.compile(r"^\d{1,2}[C-HJ-NP-X][A-HJ-NP-Z]{2}(\d{2}){0,5}$")
#: Longest point string read.
MAX_POINT_STRING = 200


def parse_point_string(text: str) -> tuple[float, float, float | None]:
    """``(lat, lon, implied_accuracy_m)`` from a pasted string, latitude first.

    Degrees, not range-checked (see :func:`lat_lon_errors`). ``implied_accuracy_m`` is
    ``None`` except for MGRS: a reference names a grid square, the point is its centre and
    the accuracy the square's half-diagonal (0 for a 1 m reference).

    >>> parse_point_string("33°30'N, 38°36'W")
    (33.5, -38.6, None)
    """
    if len(text) > MAX_POINT_STRING:
        raise NotationError("a point string is at most 200 characters")
    compact = re.sub(r"\s+", "", text).upper()
    if _MGRS.match(compact):
        return _parse_mgrs(compact)
    decimal = _DECIMAL_PAIR.match(text)
    if decimal:
        lat, lon = (float(g.replace(",", ".")) for g in decimal.groups())
        return lat, lon, None
    cleaned = (
        text.replace("°", " ")
        .replace("º", " ")
        .replace("˚", " ")
        .replace("′", " ")
        .replace("’", " ")
        .replace("'", " ")
        .replace("″", " ")
        .replace('"', " ")
        .replace("”", " ")
    )
    cleaned = re.sub(r"(?<=\d)\s*[dms](?![a-z])", " ", cleaned)
    cleaned = re.sub(
        r"\b(north|south|east|west)\b", lambda m: m.group(1)[0].upper(), cleaned, flags=re.I
    )
    cleaned = re.sub(r"(?<=[\d\s])([nsew])\b", lambda m: m.group(1).upper(), cleaned)
    if not re.fullmatch(r"[\d\s.,;/+\-NSEW]*", cleaned):
        raise NotationError(
            "not a coordinate: use '33.5, 38.6' (lat, lon), "
            "DMS like 33°30'21\"N 38°37'04\"E, or MGRS"
        )
    lat_text, lon_text = _split_halves(cleaned.strip())
    lat = _coordinate(lat_text, "N", "S", "latitude")
    lon = _coordinate(lon_text, "E", "W", "longitude")
    return lat, lon, None


def _coordinate(text: str, positive: str, negative: str, label: str) -> float:
    """One DMS/decimal coordinate with an optional hemisphere letter."""
    letters = re.findall(r"[NSEW]", text)
    if len(letters) > 1:
        raise NotationError(f"{label} has more than one hemisphere letter")
    sign = 1.0
    if letters:
        if letters[0] not in (positive, negative):
            raise NotationError(f"{label} cannot take hemisphere {letters[0]}")
        sign = -1.0 if letters[0] == negative else 1.0
    numbers = re.findall(r"\d+(?:\.\d+)?", text.replace(",", "."))
    if not 1 <= len(numbers) <= 3:
        raise NotationError(f"{label} must be degrees, optionally with minutes and seconds")
    if "-" in text:
        if letters:
            raise NotationError(f"{label} has both a minus sign and a hemisphere")
        sign = -sign
    parts = [float(n) for n in numbers]
    for name, value in zip(("minutes", "seconds"), parts[1:], strict=False):
        if value >= 60:
            raise NotationError(f"{label} {name} must be below 60")
    return sign * (parts[0] + sum(p / 60**i for i, p in enumerate(parts[1:], start=1)))


def _split_halves(text: str) -> tuple[str, str]:
    """Split a DMS string into its latitude and longitude halves."""
    # After a latitude hemisphere letter (N/S) the longitude begins.
    match = re.search(r"[NS]", text)
    if match and text[: match.start()].strip() and re.search(r"\d", text[match.end() :]):
        return text[: match.end()], text[match.end() :]
    if match and not text[: match.start()].strip():  # "N33 30 21 E38 37 04"
        rest = text[match.end() :]
        split = re.search(r"[EW]", rest)
        if split:
            return text[: match.end()] + rest[: split.start()], rest[split.start() :]
    for separator in (",", ";", "/"):
        if text.count(separator) == 1:
            left, right = text.split(separator)
            return left, right
    raise NotationError(
        "cannot tell where latitude ends and longitude starts; separate them with a comma"
    )


def _parse_mgrs(compact: str) -> tuple[float, float, float | None]:
    prefix = re.match(r"^\d{1,2}[A-Z]{3}", compact)
    assert prefix is not None  # guaranteed by _MGRS
    digits = compact[prefix.end() :]
    precision = len(digits) // 2
    easting, northing = digits[:precision], digits[precision:]
    # The reference names a square of 10^(5-p) m by its south-west corner; the mgrs
    # library answers with the square's centre (checked against pyproj's UTM in the tests).
    try:
        lat, lon = mgrs_lib.MGRS().toLatLon(prefix.group() + easting + northing)
    except Exception as err:  # the library raises bare Exceptions for bad references
        raise NotationError(f"not a valid MGRS reference: {err}") from None
    square_m = 10.0 ** (5 - precision)
    implied = 0.0 if precision == 5 else square_m * math.sqrt(2) / 2
    return float(lat), float(lon), implied


# -- lengths ----------------------------------------------------------------------------

#: Metres per unit.
UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "nmi": 1852.0}
#: Unit words (lower case, hyphens for spaces) and the unit each names.
UNIT_NAMES = {
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "km": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
    "mi": "mi", "mile": "mi", "miles": "mi",
    "nmi": "nmi", "nm": "nmi", "nautical-mile": "nmi", "nautical-miles": "nmi",
}  # fmt: skip
_LENGTH = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z\- ]*)\s*$")


def parse_unit(text: str) -> str:
    """The unit (a key of :data:`UNITS`) a word names: ``"Kilometres"`` → ``"km"``."""
    unit = UNIT_NAMES.get(text.strip().lower())
    if unit is None:
        raise NotationError("Must be one of m, km, mi, nmi.")
    return unit


def parse_length_m(value: Any, default_unit: str = "m") -> float:
    """Metres, ≥ 0 and finite, from a number (in ``default_unit``) or a string with an
    optional unit, like ``"60 km"``, ``"34 mi"`` or ``"55000"``.

    >>> parse_length_m("60 km"), parse_length_m(2, default_unit="nmi")
    (60000.0, 3704.0)
    """
    if isinstance(value, bool):
        raise NotationError("Must be a number of metres or a string like '60km'.")
    if isinstance(value, int | float):
        number, unit = float(value), default_unit
    elif isinstance(value, str):
        match = _LENGTH.match(value)
        if not match:
            raise NotationError(f"Cannot read {value!r} as a length; write e.g. '60km' or '34 mi'.")
        number = float(match.group(1))
        word = match.group(2).strip().lower().replace(" ", "-")
        unit = UNIT_NAMES.get(word, "") if word else default_unit
        if not unit:
            raise NotationError(f"Unknown unit {match.group(2)!r}; use m, km, mi or nmi.")
    else:
        raise NotationError("Must be a number of metres or a string like '60km'.")
    metres = number * UNITS[unit]
    if not math.isfinite(metres):
        raise NotationError("Must be a finite length.")
    if metres < 0:
        raise NotationError("Must not be negative.")
    return metres


# -- directions -------------------------------------------------------------------------

#: The 16 compass points, clockwise from north, 22.5° apart.
COMPASS_POINTS = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
]  # fmt: skip
_WORDS = {"north": "N", "east": "E", "south": "S", "west": "W"}


def parse_azimuth_deg(value: Any) -> float:
    """Degrees clockwise from north in [0, 360) from a number of degrees or a compass point
    as letters or words (``"SW"``, ``"south-west"``, ``"NNE"``, ``"north north east"``).

    >>> parse_azimuth_deg("south-west"), parse_azimuth_deg(-90)
    (225.0, 270.0)
    """
    if isinstance(value, bool):
        raise NotationError("Must be degrees or a compass direction like 'SW'.")
    if isinstance(value, int | float):
        return _azimuth_deg(value)
    if isinstance(value, str):
        word = re.sub(r"[\s\-_]+", "", value.strip().lower())
        for name, letter in _WORDS.items():
            word = word.replace(name, letter.lower())
        code = word.upper()
        if code in COMPASS_POINTS:
            return COMPASS_POINTS.index(code) * 22.5
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            return _azimuth_deg(number)
    raise NotationError(
        "Must be degrees clockwise from north, or a compass point such as N, NE, SSW, southwest."
    )


def _azimuth_deg(degrees: float) -> float:
    if not math.isfinite(degrees):
        raise NotationError("Must be a finite number of degrees.")
    return float(degrees) % 360.0 % 360.0
