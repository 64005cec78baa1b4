"""Event files as users have them, and what annotating one must give: every record kept and
answered as its point would be on its own, or refused with the reason."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from schemas.notation import lat_lon_errors
from service.annotate import Options, Report, annotate_file
from service.client import LocalGeocheck

HEADER = ["id", "notes", "latitude", "longitude", "when"]
TARGETS = ["palmyra", "palmyra-damascus-highway"]
#: Added numbers are rounded to the millimetre.
ROUNDING_M = 0.0005 + 1e-9


def annotate_text(
    local: LocalGeocheck, text: str, fmt: str = "csv", **options: Any
) -> tuple[str, Report]:
    """The output and report of annotating ``text``, with distances to :data:`TARGETS`."""
    folder = Path(local.store.engine.url.database).parent
    source = folder / f"input.{fmt}"
    source.write_bytes(text.encode("utf-8"))
    target = io.StringIO()
    report = annotate_file(source, target, fmt, local, Options(distance_to=TARGETS, **options))
    return target.getvalue(), report


# -- what a messy event file holds --------------------------------------------------------

NUMBER = st.one_of(
    st.floats(32.0, 36.0).map(lambda v: f"{v:.5f}"),
    st.floats(36.0, 40.0).map(lambda v: f" {v:.4f} "),
    st.floats(-90.0, 90.0).map(lambda v: f"{v:.6e}"),
)
ROTTEN = st.sampled_from(["", "n/a", "nan", "inf", "95.5", "-181", "33,5", "١٢", "1_0", "0x10"])
TEXT = st.text(
    st.sampled_from(list('abc ,;"\n\r\t#é')) | st.characters(codec="utf-8"), max_size=12
).filter(lambda t: "\x00" not in t)


@st.composite
def event_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for index in range(draw(st.integers(1, 25))):
        lat = draw(st.one_of(NUMBER, ROTTEN)) if draw(st.booleans()) else draw(NUMBER)
        lon = draw(st.one_of(NUMBER, ROTTEN)) if draw(st.booleans()) else draw(NUMBER)
        row = [f"ev{index}", draw(TEXT), lat, lon, draw(TEXT)]
        cut = draw(st.sampled_from([5, 5, 5, 4, 3, 2, 6]))  # short and long rows too
        rows.append(row[:cut] if cut <= 5 else [*row, "extra"])
    return rows


def write_csv(rows: list[list[str]], line_end: str, blank_every: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(HEADER)
    for index, row in enumerate(rows):
        writer.writerow(row)
        if blank_every and index % blank_every == blank_every - 1:
            out.write(line_end)
    return out.getvalue()


# -- what annotating it must give ---------------------------------------------------------


def expected_records(text: str) -> list[tuple[int, list[str]]]:
    """(first line, record) of every data record, as the csv module reads them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    records, line = [], reader.line_num + 1
    for record in reader:
        records.append((line, record))
        line = reader.line_num + 1
    return records


def _cell_number(record: list[str], index: int) -> float | str:
    """The number in one of :data:`HEADER`'s columns, or why there is none. Python's
    ``float`` is the reference (numpy's reader is a faster subset of it): it also reads
    ``" 33.5 "``, ``"1_0"`` and other scripts' digits, and refuses ``"33,5"``."""
    name = HEADER[index]
    cell = record[index] if index < len(record) else ""
    if cell == "":
        return f"{name} is empty"
    try:
        number = float(cell)
    except ValueError:
        return f"{name} is not a number: {cell[:40]!r}"
    return number if math.isfinite(number) else f"{name} is not a finite number"


def expected_point(record: list[str]) -> tuple[float, float] | str:
    """A record's (lat, lon), or the reason it has none: latitude read first, then
    longitude, then the API's range check (:func:`schemas.notation.lat_lon_errors`)."""
    lat = _cell_number(record, HEADER.index("latitude"))
    if isinstance(lat, str):
        return lat
    lon = _cell_number(record, HEADER.index("longitude"))
    if isinstance(lon, str):
        return lon
    problems = lat_lon_errors(lat, lon)
    return " ".join(problems.values()) if problems else (lat, lon)


def check_against_single_rows(local: LocalGeocheck, text: str, output: str, report: Report) -> None:
    """Each output record: the input record (padded to the header), then the cells one
    point asked on its own gets, or the reason it is bad."""
    records = expected_records(text)
    out = list(csv.reader(io.StringIO(output, newline="")))
    header, body = out[0], out[1:]
    width = len(HEADER)
    assert header[:width] == HEADER and header[-1] == "geocheck_error"
    assert len(body) == len(records)
    bad = []
    for (line, record), got in zip(records, body, strict=True):
        padded = record + [""] * (width - len(record))
        assert got[: len(padded)] == padded
        added = got[len(padded) :]
        point = expected_point(record)
        if isinstance(point, str):
            assert added[-1] == point and not any(added[:-1])
            bad.append((line, point))
            continue
        lat, lon = point
        one = local.check_columns([lat], [lon])
        assert added[0] == one["results"]["verdict"][0]
        zone = one["results"]["zones"]["al-tanf-deconfliction-zone"]
        assert added[1] == zone["verdict"][0]
        assert abs(float(added[2]) - zone["distance_to_boundary_m"][0]) <= ROUNDING_M
        for cell, target in zip(added[3:5], TARGETS, strict=True):
            distance = local.distance_columns([lat], [lon], target)["results"]["distance_m"][0]
            assert abs(float(cell) - distance) <= ROUNDING_M
        assert added[5] == ""
    assert report.bad == bad
    assert report.rows == len(records) and report.annotated == len(records) - len(bad)
