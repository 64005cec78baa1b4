"""Points in every form users paste, and batches of them as numpy arrays.

Accepted forms of one point:

* ``{"lat": 33.9, "lon": 38.2}`` (optional ``accuracy_m`` ≥ 0 and ``id``);
* a GeoJSON Point ``{"type": "Point", "coordinates": [38.2, 33.9]}`` (lon, lat);
* a string, latitude first: ``"33.9, 38.2"``, ``"33.9N 38.2E"``, DMS such as
  ``33°30'21"N 38°37'04"E`` or ``33 30 21 N, 38 37 04 E``, or MGRS such as
  ``37S BT 56789 12345``. An MGRS reference names a grid square: the point is its centre,
  and unless ``accuracy_m`` says otherwise the square's half-diagonal becomes the accuracy.

A batch is a list of such points or columns ``{"lat": [...], "lon": [...], "id": [...],
"accuracy_m": [...]}``; columns are validated as arrays, never one object per point.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import mgrs as mgrs_lib
import numpy as np
import numpy.typing as npt
from marshmallow import ValidationError

FloatArray = npt.NDArray[np.float64]
MAX_ID_LENGTH = 200


@dataclass
class PointBatch:
    """Validated points: degrees, metres; ``ids`` holds client ids (or None) per point."""

    lon: FloatArray
    lat: FloatArray
    accuracy_m: FloatArray
    ids: list[Any]

    def __len__(self) -> int:
        return int(self.lon.size)


# -- strings --------------------------------------------------------------------------

_NUMBER = r"[+-]?\d+(?:[.,]\d+)?"
_DECIMAL_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_MGRS = re.compile(r"^\d{1,2}[C-HJ-NP-X][A-HJ-NP-Z]{2}(\d{2}){0,5}$")


def _coordinate(text: str, positive: str, negative: str, label: str) -> float:
    """One DMS/decimal coordinate with an optional hemisphere letter."""
    letters = re.findall(r"[NSEW]", text)
    if len(letters) > 1:
        raise ValueError(f"{label} has more than one hemisphere letter")
    sign = 1.0
    if letters:
        if letters[0] not in (positive, negative):
            raise ValueError(f"{label} cannot take hemisphere {letters[0]}")
        sign = -1.0 if letters[0] == negative else 1.0
    numbers = re.findall(r"\d+(?:\.\d+)?", text.replace(",", "."))
    if not 1 <= len(numbers) <= 3:
        raise ValueError(f"{label} must be degrees, optionally with minutes and seconds")
    if "-" in text:
        if letters:
            raise ValueError(f"{label} has both a minus sign and a hemisphere")
        sign = -sign
    parts = [float(n) for n in numbers]
    for name, value in zip(("minutes", "seconds"), parts[1:], strict=False):
        if value >= 60:
            raise ValueError(f"{label} {name} must be below 60")
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
    raise ValueError(
        "cannot tell where latitude ends and longitude starts; separate them with a comma"
    )


def parse_point_string(text: str) -> tuple[float, float, float | None]:
    """``(lat, lon, implied_accuracy_m)`` from a pasted string (see module docs)."""
    if len(text) > 200:
        raise ValueError("a point string is at most 200 characters")
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
        raise ValueError(
            "not a coordinate: use '33.5, 38.6' (lat, lon), "
            "DMS like 33°30'21\"N 38°37'04\"E, or MGRS"
        )
    lat_text, lon_text = _split_halves(cleaned.strip())
    lat = _coordinate(lat_text, "N", "S", "latitude")
    lon = _coordinate(lon_text, "E", "W", "longitude")
    return lat, lon, None


def _parse_mgrs(compact: str) -> tuple[float, float, float | None]:
    prefix = re.match(r"^\d{1,2}[A-Z]{3}", compact)
    assert prefix is not None  # guaranteed by _MGRS
    digits = compact[prefix.end() :]
    precision = len(digits) // 2
    easting, northing = digits[:precision], digits[precision:]
    if precision < 5:
        # The reference names the south-west corner of a square of 10^(5-p) m; one more
        # digit of 5 on each axis moves to its centre.
        easting, northing = easting + "5", northing + "5"
    try:
        lat, lon = mgrs_lib.MGRS().toLatLon(prefix.group() + easting + northing)
    except Exception as err:  # the library raises bare Exceptions for bad references
        raise ValueError(f"not a valid MGRS reference: {err}") from None
    square_m = 10.0 ** (5 - precision)
    implied = 0.0 if precision == 5 else square_m * math.sqrt(2) / 2
    return float(lat), float(lon), implied


# -- one point ------------------------------------------------------------------------


def _number(value: Any, name: str, errors: dict[str, list[str]]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.setdefault(name, []).append("Must be a number.")
        return None
    if not math.isfinite(value):
        errors.setdefault(name, []).append("Must be a finite number.")
        return None
    return float(value)


def check_lat_lon(lat: float, lon: float, errors: dict[str, list[str]], prefix: str = "") -> None:
    """Range checks with a hint when latitude and longitude look swapped."""
    if not -90.0 <= lat <= 90.0:
        hint = " lat and lon may be swapped." if -90.0 <= lon <= 90.0 and abs(lat) <= 180 else ""
        errors.setdefault(f"{prefix}lat", []).append(
            f"Latitude {lat} is outside [-90, 90].{hint}".strip()
        )
    if not -180.0 <= lon <= 180.0:
        errors.setdefault(f"{prefix}lon", []).append(f"Longitude {lon} is outside [-180, 180].")


def parse_point(value: Any) -> dict[str, Any]:
    """One point in any accepted form → ``{"lat", "lon", "accuracy_m", "id"}``.

    Raises ``ValidationError`` whose messages name the bad field.
    """
    errors: dict[str, list[str]] = {}
    ident: Any = None
    accuracy: float | None = 0.0
    if isinstance(value, str):
        try:
            lat, lon, implied = parse_point_string(value)
        except ValueError as err:
            raise ValidationError([str(err)]) from None
        accuracy = implied or 0.0
    elif isinstance(value, dict) and value.get("type") == "Point":
        unknown = set(value) - {"type", "coordinates", "bbox"}
        if unknown:
            raise ValidationError({k: ["Unknown field."] for k in sorted(unknown)})
        coords = value.get("coordinates")
        if not isinstance(coords, list) or len(coords) not in (2, 3):
            raise ValidationError({"coordinates": ["A GeoJSON Point has coordinates [lon, lat]."]})
        lon_v = _number(coords[0], "coordinates", errors)
        lat_v = _number(coords[1], "coordinates", errors)
        if errors:
            raise ValidationError(errors)
        assert lon_v is not None and lat_v is not None
        lat, lon = lat_v, lon_v
        check_lat_lon(lat, lon, errors)
        if errors:
            raise ValidationError({"coordinates": [m for ms in errors.values() for m in ms]})
    elif isinstance(value, dict):
        unknown = set(value) - {"lat", "lon", "accuracy_m", "id"}
        for key in sorted(unknown):
            errors[key] = ["Unknown field; a point has lat, lon, accuracy_m and id."]
        for key in ("lat", "lon"):
            if key not in value:
                errors.setdefault(key, []).append("Missing data for required field.")
        if errors:
            raise ValidationError(errors)
        lat_v = _number(value["lat"], "lat", errors)
        lon_v = _number(value["lon"], "lon", errors)
        if errors:
            raise ValidationError(errors)
        assert lat_v is not None and lon_v is not None
        lat, lon = lat_v, lon_v
        ident = value.get("id")
        if "accuracy_m" in value and value["accuracy_m"] is not None:
            accuracy = _number(value["accuracy_m"], "accuracy_m", errors)
    else:
        raise ValidationError(
            ['A point is {"lat": …, "lon": …}, a GeoJSON Point, or a string like "33.9, 38.2".']
        )
    check_lat_lon(lat, lon, errors)
    if accuracy is not None and accuracy < 0:
        errors.setdefault("accuracy_m", []).append("Must not be negative.")
    if ident is not None and not (isinstance(ident, str | int) and not isinstance(ident, bool)):
        errors.setdefault("id", []).append("Must be a string or an integer.")
    elif isinstance(ident, str) and len(ident) > MAX_ID_LENGTH:
        errors.setdefault("id", []).append(f"At most {MAX_ID_LENGTH} characters.")
    if errors:
        raise ValidationError(errors)
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy or 0.0, "id": ident}


# -- batches --------------------------------------------------------------------------

MAX_REPORTED_ERRORS = 50


def _column(values: Any, name: str, errors: dict[str, list[str]]) -> FloatArray | None:
    """A list of JSON numbers as a float64 array; the first bad entries are reported."""
    if not isinstance(values, list):
        errors[name] = ["Must be a list of numbers."]
        return None
    try:
        array = np.asarray(values) if values else np.empty(0)
    except (ValueError, TypeError, OverflowError):  # ragged nesting, huge integers
        array = np.empty(0, dtype=object)
    # numpy reads JSON true as 1: look for booleans among the types (a C-level pass, ~5x
    # faster than testing each value in Python).
    if array.dtype.kind not in "iuf" or array.ndim != 1 or bool in set(map(type, values)):
        bad = [
            i for i, v in enumerate(values) if isinstance(v, bool) or not isinstance(v, int | float)
        ][:MAX_REPORTED_ERRORS]
        for i in bad:
            errors[f"{name}.{i}"] = ["Must be a number."]
        if not bad:
            errors[name] = ["Must be a flat list of numbers."]
        return None
    array = array.astype(np.float64)
    bad_idx = np.nonzero(~np.isfinite(array))[0][:MAX_REPORTED_ERRORS]
    for i in bad_idx:
        errors[f"{name}.{int(i)}"] = ["Must be a finite number."]
    return None if bad_idx.size else array


def parse_columns(columns: Any, prefix: str = "points") -> PointBatch:
    """Columnar points ``{"lat": [...], "lon": [...], "id"?: [...], "accuracy_m"?: [...]}``."""
    if not isinstance(columns, dict):
        raise ValidationError({prefix: ["Must be a list of points or an object of columns."]})
    errors: dict[str, list[str]] = {}
    for key in sorted(set(columns) - {"lat", "lon", "id", "accuracy_m"}):
        errors[f"{prefix}.{key}"] = ["Unknown column; allowed: lat, lon, id, accuracy_m."]
    for key in ("lat", "lon"):
        if key not in columns:
            errors[f"{prefix}.{key}"] = ["Missing data for required field."]
    if errors:
        raise ValidationError(errors)
    lat = _column(columns["lat"], f"{prefix}.lat", errors)
    lon = _column(columns["lon"], f"{prefix}.lon", errors)
    accuracy = None
    if columns.get("accuracy_m") is not None:
        accuracy = _column(columns["accuracy_m"], f"{prefix}.accuracy_m", errors)
    if errors:
        raise ValidationError(errors)
    assert lat is not None and lon is not None
    n = lat.size
    if lon.size != n:
        errors[f"{prefix}.lon"] = [f"Has {lon.size} values but lat has {n}."]
    if accuracy is None:
        accuracy = np.zeros(n)
    elif accuracy.size != n:
        errors[f"{prefix}.accuracy_m"] = [f"Has {accuracy.size} values but lat has {n}."]
    ids = columns.get("id")
    if ids is None:
        ids = [None] * n
    elif not isinstance(ids, list) or len(ids) != n:
        errors[f"{prefix}.id"] = [f"Must be a list of {n} ids."]
    if errors:
        raise ValidationError(errors)
    _check_ranges(lat, lon, accuracy, errors, prefix, columnar=True)
    if errors:
        raise ValidationError(errors)
    return PointBatch(lon, lat, accuracy, ids)


def _check_ranges(
    lat: FloatArray,
    lon: FloatArray,
    accuracy: FloatArray,
    errors: dict[str, list[str]],
    prefix: str,
    columnar: bool,
) -> None:
    bad_lat = np.nonzero(np.abs(lat) > 90.0)[0][:MAX_REPORTED_ERRORS]
    bad_lon = np.nonzero(np.abs(lon) > 180.0)[0][:MAX_REPORTED_ERRORS]
    bad_acc = np.nonzero(accuracy < 0)[0][:MAX_REPORTED_ERRORS]
    for i in bad_lat:
        key = f"{prefix}.lat.{i}" if columnar else f"{prefix}.{i}.lat"
        swapped = abs(lon[i]) <= 90.0 and abs(lat[i]) <= 180.0
        hint = " lat and lon may be swapped." if swapped else ""
        errors[key] = [f"Latitude {lat[i]} is outside [-90, 90].{hint}".strip()]
    for i in bad_lon:
        key = f"{prefix}.lon.{i}" if columnar else f"{prefix}.{i}.lon"
        errors[key] = [f"Longitude {lon[i]} is outside [-180, 180]."]
    for i in bad_acc:
        key = f"{prefix}.accuracy_m.{i}" if columnar else f"{prefix}.{i}.accuracy_m"
        errors[key] = ["Must not be negative."]


def parse_point_list(items: list[Any], prefix: str = "points") -> PointBatch:
    """A list of points in any form. Plain ``{"lat", "lon"}`` objects take a fast path."""
    n = len(items)
    lat = np.empty(n)
    lon = np.empty(n)
    accuracy = np.zeros(n)
    ids: list[Any] = [None] * n
    errors: dict[str, list[str]] = {}
    float_types = (int, float)
    for i, item in enumerate(items):
        if (
            type(item) is dict
            and len(item) == 2
            and type(item.get("lat")) in float_types
            and type(item.get("lon")) in float_types
        ):
            lat[i] = item["lat"]
            lon[i] = item["lon"]
            continue
        try:
            point = parse_point(item)
        except ValidationError as err:
            messages = err.messages
            if isinstance(messages, dict):
                for key, value in messages.items():
                    errors[f"{prefix}.{i}.{key}"] = list(value)
            else:
                errors[f"{prefix}.{i}"] = list(messages)
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
            continue
        lat[i], lon[i], accuracy[i], ids[i] = (
            point["lat"],
            point["lon"],
            point["accuracy_m"],
            point["id"],
        )
    if errors:
        raise ValidationError(errors)
    bad = ~np.isfinite(lat) | ~np.isfinite(lon)
    for i in np.nonzero(bad)[0][:MAX_REPORTED_ERRORS]:
        errors[f"{prefix}.{i}"] = ["Coordinates must be finite numbers."]
    _check_ranges(lat, lon, accuracy, errors, prefix, columnar=False)
    if errors:
        raise ValidationError(errors)
    return PointBatch(lon, lat, accuracy, ids)
