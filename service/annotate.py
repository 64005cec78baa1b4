"""Annotate event files with verdicts and distances: CSV, NDJSON and GeoJSON.

Rows stream through in chunks of ``chunk_size``, so memory stays flat whatever the file's
size (GeoJSON FeatureCollections are the exception: JSON has to be read whole, so use
NDJSON for very large files). Every input column and the row order are kept; added
columns come after them:

* ``geocheck_verdict`` — the overall verdict (inside / uncertain / outside);
* ``<zone>_verdict`` and ``<zone>_distance_to_boundary_m`` for every zone checked;
* ``distance_to_<feature>_m`` for every ``distance_to`` target;
* ``geocheck_error`` — why a row could not be answered (its other added cells stay empty).

How it stays fast
-----------------
The whole run answers from one :class:`~service.client.Snapshot` (one data version, one
instant). Per chunk, the main thread reads and parses while worker threads compute
earlier chunks: the geodesy runs in pyproj and numpy, which release the GIL, so on two
cores reading and computing overlap. Per-row Python is avoided on the common path: the
lat and lon columns of a CSV chunk are read by numpy's C reader (:class:`_BulkColumns`),
distances are written as text by orjson over whole arrays, and each output line is the
input line, untouched, joined to its added cells. Chunks numpy will not read as one
record per line go through the csv module (also C); only bad rows are read one by one,
to say why.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from schemas.point import parse_point_string
from service.client import Geocheck, GeocheckError, Snapshot

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
#: Delimiters recognised from a CSV header line that has no comma.
OTHER_DELIMITERS = ("\t", ";", "|")
#: Default rows per chunk (see :attr:`Options.chunk_size`).
CSV_CHUNK = 50_000
JSON_CHUNK = 10_000
#: Chunks below this size are converted cell by cell when looking for bad cells.
_BISECT_FLOOR = 16


class AnnotateError(ValueError):
    """Input that cannot be annotated at all (no coordinate columns, or a bad row with
    ``strict``). ``line`` is the 1-based input line (feature, for GeoJSON) where known."""

    def __init__(self, message: str, line: int | None = None, unit: str = "line") -> None:
        super().__init__(f"{unit} {line}: {message}" if line else message)
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
    #: Rows per chunk; default 50,000 CSV lines, or 10,000 JSON objects (several times
    #: larger in memory than a line of text).
    chunk_size: int | None = None
    #: Threads computing chunks (0: one per CPU, at most 3). A remote client uses one.
    workers: int = 0
    #: Text encoding of the input (UTF-8 by default; a byte-order mark is skipped).
    encoding: str = "utf-8-sig"


@dataclass
class Report:
    rows: int = 0
    annotated: int = 0
    #: (line, reason) for every row that could not be answered.
    bad: list[tuple[int, str]] = field(default_factory=list)
    inside: int = 0
    #: What ``bad`` numbers: input lines, or features of a GeoJSON collection.
    unit: str = "line"


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
        if not -90.0 <= lat <= 90.0:
            hint = " (lat and lon may be swapped)" if -90.0 <= lon <= 90.0 else ""
            raise ValueError(f"latitude {lat} is outside [-90, 90]{hint}")
        if not -180.0 <= lon <= 180.0:
            raise ValueError(f"longitude {lon} is outside [-180, 180]")
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
            good = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # False for NaN
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


class Annotator:
    """Computes the added columns for chunks of points from one snapshot of the data."""

    def __init__(self, geocheck: Geocheck, options: Options) -> None:
        self.options = options
        self.snapshot: Snapshot = geocheck.snapshot(options.at)
        probe = self.snapshot.check_columns([0.0], [0.0], zones=options.zones, distances=False)
        self.zone_ids: list[str] = [z["zone"] for z in probe["zones"]]
        self.targets: list[str] = []
        for ref in options.distance_to:
            try:  # unknown names fail here, before any work
                target = self.snapshot.distance_columns([0.0], [0.0], ref)["to"]
            except GeocheckError as err:
                if err.status >= 500:
                    raise
                raise AnnotateError(f"cannot measure distances to {ref!r}: {err}") from None
            if "id" not in target:
                raise AnnotateError(f"--distance-to takes feature ids or names, not {ref!r}")
            self.targets.append(target["id"])

    #: Most points per request the server took (remote only; None until one was refused).
    max_points: int | None = None

    @property
    def parallel(self) -> bool:
        return self.snapshot.parallel

    def columns(self) -> list[str]:
        names = ["geocheck_verdict"]
        for zone in self.zone_ids:
            names += [f"{zone}_verdict", f"{zone}_distance_to_boundary_m"]
        names += [f"distance_to_{t}_m" for t in self.targets]
        return [*names, "geocheck_error"]

    def compute(self, lat: np.ndarray, lon: np.ndarray) -> list[Any]:
        """The added columns (without the error column) for every point: verdicts as lists
        of names, distances as float arrays (m).

        A server whose batch limit is below the chunk answers 413: the points are then
        sent in halves, and the size that worked is kept for the next chunks.
        """
        limit = self.max_points or lat.size
        if lat.size > limit:
            parts = [
                self.compute(lat[i : i + limit], lon[i : i + limit])
                for i in range(0, lat.size, limit)
            ]
            return [_joined(column) for column in zip(*parts, strict=True)]
        try:
            return self._compute(lat, lon)
        except GeocheckError as err:
            if err.status != 413 or lat.size < 2:
                raise
        self.max_points = lat.size // 2
        return self.compute(lat, lon)

    def _compute(self, lat: np.ndarray, lon: np.ndarray) -> list[Any]:
        answer = self.snapshot.check_columns(lat, lon, zones=self.zone_ids)
        results = answer["results"]
        columns: list[Any] = [list(results["verdict"])]
        for zone in self.zone_ids:
            column = results["zones"][zone]
            columns.append(list(column["verdict"]))
            columns.append(np.asarray(column["distance_to_boundary_m"], dtype=np.float64))
        for target in self.targets:
            distances = self.snapshot.distance_columns(lat, lon, target)["results"]
            columns.append(np.asarray(distances["distance_m"], dtype=np.float64))
        return columns


def _joined(parts: tuple[Any, ...]) -> Any:
    """One column from its parts: lists concatenated, or arrays."""
    if isinstance(parts[0], list):
        return [value for part in parts for value in part]
    return np.concatenate(parts)


def _millimetres(metres: np.ndarray) -> np.ndarray:
    """Rounded to the millimetre (and -0.0 made 0.0): the nearest double to k/1000, so its
    shortest text has at most three decimals."""
    return np.round(metres, 3) + 0.0


def _decimal_texts(metres: np.ndarray) -> list[str]:
    """Each value's shortest text, to the millimetre: orjson writes a whole array in C,
    several times faster than formatting one float at a time."""
    text = orjson.dumps(_millimetres(metres), option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text[1:-1].split(",") if metres.size else []


def _text_cells(columns: list[Any], bad: dict[int, str], delimiter: str) -> list[list[str]]:
    """Added columns as CSV text (metres to the millimetre), error column included; bad
    rows' cells empty."""
    cells = [c if isinstance(c, list) else _decimal_texts(c) for c in columns]
    errors = [""] * len(cells[0])
    for index, reason in bad.items():
        for column in cells:
            column[index] = ""
        errors[index] = _quoted(reason, delimiter)
    return [*cells, errors]


