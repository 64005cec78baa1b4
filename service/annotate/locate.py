"""Finding a file's coordinate columns and reading each row's point from them.

A :class:`Locator` knows which fields hold the coordinates (a lat and a lon field, or one
combined field in any point form); :meth:`Locator.locate` reads a whole chunk's numbers in
one numpy call and reads only the rows that call rejects one by one, to say why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from schemas.notation import MAX_LAT_DEG, MAX_LON_DEG, lat_lon_errors, parse_point_string
from service.annotate.options import AnnotateError, Options

LAT_NAMES = ("lat", "latitude", "lat_dd", "y", "lat_deg", "latitude_dd")
LON_NAMES = ("lon", "lng", "long", "longitude", "lon_dd", "x", "lon_deg", "longitude_dd")
COORD_NAMES = (
    "coordinates",
    "coords",
    "coordinate",
    "location",
    "point",
    "position",
    "latlon",
    "lat_lon",
)
#: Chunks below this size are converted cell by cell when looking for bad cells.
_BISECT_FLOOR = 16


def _find(
    names: Iterable[str], wanted: tuple[str, ...], given: str | None, what: str
) -> str | None:
    names = list(names)
    if given is not None:
        if given not in names:
            raise AnnotateError(f"no column {given!r} for {what}; columns are: {', '.join(names)}")
        return given
    folded = {n.strip().lower(): n for n in names}
    return next((folded[w] for w in wanted if w in folded), None)


@dataclass
class Locator:
    """Which fields hold a row's coordinates: a lat and a lon field, or one combined field.

    Rows are dicts keyed by field name, or (CSV) lists read through ``positions``.
    """

    lat: str | None
    lon: str | None
    combined: str | None
    positions: dict[str, int] | None = None

    def get(self, row: Any, name: str) -> Any:
        if row is None:
            return None
        if self.positions is None:
            return row.get(name)
        index = self.positions[name]
        return row[index] if index < len(row) else None

    @classmethod
    def for_columns(cls, names: Iterable[str], options: Options) -> Locator:
        names = list(names)
        if options.coord_col is not None:
            return cls(None, None, _find(names, (), options.coord_col, "coordinates"))
        lat = _find(names, LAT_NAMES, options.lat_col, "latitude")
        lon = _find(names, LON_NAMES, options.lon_col, "longitude")
        if lat and lon:
            return cls(lat, lon, None)
        combined = _find(names, COORD_NAMES, None, "coordinates")
        if combined:
            return cls(None, None, combined)
        raise AnnotateError(
            "no coordinate columns found (looked for lat/latitude and lon/lng/longitude, or one "
            "column named coordinates/location/point); name them with --lat-col and --lon-col "
            f"or --coord-col. Columns are: {', '.join(names)}"
        )

    def read(self, row: Any) -> tuple[float, float]:
        """One row's (lat, lon) in degrees, or ``ValueError`` saying what is wrong."""
        if row is None:
            raise ValueError("not a JSON object")
        if self.combined is not None:
            value = self.get(row, self.combined)
            if value in (None, ""):
                raise ValueError(f"{self.combined} is empty")
            lat, lon, _ = parse_point_string(str(value))
        else:
            assert self.lat is not None and self.lon is not None
            lat = _number(self.get(row, self.lat), self.lat)
            lon = _number(self.get(row, self.lon), self.lon)
        problems = lat_lon_errors(lat, lon)
        if problems:
            raise ValueError(" ".join(problems.values()))
        return lat, lon

    def locate(
        self, rows: Sequence[Any], cells: tuple[list[Any], list[Any]] | None = None
    ) -> Located:
        """Coordinates of every row, with the bad rows' reasons.

        The lat and lon ``cells`` may come already gathered (the CSV path does it in C).
        Numbers are converted in one numpy call, and only the rows it rejects are read one
        by one (with :meth:`read`, which says why), so a row gets the same answer whatever
        chunk it lands in.
        """
        if self.combined is not None:
            nothing = np.full(len(rows), np.nan)
            return self.settle(nothing, nothing.copy(), rows.__getitem__)
        assert self.lat is not None and self.lon is not None
        if cells is None:
            cells = (self._cells(rows, self.lat), self._cells(rows, self.lon))
        return self.settle(_floats(cells[0]), _floats(cells[1]), rows.__getitem__)

    def settle(self, lat: np.ndarray, lon: np.ndarray, row_at: Callable[[int], Any]) -> Located:
        """Coordinates already read in bulk (NaN where a cell was no number), made final:
        every row that is not a finite point in range is read again on its own, to take
        what a bulk reader missed or to say why it is bad."""
        with np.errstate(invalid="ignore"):
            good = (np.abs(lat) <= MAX_LAT_DEG) & (np.abs(lon) <= MAX_LON_DEG)  # False for NaN
        bad: dict[int, str] = {}
        for index in np.flatnonzero(~good).tolist():
            try:
                lat[index], lon[index] = self.read(row_at(index))
            except ValueError as err:
                bad[index] = str(err)
                lat[index] = lon[index] = 0.0  # computed like any point, then blanked
        return Located(lat, lon, bad)

    def _cells(self, rows: Sequence[Any], name: str) -> list[Any]:
        # JSON booleans are no numbers, though numpy would read True as 1.
        return [None if type(v) is bool else v for v in (self.get(r, name) for r in rows)]


@dataclass
class Located:
    """A chunk's coordinates (degrees; bad rows hold 0, 0) and reasons by row index."""

    lat: np.ndarray
    lon: np.ndarray
    bad: dict[int, str]


def _number(value: Any, name: str) -> float:
    if value is None or value == "":
        raise ValueError(f"{name} is empty")
    if isinstance(value, bool):
        raise ValueError(f"{name} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a number: {str(value)[:40]!r}") from None
    except OverflowError:  # a JSON integer past the float range
        raise ValueError(f"{name} is not a finite number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} is not a finite number")
    return number


def _floats(cells: list[Any]) -> np.ndarray:
    """Cells (text or numbers) as float64, NaN where a cell is no number. One numpy call
    when all convert; otherwise the halves are retried, so a few bad cells cost a few more
    passes, not a Python loop over the chunk."""
    try:
        array = np.array(cells, dtype=np.float64)
        if array.shape == (len(cells),):  # not JSON lists of numbers
            return array
    except (TypeError, ValueError, OverflowError):
        pass
    if len(cells) <= _BISECT_FLOOR:
        return np.array([_float_or_nan(c) for c in cells], dtype=np.float64)
    middle = len(cells) // 2
    return np.concatenate([_floats(cells[:middle]), _floats(cells[middle:])])


def _float_or_nan(value: Any) -> float:
    if type(value) not in (str, int, float):
        return math.nan
    try:
        return float(np.array([value], dtype=np.float64)[0])
    except (TypeError, ValueError, OverflowError):
        return math.nan
