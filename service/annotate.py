"""Annotate event files with verdicts and distances: CSV, NDJSON and GeoJSON.

Rows stream through in chunks of ``chunk_size``, so memory stays flat whatever the file's
size (GeoJSON FeatureCollections are the exception: JSON has to be read whole, so use
NDJSON for very large files). Every input column and the row order are kept; added
columns come after them:

* ``geocheck_verdict`` — the overall verdict (inside / uncertain / outside);
* ``<zone>_verdict`` and ``<zone>_distance_to_boundary_m`` for every zone checked;
* ``distance_to_<feature>_m`` for every ``distance_to`` target;
* ``geocheck_error`` — why a row could not be answered (its other added cells stay empty).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from schemas.point import parse_point_string
from service.client import Geocheck

FORMATS = ("csv", "ndjson", "geojson")
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


class AnnotateError(ValueError):
    """Input that cannot be annotated at all (no coordinate columns, or a bad row with
    ``strict``). ``line`` is the 1-based input line where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass
class Options:
    lat_col: str | None = None
    lon_col: str | None = None
    coord_col: str | None = None
    distance_to: list[str] = field(default_factory=list)
    zones: list[str] | None = None
    at: str | None = None
    strict: bool = False
    chunk_size: int = 50_000


@dataclass
class Report:
    rows: int = 0
    annotated: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    inside: int = 0


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".ndjson", ".jsonl", ".geojsonl", ".geojsons"):
        return "ndjson"
    if suffix in (".geojson", ".json"):
        return "geojson"
    raise AnnotateError(f"cannot tell the format of {path.name}; pass --format csv|ndjson|geojson")


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
    """Reads one row's coordinates: a lat and a lon column, or one combined column.

    Rows are dicts keyed by column name, or (CSV) lists read through ``positions``.
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

    def columns(self, chunk: list[tuple[int, Any]]) -> tuple[Any, Any] | None:
        """Whole-chunk lat and lon as float arrays when every cell is a finite number in
        range; ``None`` sends the chunk row by row (to name each bad row)."""
        if self.combined is not None or self.lat is None or self.lon is None:
            return None
        try:
            lat = np.array([self.get(row, self.lat) for _, row in chunk], dtype=np.float64)
            lon = np.array([self.get(row, self.lon) for _, row in chunk], dtype=np.float64)
        except (TypeError, ValueError):
            return None
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        return (lat, lon) if bool(ok.all()) else None

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

    def read(self, row: dict[str, Any]) -> tuple[float, float]:
        """(lat, lon) in degrees, or ``ValueError`` saying what is wrong."""
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
        if not -90.0 <= lat <= 90.0:
            hint = " (lat and lon may be swapped)" if -90.0 <= lon <= 90.0 else ""
            raise ValueError(f"latitude {lat} is outside [-90, 90]{hint}")
        if not -180.0 <= lon <= 180.0:
            raise ValueError(f"longitude {lon} is outside [-180, 180]")
        return lat, lon


def _number(value: Any, name: str) -> float:
    if value is None or value == "":
        raise ValueError(f"{name} is empty")
    if isinstance(value, bool):
        raise ValueError(f"{name} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a number: {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} is not a finite number")
    return number


class Annotator:
    """Computes the added columns for chunks of points with a :class:`Geocheck`."""

    def __init__(self, geocheck: Geocheck, options: Options) -> None:
        self.geocheck = geocheck
        self.options = options
        self.zone_ids: list[str] | None = None
        self.targets: list[str] = []
        for ref in options.distance_to:
            feature = geocheck.feature(ref)  # raises for unknown names, before any work
            self.targets.append(feature["id"])

    def columns(self) -> list[str]:
        assert self.zone_ids is not None
        names = ["geocheck_verdict"]
        for zone in self.zone_ids:
            names += [f"{zone}_verdict", f"{zone}_distance_to_boundary_m"]
        names += [f"distance_to_{t}_m" for t in self.targets]
        return [*names, "geocheck_error"]

    def prime(self) -> None:
        """Learn which zones apply (from a one-point check) so headers can be written."""
        if self.zone_ids is None:
            answer = self.geocheck.check_columns(
                [0.0], [0.0], zones=self.options.zones, at=self.options.at, distances=False
            )
            self.zone_ids = [z["zone"] for z in answer["zones"]]

    def annotate(self, lat: Any, lon: Any) -> list[list[str]]:
        """Added cells for each point, column by column (without the error column)."""
        self.prime()
        answer = self.geocheck.check_columns(lat, lon, zones=self.options.zones, at=self.options.at)
        results = answer["results"]
        columns: list[list[str]] = [list(results["verdict"])]
        for zone in self.zone_ids or []:
            column = results["zones"][zone]
            columns.append(list(column["verdict"]))
            columns.append(_decimals(column["distance_to_boundary_m"]))
        for target in self.targets:
            distances = self.geocheck.distance_columns(lat, lon, target, at=self.options.at)
            columns.append(_decimals(distances["results"]["distance_m"]))
        return columns


def _decimals(values: Any) -> list[str]:
    """Metres to the millimetre, as text."""
    return [f"{v:.3f}" for v in np.asarray(values, dtype=np.float64).tolist()]


def _chunks(rows: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _process(
    chunk: list[tuple[int, Any]],
    locator: Locator,
    annotator: Annotator,
    report: Report,
    strict: bool,
) -> list[list[str]]:
    """Added cells for every row of a chunk, bad rows included (empty cells + the reason)."""
    width = len(annotator.columns())
    report.rows += len(chunk)
    whole = locator.columns(chunk)
    if whole is not None:  # every row good: no per-row work
        columns = annotator.annotate(*whole)
        report.annotated += len(chunk)
        report.inside += columns[0].count("inside")
        empty = [""] * len(chunk)
        return [list(cells) for cells in zip(*columns, empty, strict=True)]
    good_index, lat, lon = [], [], []
    errors: dict[int, str] = {}
    for index, (line, row) in enumerate(chunk):
        try:
            y, x = locator.read(row)
        except ValueError as err:
            if strict:
                raise AnnotateError(str(err), line) from None
            report.bad.append((line, str(err)))
            errors[index] = str(err)
            continue
        good_index.append(index)
        lat.append(y)
        lon.append(x)
    cells = [[""] * (width - 1) + [errors.get(i, "")] for i in range(len(chunk))]
    if good_index:
        columns = annotator.annotate(lat, lon)
        for index, added in zip(good_index, zip(*columns, strict=True), strict=True):
            cells[index] = [*added, ""]
        report.inside += columns[0].count("inside")
    report.annotated += len(good_index)
    return cells


def annotate_file(
    source: Path,
    target: IO[str],
    fmt: str,
    geocheck: Geocheck,
    options: Options,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Annotate ``source`` into the open text stream ``target``."""
    annotator = Annotator(geocheck, options)
    report = Report()
    with (
        source.open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="" if fmt == "csv" else None) as stream,
    ):
        done = 0

        def advance() -> None:
            # Bytes read so far from the file under the text layer (reads run a little
            # ahead of the rows handed out: close enough for a progress bar).
            nonlocal done
            if progress is not None:
                position = raw.tell()
                progress(position - done)
                done = position

        if fmt == "csv":
            _annotate_csv(stream, target, annotator, options, report, advance)
        elif fmt == "ndjson":
            _annotate_ndjson(stream, target, annotator, options, report, advance)
        else:
            _annotate_geojson(stream, target, annotator, options, report)
            advance()
    return report


