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
The whole run answers from one snapshot (``Geocheck.snapshot``: one data version, one
instant). Per chunk, the main thread reads and parses while worker threads compute
earlier chunks: the geodesy runs in pyproj and numpy, which release the GIL, so on two
cores reading and computing overlap. Per-row Python is avoided on the common path: the
lat and lon columns of a CSV chunk are read by numpy's C reader
(:class:`~service.annotate.csv.BulkColumns`), distances are written as text by orjson
over whole arrays, and each output line is the input line, untouched, joined to its added
cells. Chunks numpy will not read as one record per line go through the csv module (also
C); only bad rows are read one by one, to say why.

The package, by concern: :mod:`~service.annotate.options` (what a run takes and reports),
:mod:`~service.annotate.locate` (finding and reading the coordinates),
:mod:`~service.annotate.pipeline` (computing chunks in threads from the snapshot),
:mod:`~service.annotate.cells` (the added cells as text or JSON values), and one module per
format: :mod:`~service.annotate.csv`, :mod:`~service.annotate.jsonl` (NDJSON) and
:mod:`~service.annotate.geojson`.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from service.annotate.cells import json_cells
from service.annotate.csv import CSV_CHUNK, OTHER_DELIMITERS, annotate_csv
from service.annotate.geojson import annotate_geojson
from service.annotate.jsonl import JSON_CHUNK, annotate_ndjson
from service.annotate.locate import COORD_NAMES, LAT_NAMES, LON_NAMES, Located, Locator
from service.annotate.options import AnnotateError, Options, Report
from service.annotate.pipeline import Annotator, Batch, chunks
from service.client import Geocheck

FORMATS = ("csv", "ndjson", "geojson")


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
            annotate_csv(stream, target, annotator, options, report, advance)
        elif fmt == "ndjson":
            annotate_ndjson(stream, target, annotator, options, report, advance)
        else:
            annotate_geojson(stream, target, annotator, options, report)
            advance()
    return report


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
    for chunk in chunks(rows, options.chunk_size or JSON_CHUNK):
        if locator is None:
            locator = Locator.for_columns(chunk[0].keys(), options)
        located = locator.locate(chunk)
        if options.strict and located.bad:
            index = min(located.bad)
            raise AnnotateError(located.bad[index], line + index, "row")
        line += len(chunk)
        cells = json_cells(annotator.compute(located.lat, located.lon), located.bad)
        for row, values in zip(chunk, zip(*cells, strict=True), strict=True):
            yield {**row, **dict(zip(names, values, strict=True))}


# What ``service.annotate`` offered as one module, still importable from here.
__all__ = [
    "COORD_NAMES",
    "CSV_CHUNK",
    "FORMATS",
    "JSON_CHUNK",
    "LAT_NAMES",
    "LON_NAMES",
    "OTHER_DELIMITERS",
    "AnnotateError",
    "Annotator",
    "Batch",
    "Located",
    "Locator",
    "Options",
    "Report",
    "annotate_file",
    "annotate_rows",
    "detect_format",
]
