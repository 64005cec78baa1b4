"""Points in every form users paste, and batches of them as numpy arrays.

Accepted forms of one point:

* ``{"lat": 33.9, "lon": 38.2}`` (optional ``accuracy_m`` ≥ 0 and ``id``);
* a GeoJSON Point ``{"type": "Point", "coordinates": [38.2, 33.9]}`` (lon, lat);
* a string, latitude first: ``"33.9, 38.2"``, ``"33.9N 38.2E"``, DMS such as
  ``33°30'21"N 38°37'04"E`` or ``33 30 21 N, 38 37 04 E``, or MGRS such as
  ``37S BT 56789 12345`` (read by :func:`schemas.notation.parse_point_string`). An MGRS
  reference names a grid square: the point is its centre, and unless ``accuracy_m`` says
  otherwise the square's half-diagonal becomes the accuracy.

A batch is a list of such points or columns ``{"lat": [...], "lon": [...], "id": [...],
"accuracy_m": [...]}``; columns are validated as arrays, never one object per point.

Ranges are checked by :func:`schemas.notation.lat_lon_errors`, the one range check with
its one swap hint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from marshmallow import ValidationError

from schemas.notation import MAX_LAT_DEG, MAX_LON_DEG, lat_lon_errors, parse_point_string

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
    """Range checks (:func:`schemas.notation.lat_lon_errors`, with its swap hint), added to
    ``errors`` under ``{prefix}lat`` and ``{prefix}lon``."""
    for axis, message in lat_lon_errors(lat, lon).items():
        errors.setdefault(f"{prefix}{axis}", []).append(message)


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


def _has_boolean(values: list[Any], array: npt.NDArray[Any]) -> bool:
    """Whether a JSON ``true`` or ``false`` hides in ``values``, read by numpy as the number
    ``array``: numpy turns them into 1 and 0, so only entries equal to 0 or 1 can be one,
    and only those are looked at in Python (a type scan of every value cost ~6 ms per
    100,000-value column; this costs ~0.2 ms unless the column is full of 0s and 1s)."""
    suspects = np.flatnonzero((array == 0) | (array == 1))
    return any(type(values[i]) is bool for i in suspects.tolist())


def _column(values: Any, name: str, errors: dict[str, list[str]]) -> FloatArray | None:
    """A list of JSON numbers as a float64 array; the first bad entries are reported."""
    if not isinstance(values, list):
        errors[name] = ["Must be a list of numbers."]
        return None
    try:
        array = np.asarray(values) if values else np.empty(0)
    except (ValueError, TypeError, OverflowError):  # ragged nesting, huge integers
        array = np.empty(0, dtype=object)
    if array.dtype.kind not in "iuf" or array.ndim != 1 or _has_boolean(values, array):
        bad = [
            i for i, v in enumerate(values) if isinstance(v, bool) or not isinstance(v, int | float)
        ][:MAX_REPORTED_ERRORS]
        for i in bad:
            errors[f"{name}.{i}"] = ["Must be a number."]
        if not bad:
            errors[name] = ["Must be a flat list of numbers."]
        return None
    array = array.astype(np.float64, copy=False)
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
    """Errors for the first points out of range (or with a negative accuracy): found by
    numpy over the arrays, each worded by :func:`schemas.notation.lat_lon_errors`. NaN is
    the callers' to report."""
    bad_lat = np.nonzero(np.abs(lat) > MAX_LAT_DEG)[0][:MAX_REPORTED_ERRORS]
    bad_lon = np.nonzero(np.abs(lon) > MAX_LON_DEG)[0][:MAX_REPORTED_ERRORS]
    bad_acc = np.nonzero(accuracy < 0)[0][:MAX_REPORTED_ERRORS]
    for i in bad_lat:
        key = f"{prefix}.lat.{i}" if columnar else f"{prefix}.{i}.lat"
        errors[key] = [lat_lon_errors(lat[i], lon[i])["lat"]]
    for i in bad_lon:
        key = f"{prefix}.lon.{i}" if columnar else f"{prefix}.{i}.lon"
        errors[key] = [lat_lon_errors(lat[i], lon[i])["lon"]]
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