def _json_cells(columns: list[Any], bad: dict[int, str]) -> list[list[Any]]:
    """Added columns as JSON values (metres rounded to the millimetre), error column
    included; bad rows' values null."""
    cells = [c if isinstance(c, list) else _millimetres(c).tolist() for c in columns]
    errors: list[str | None] = [None] * len(cells[0])
    for index, reason in bad.items():
        for column in cells:
            column[index] = None
        errors[index] = reason
    return [*cells, errors]


def _quoted(text: str, delimiter: str) -> str:
    """One CSV cell: quoted (quotes doubled) when it holds a delimiter, quote or newline."""
    if delimiter in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


# -- the pipeline ---------------------------------------------------------------------------


@dataclass
class Batch:
    """One chunk on its way through: where its rows are, their coordinates, and what its
    format needs to write it back."""

    #: Input line (or feature number) of each row.
    numbers: Sequence[int]
    located: Located
    payload: Any


def _run(
    batches: Iterable[Batch],
    annotator: Annotator,
    write: Callable[[Batch, list[Any]], None],
    report: Report,
    options: Options,
) -> None:
    """Compute every batch and write it, in input order. The main thread parses and writes
    while ``workers`` threads compute the batches in flight."""
    workers = (options.workers or _default_workers()) if annotator.parallel else 1
    pending: deque[tuple[Batch, Future[list[Any]]]] = deque()

    def finish() -> None:
        batch, future = pending.popleft()
        columns = future.result()
        for index, reason in sorted(batch.located.bad.items()):
            report.bad.append((batch.numbers[index], reason))
        report.rows += len(batch.numbers)
        report.annotated += len(batch.numbers) - len(batch.located.bad)
        report.inside += columns[0].count("inside") - sum(
            columns[0][i] == "inside" for i in batch.located.bad
        )
        write(batch, columns)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="annotate") as pool:
        for batch in batches:
            if options.strict and batch.located.bad:
                index = min(batch.located.bad)
                reason = batch.located.bad[index]
                raise AnnotateError(reason, batch.numbers[index], report.unit)
            located = batch.located
            pending.append((batch, pool.submit(annotator.compute, located.lat, located.lon)))
            if len(pending) > workers:
                finish()
        while pending:
            finish()