def _annotate_csv(
    lines: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        raise AnnotateError("the CSV file is empty")
    locator = Locator.for_columns(header, options)
    locator.positions = {name: i for i, name in enumerate(header)}
    annotator.prime()
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([*header, *annotator.columns()])

    for chunk in _chunks(enumerate(reader, start=2), options.chunk_size):
        added = _process(chunk, locator, annotator, report, options.strict)
        writer.writerows(map(list.__add__, (values for _, values in chunk), added))
        advance()


def _feature_view(item: dict[str, Any]) -> dict[str, Any]:
    """The flat view of a GeoJSON Point feature that a Locator reads."""
    geometry = item.get("geometry") or {}
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if isinstance(coords, list) and len(coords) >= 2:
        return {"lat": coords[1], "lon": coords[0]}
    return {"lat": None, "lon": None}


def _annotate_ndjson(
    lines: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    locator: Locator | None = None
    names: list[str] = []

    def rows() -> Iterator[tuple[int, Any]]:
        yield from ((n, line) for n, line in enumerate(lines, start=1) if line.strip())

    for chunk in _chunks(rows(), options.chunk_size):
        parsed: list[tuple[int, dict[str, Any] | None]] = []
        objects: list[Any] = []
        for line_number, text in chunk:
            try:
                item = json.loads(text)
            except ValueError:
                item = None
            objects.append(item if isinstance(item, dict) else text.rstrip("\n"))
            if not isinstance(item, dict):
                parsed.append((line_number, None))
                continue
            parsed.append(
                (line_number, _feature_view(item) if item.get("type") == "Feature" else item)
            )
        if locator is None:
            first = next((view for _, view in parsed if view), None) or {}
            locator = Locator.for_columns(first.keys() or ["lat", "lon"], options)
            annotator.prime()
            names = annotator.columns()
        added = _process(parsed, locator, annotator, report, options.strict)
        for item, cells in zip(objects, added, strict=True):
            if not isinstance(item, dict):  # kept as text, with the reason
                bad = {"geocheck_error": cells[-1], "input": item}
                target.write(json.dumps(bad, ensure_ascii=False) + "\n")
                continue
            values = dict(zip(names, (_typed(c) for c in cells), strict=True))
            holder = item.setdefault("properties", {}) if item.get("type") == "Feature" else item
            if holder is None:
                holder = item["properties"] = {}
            holder.update(values)
            target.write(json.dumps(item, ensure_ascii=False) + "\n")
        advance()


def _typed(cell: str) -> Any:
    """Cells back to JSON values: numbers as numbers, empty as null."""
    if cell == "":
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return float(cell)
    return cell


def _annotate_geojson(
    stream: IO[str], target: IO[str], annotator: Annotator, options: Options, report: Report
) -> None:
    try:
        document = json.load(stream)
    except ValueError as err:
        raise AnnotateError(f"not valid JSON: {err}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise AnnotateError("a GeoJSON file must hold a FeatureCollection")
    features = document.get("features") or []
    locator = Locator(options.lat_col or "lat", options.lon_col or "lon", None)
    annotator.prime()
    names = annotator.columns()
    for start in range(0, len(features), options.chunk_size):
        chunk = features[start : start + options.chunk_size]
        views = [
            (start + i + 1, _feature_view(f) if isinstance(f, dict) else {})
            for i, f in enumerate(chunk)
        ]
        added = _process(views, locator, annotator, report, options.strict)
        for feature, cells in zip(chunk, added, strict=True):
            if isinstance(feature, dict):
                props = feature.get("properties")
                if not isinstance(props, dict):
                    props = feature["properties"] = {}
                props.update(zip(names, (_typed(c) for c in cells), strict=True))
    json.dump(document, target, ensure_ascii=False)
    target.write("\n")


def annotate_rows(
    rows: Iterable[dict[str, Any]], geocheck: Geocheck, options: Options
) -> Iterator[dict[str, Any]]:
    """The Python API's annotate: dicts in (with lat/lon or a coordinates key), annotated
    dicts out, lazily, chunk by chunk; bad rows carry ``geocheck_error``."""
    annotator = Annotator(geocheck, options)
    report = Report()
    locator: Locator | None = None
    numbered = ((i + 1, row) for i, row in enumerate(rows))
    for chunk in _chunks(numbered, options.chunk_size):
        if locator is None:
            locator = Locator.for_columns(chunk[0][1].keys(), options)
            annotator.prime()
        names = annotator.columns()
        added = _process(chunk, locator, annotator, report, options.strict)
        for (_, row), cells in zip(chunk, added, strict=True):
            yield {**row, **dict(zip(names, (_typed(c) for c in cells), strict=True))}


__all__ = [
    "FORMATS",
    "AnnotateError",
    "Options",
    "Report",
    "annotate_file",
    "annotate_rows",
    "detect_format",
]