def _default_workers() -> int:
    """One per CPU this process may use, at most three: beyond that the main thread's
    reading and writing is the limit, and each chunk in flight costs ~40 MB (measured on
    the 1M-row bench: 224 MB with 2 threads, 264 with 3, 308 with 4, 457 with 8)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, 3))


def annotate_file(
    source: Path,
    target: IO[str],
    fmt: str,
    geocheck: Geocheck,
    options: Options,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Annotate ``source`` into the open text stream ``target``."""
    try:
        codecs.lookup(options.encoding)
    except LookupError:
        raise AnnotateError(f"unknown text encoding {options.encoding!r}") from None
    annotator = Annotator(geocheck, options)
    try:
        return _annotate_file(source, target, fmt, annotator, options, progress)
    except UnicodeDecodeError as err:
        name = options.encoding.removesuffix("-sig")
        raise AnnotateError(
            f"the file is not {name} text ({err.reason}, byte "
            f"{err.object[err.start : err.start + 1]!r}); name its encoding with --encoding, "
            "e.g. cp1252 or latin-1"
        ) from None


def _annotate_file(
    source: Path,
    target: IO[str],
    fmt: str,
    annotator: Annotator,
    options: Options,
    progress: Callable[[int], None] | None,
) -> Report:
    report = Report(unit="feature" if fmt == "geojson" else "line")
    # newline="" keeps line ends as they are: CSV lines are written back untouched.
    with (
        source.open("rb") as raw,
        io.TextIOWrapper(raw, encoding=options.encoding, newline="") as stream,
    ):
        done = 0

        def advance() -> None:
            # Bytes read so far from the file (reads run a little ahead of the rows
            # written: close enough for a progress bar).
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


# -- CSV --------------------------------------------------------------------------------------


def _delimiter(header_line: str) -> str:
    """Comma, unless the header has none and holds a tab, semicolon or bar."""
    if "," in header_line:
        return ","
    counts = {d: header_line.count(d) for d in OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records_spanning(
    lines: list[str], rest: Iterator[str], delimiter: str
) -> tuple[list[list[str]], list[str], list[int]]:
    """Parse lines holding a quoted field that spans lines: the records, each record's
    raw text and how many lines it took. A record cut at the end of ``lines`` is finished
    from ``rest``."""
    taken: list[str] = []
    source = chain(lines, rest)

    def tap() -> Iterator[str]:
        for line in source:
            taken.append(line)
            yield line

    records, texts, spans = [], [], []
    consumed = 0
    for record in csv.reader(tap(), delimiter=delimiter):
        records.append(record)
        texts.append("".join(taken).rstrip("\r\n"))
        spans.append(len(taken))
        consumed += len(taken)
        taken.clear()
        if consumed >= len(lines):
            break
    return records, texts, spans


def _open_quote(rows: list[list[str]]) -> bool:
    """Whether the last record ends inside a quoted field (its line break kept in the
    field): the record goes on in the next chunk."""
    last = rows[-1] if rows else []
    return bool(last) and last[-1][-1:] in ("\n", "\r")


@dataclass
class _BulkColumns:
    """Reads the lat and lon columns of a chunk of CSV lines in one call to numpy's C
    reader (several times faster than the csv module, which builds every cell).

    A line it cannot read (a bad number, a short row: the header's last column is read
    too, to prove the row is long enough) gets NaN, and :meth:`Locator.settle` reads that
    line again with the csv module, whose reading is the reference: it takes what numpy
    refused (numpy's number syntax is a subset of Python's ``float``) or says why the row
    is bad. A chunk that is not one record per line (a blank line, a quoted field over
    several lines) is refused whole (``None``): it goes through the csv module.
    """

    columns: tuple[int, ...]
    dtype: np.dtype[Any]
    delimiter: str

    @classmethod
    def for_header(cls, locator: Locator, width: int, delimiter: str) -> _BulkColumns | None:
        if locator.lat is None or locator.lon is None or locator.positions is None:
            return None
        lat, lon = locator.positions[locator.lat], locator.positions[locator.lon]
        fields = [("lat", "f8"), ("lon", "f8")]
        columns = [lat, lon]
        if width - 1 not in columns:
            columns.append(width - 1)
            fields.append(("last", "S1"))  # read only to prove the column is there
        return cls(tuple(columns), np.dtype(fields), delimiter)

    def read(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """lat and lon of every line (NaN where numpy cannot read it), or ``None``."""
        whole = self._load(lines)
        if whole is None:
            # Some line is not plain. If numpy still reads one record per line (its
            # reading of quotes, the one a whole chunk is trusted with), the lines can be
            # read in halves until the bad ones are alone.
            if not self._one_record_per_line(lines):
                return None
            whole = self._split(lines)
        # Fewer records than lines would have failed; a record running on into the next
        # chunk would not.
        return None if _open_quote(self.parse(lines[-1:])) else whole

    def parse(self, lines: list[str]) -> list[list[str]]:
        return list(csv.reader(lines, delimiter=self.delimiter))

    def _one_record_per_line(self, lines: list[str]) -> bool:
        first = self._table(lines, np.dtype("S1"), (0,))
        return first is not None and first.shape[0] == len(lines)

    def _split(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Halves retried until the lines numpy refuses are alone (NaN): a few bad rows
        cost a few more passes, not the csv module for the whole chunk."""
        whole = self._load(lines)
        if whole is not None:
            return whole
        if len(lines) == 1:
            return np.array([np.nan]), np.array([np.nan])
        middle = len(lines) // 2
        first, second = self._split(lines[:middle]), self._split(lines[middle:])
        return np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])

    def _load(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        table = self._table(lines, self.dtype, self.columns)
        if table is None or table.shape[0] != len(lines):  # blank lines, multi-line records
            return None
        return np.ascontiguousarray(table["lat"]), np.ascontiguousarray(table["lon"])

    def _table(
        self, lines: list[str], dtype: np.dtype[Any], columns: tuple[int, ...]
    ) -> np.ndarray | None:
        """numpy's reading of some columns of the lines, or ``None`` where it refuses."""
        if not lines[0].strip() and not "".join(lines).strip():
            return None  # nothing but blank lines (numpy would warn)
        try:
            return np.loadtxt(
                lines,
                dtype=dtype,
                delimiter=self.delimiter,
                usecols=columns,
                quotechar='"',
                comments=None,
                ndmin=1,
            )
        except (ValueError, TypeError):
            return None


def _records(
    lines: list[str], rest: Iterator[str], delimiter: str
) -> tuple[list[list[str]], list[str], list[int]]:
    """The records of a chunk of lines, each record's text (its lines, line end stripped)
    and how many lines it took. The csv module parses in C; this loop only notes where each
    record ends. A record cut at the end of the chunk is finished from ``rest``."""
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str]] = []
    ends: list[int] = []
    for row in reader:
        rows.append(row)
        ends.append(reader.line_num)
    starts = [0, *ends[:-1]]
    spans = np.diff([0, *ends])
    texts = list(map(lines.__getitem__, starts))
    for k in np.flatnonzero(spans > 1).tolist():  # a quoted field over several lines
        texts[k] = "".join(lines[starts[k] : ends[k]])
    if _open_quote(rows):  # maybe cut: parse it again, reading on as far as it goes
        last, text, span = _records_spanning(lines[starts[-1] :], rest, delimiter)
        rows[-1], texts[-1], spans[-1] = last[0], text[0], span[0]
    return rows, [text.rstrip("\r\n") for text in texts], spans.tolist()


def _settle_lines(
    locator: Locator,
    table: tuple[np.ndarray, np.ndarray],
    lines: list[str],
    texts: list[str],
    width: int,
    delimiter: str,
) -> Located:
    """:meth:`Locator.settle` for lines read in bulk: the rows it asks for are parsed on
    their own, and those shorter than the header padded in ``texts`` so that added cells
    line up (numpy read every other row's last column)."""
    asked: dict[int, list[str]] = {}

    def row_at(index: int) -> list[str]:
        row = asked[index] = next(csv.reader(lines[index : index + 1], delimiter=delimiter), [])
        return row

    located = locator.settle(*table, row_at)
    for index, row in asked.items():
        if len(row) < width:
            texts[index] += delimiter * (width - max(len(row), 1))
    return located


def _annotate_csv(
    stream: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    first = stream.readline()
    if not first.strip():
        raise AnnotateError("the CSV file is empty")
    delimiter = _delimiter(first)
    try:
        headers, header_texts, header_spans = _records_spanning([first], stream, delimiter)
    except csv.Error as err:
        raise AnnotateError(str(err), 1) from None
    header = headers[0]
    locator = Locator.for_columns(header, options)
    locator.positions = {name: i for i, name in enumerate(header)}
    width = len(header)
    names = annotator.columns()
    target.write(delimiter.join([header_texts[0], *(_quoted(n, delimiter) for n in names)]))
    target.write("\n")

    bulk = _BulkColumns.for_header(locator, width, delimiter)
    # Column getters, run in C over a whole chunk (none for one combined column).
    getters = [itemgetter(locator.positions[c]) for c in (locator.lat, locator.lon) if c]

    def batches() -> Iterator[Batch]:
        line = 1 + header_spans[0]
        while lines := list(islice(stream, options.chunk_size or CSV_CHUNK)):
            table = bulk.read(lines) if bulk else None
            if bulk and table is not None:  # one record per line
                texts = [text.rstrip("\r\n") for text in lines]
                numbers: Sequence[int] = range(line, line + len(lines))
                line += len(lines)
                located = _settle_lines(locator, table, lines, texts, width, delimiter)
                yield Batch(numbers, located, texts)
                continue
            try:
                rows, texts, spans = _records(lines, stream, delimiter)
            except csv.Error as err:
                raise AnnotateError(str(err), line) from None
            numbers = np.cumsum([line, *spans[:-1]]).tolist()
            line += sum(spans)
            if min(map(len, rows)) < width:  # pad short rows so added cells line up
                texts = [
                    t + delimiter * (width - max(len(r), 1)) if len(r) < width else t
                    for t, r in zip(texts, rows, strict=True)
                ]
            cells = None
            if getters:
                with suppress(IndexError):  # short rows: read them with the bounds checks
                    cells = (list(map(getters[0], rows)), list(map(getters[1], rows)))
            yield Batch(numbers, locator.locate(rows, cells), texts)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = _text_cells(columns, batch.located.bad, delimiter)
        target.write("\n".join(map(delimiter.join, zip(batch.payload, *cells, strict=True))))
        target.write("\n")
        advance()

    _run(batches(), annotator, write, report, options)


# -- NDJSON and GeoJSON ---------------------------------------------------------------------


def _feature_view(item: dict[str, Any]) -> dict[str, Any]:
    """The flat view of a GeoJSON Point feature that a Locator reads."""
    geometry = item.get("geometry") or {}
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if isinstance(coords, list) and len(coords) >= 2:
        return {"lat": coords[1], "lon": coords[0]}
    return {"lat": None, "lon": None}


def _parse_json_line(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:  # orjson refuses what json takes in a few corners (integers past 64 bits)
            return json.loads(text)
        except ValueError:
            return None


def _json_text(item: dict[str, Any]) -> str:
    try:
        return orjson.dumps(item).decode()
    except TypeError:  # integers past 64 bits, which json writes
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def _add_properties(item: dict[str, Any], values: dict[str, Any]) -> None:
    """Added values go into a Feature's properties, or onto a plain object."""
    if item.get("type") == "Feature":
        holder = item.get("properties")
        if not isinstance(holder, dict):
            holder = item["properties"] = {}
        holder.update(values)
    else:
        item.update(values)


def _annotate_ndjson(
    stream: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    names = annotator.columns()
    locator: Locator | None = None

    def batches() -> Iterator[Batch]:
        nonlocal locator
        numbered = ((n, text) for n, text in enumerate(stream, start=1) if text.strip())
        for chunk in _chunks(numbered, options.chunk_size or JSON_CHUNK):
            # Objects, or the line's text where it holds no JSON object.
            objects = [
                item if isinstance(item := _parse_json_line(text), dict) else text
                for _, text in chunk
            ]
            views = [
                None
                if not isinstance(item, dict)
                else (_feature_view(item) if item.get("type") == "Feature" else item)
                for item in objects
            ]
            if locator is None:
                first = next((view for view in views if view), None) or {}
                locator = Locator.for_columns(first.keys() or ["lat", "lon"], options)
            located = locator.locate(views)
            yield Batch([n for n, _ in chunk], located, objects)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = _json_cells(columns, batch.located.bad)
        out = []
        for item, values in zip(batch.payload, zip(*cells, strict=True), strict=True):
            if isinstance(item, dict):
                _add_properties(item, dict(zip(names, values, strict=True)))
            else:  # kept as text, with the reason
                item = {"geocheck_error": values[-1], "input": item.rstrip("\r\n")}
            out.append(_json_text(item))
        target.write("\n".join(out))
        target.write("\n")
        advance()

    _run(batches(), annotator, write, report, options)


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
    names = annotator.columns()

    def batches() -> Iterator[Batch]:
        size = options.chunk_size or JSON_CHUNK
        for start in range(0, len(features), size):
            chunk = features[start : start + size]
            views = [_feature_view(f) if isinstance(f, dict) else {} for f in chunk]
            numbers = range(start + 1, start + 1 + len(chunk))
            yield Batch(numbers, locator.locate(views), chunk)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = _json_cells(columns, batch.located.bad)
        for feature, values in zip(batch.payload, zip(*cells, strict=True), strict=True):
            if isinstance(feature, dict):
                _add_properties(feature, dict(zip(names, values, strict=True)))

    _run(batches(), annotator, write, report, options)
    json.dump(document, target, ensure_ascii=False)
    target.write("\n")


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


# -- Python API -----------------------------------------------------------------------------


def annotate_rows(
    rows: Iterable[dict[str, Any]], geocheck: Geocheck, options: Options
) -> Iterator[dict[str, Any]]:
    """The Python API's annotate: dicts in (with lat/lon or a coordinates key), annotated
    dicts out, lazily, chunk by chunk; bad rows carry ``geocheck_error``. Numbers come
    back as numbers (metres, rounded to the millimetre), missing ones as ``None``.

    Unknown ``distance_to`` names raise :class:`AnnotateError` here, before any row is read.
    """
    annotator = Annotator(geocheck, options)
    return _annotated_rows(rows, annotator, options)


def _annotated_rows(
    rows: Iterable[dict[str, Any]], annotator: Annotator, options: Options
) -> Iterator[dict[str, Any]]:
    names = annotator.columns()
    locator: Locator | None = None
    line = 1
    for chunk in _chunks(rows, options.chunk_size or JSON_CHUNK):
        if locator is None:
            locator = Locator.for_columns(chunk[0].keys(), options)
        located = locator.locate(chunk)
        if options.strict and located.bad:
            index = min(located.bad)
            raise AnnotateError(located.bad[index], line + index, "row")
        line += len(chunk)
        cells = _json_cells(annotator.compute(located.lat, located.lon), located.bad)
        for row, values in zip(chunk, zip(*cells, strict=True), strict=True):
            yield {**row, **dict(zip(names, values, strict=True))}


__all__ = [
    "FORMATS",
    "AnnotateError",
    "Options",
    "Report",
    "annotate_file",
    "annotate_rows",
    "detect_format",
]
