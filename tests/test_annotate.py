"""Bulk annotation: every record kept and answered as it would be on its own, whatever the
chunking, the threads, or the CSV's quoting, line ends, blank and short rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.annotate import AnnotateError, Options, Report, annotate_file, annotate_rows
from service.annotate.csv import BulkColumns
from service.annotate.locate import Locator
from service.client import LocalGeocheck

HEADER = ["id", "notes", "latitude", "longitude", "when"]
TARGETS = ["palmyra", "palmyra-damascus-highway"]
#: Added numbers are rounded to the millimetre.
ROUNDING_M = 0.0005 + 1e-9


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGeocheck]:
    client = LocalGeocheck(f"sqlite:///{tmp_path_factory.mktemp('annotate') / 'a.sqlite'}")
    yield client
    client.close()


def annotate_text(
    local: LocalGeocheck, text: str, fmt: str = "csv", **options: Any
) -> tuple[str, Report]:
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


def expected_records(text: str) -> list[tuple[int, list[str]]]:
    """(first line, record) of every data record, as the csv module reads them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    records, line = [], reader.line_num + 1
    for record in reader:
        records.append((line, record))
        line = reader.line_num + 1
    return records


def check_against_single_rows(local: LocalGeocheck, text: str, output: str, report: Report) -> None:
    """Each output record: the input record (padded to the header), then the cells one
    point asked on its own gets, or the reason it is bad."""
    records = expected_records(text)
    out = list(csv.reader(io.StringIO(output, newline="")))
    header, body = out[0], out[1:]
    width = len(HEADER)
    assert header[:width] == HEADER and header[-1] == "geocheck_error"
    assert len(body) == len(records)
    locator = Locator.for_columns(HEADER, Options())
    locator.positions = {name: i for i, name in enumerate(HEADER)}
    bad = []
    for (line, record), got in zip(records, body, strict=True):
        padded = record + [""] * (width - len(record))
        assert got[: len(padded)] == padded
        added = got[len(padded) :]
        try:
            lat, lon = locator.read(record)
        except ValueError as err:
            assert added[-1] == str(err) and not any(added[:-1])
            bad.append((line, str(err)))
            continue
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


@given(
    rows=event_rows(),
    line_end=st.sampled_from(["\n", "\r\n"]),
    blank_every=st.sampled_from([0, 0, 3]),
    chunk_size=st.sampled_from([1, 2, 3, 7, 50_000]),
)
def test_records_are_kept_and_answered_as_single_points(
    local: LocalGeocheck, rows: list[list[str]], line_end: str, blank_every: int, chunk_size: int
) -> None:
    text = write_csv(rows, line_end, blank_every)
    output, report = annotate_text(local, text, chunk_size=chunk_size, workers=2)
    check_against_single_rows(local, text, output, report)


def test_output_does_not_depend_on_chunks_or_threads(local: LocalGeocheck) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for index in range(400):
        lat, lon = f"{rng.uniform(32.5, 35.5):.5f}", f"{rng.uniform(36, 40):.5f}"
        notes = ["reported", 'said "near, the base"', "two\nlines", ""][index % 4]
        row = [f"ev{index}", notes, lat, lon, "2017-06-01"]
        if index % 37 == 5:
            row[2] = ["", "n/a", "95"][index % 3]
        rows.append(row[:3] if index % 53 == 7 else row)
    text = "\ufeff" + write_csv(rows, "\r\n", 41)
    outputs = {
        (chunk, workers): annotate_text(local, text, chunk_size=chunk, workers=workers)
        for chunk in (1, 5, 64, 399, 50_000)
        for workers in (1, 2)
    }
    first_output, first_report = next(iter(outputs.values()))
    for output, report in outputs.values():
        assert output == first_output and report == first_report
    check_against_single_rows(local, text.lstrip("\ufeff"), first_output, first_report)


def test_lines_are_written_back_untouched(local: LocalGeocheck) -> None:
    text = 'id,latitude,longitude\n"a",33.9,38.2\n"b""",  33.5 ,"38.6"\n'
    output, _ = annotate_text(local, text)
    lines = output.splitlines()
    assert lines[1].startswith('"a",33.9,38.2,outside,')
    assert lines[2].startswith('"b""",  33.5 ,"38.6",inside,')


def test_other_delimiters_are_recognised(local: LocalGeocheck) -> None:
    for delimiter in ("\t", ";", "|"):
        text = delimiter.join(["id", "lat", "lon"]) + "\n" + delimiter.join(["a", "33.5", "38.6"])
        output, report = annotate_text(local, text + "\n")
        assert report.annotated == 1
        assert output.splitlines()[1].split(delimiter)[:4] == ["a", "33.5", "38.6", "inside"]


def test_a_bad_row_is_named_by_its_physical_line(local: LocalGeocheck) -> None:
    text = 'id,notes,lat,lon\na,"three\nline\nnote",33.5,38.6\nb,,,38.6\n'
    _, report = annotate_text(local, text)
    assert report.bad == [(5, "lat is empty")]
    with pytest.raises(AnnotateError, match="line 5: lat is empty"):
        annotate_text(local, text, strict=True)


def test_one_combined_column(local: LocalGeocheck) -> None:
    text = "id,location\na,\"33°30'N, 38°36'E\"\nb,37S DT 645 074\nc,nowhere\n"
    output, report = annotate_text(local, text)
    assert report.annotated == 2 and report.bad[0][0] == 4
    rows = list(csv.reader(io.StringIO(output)))
    expected = local.check(["33°30'N, 38°36'E", "37S DT 645 074"])["results"]
    assert [row[2] for row in rows[1:3]] == [r["verdict"] for r in expected]
    assert rows[3][-1]  # the reason the third point could not be read


def test_bulk_reader_refuses_what_it_cannot_prove() -> None:
    locator = Locator("lat", "lon", None, {"id": 0, "lat": 1, "lon": 2, "notes": 3})
    bulk = BulkColumns.for_header(locator, 4, ",")
    assert bulk is not None
    lat, lon = bulk.read(["a,33.5,38.6,x\n", "b,34,39,y\n"]) or (None, None)
    assert lat is not None and lat.tolist() == [33.5, 34.0] and lon.tolist() == [38.6, 39.0]
    # A quoted field left open at the end goes on in the next chunk.
    assert bulk.read(["a,33.5,38.6,x\n", 'b,34,39,"y\n']) is None
    # A record over two lines inside the chunk.
    assert bulk.read(['a,33.5,38.6,"x\n', 'y"\n', "b,34,39,z\n"]) is None
    # A blank line: the csv module reads the chunk.
    assert bulk.read(["a,33.5,38.6,x\n", "\n", "d,1,2,w\n"]) is None
    # A short row and a bad number: NaN there, the rest read.
    lines = ["a,33.5,38.6,x\n", "b,34,39\n", "c,n/a,39,z\n", "d,1,2,w\n"]
    lat, lon = bulk.read(lines) or (None, None)
    assert lat is not None and np.isnan(lat[1:3]).all() and lat[[0, 3]].tolist() == [33.5, 1.0]


def test_quotes_inside_unquoted_fields_are_read_as_the_csv_module_reads_them(
    local: LocalGeocheck,
) -> None:
    # Not RFC 4180: a quote inside a plain field is a character, one opening a field
    # starts a quoted field that here runs on into the next line.
    body = 'e1,x"y,33.5,38.6,"open\nclose",z"w\ne2,"ok",33.6,38.7,now\ne3,a"b,34,39,c"\n'
    text = ",".join(HEADER) + "\n" + body
    for chunk_size in (1, 2, 50_000):
        output, report = annotate_text(local, text, chunk_size=chunk_size)
        check_against_single_rows(local, text, output, report)


def test_ndjson_values_are_json_values(local: LocalGeocheck) -> None:
    lines = [
        {"id": 1, "lat": 33.5, "lon": 38.6},
        {"id": 2, "lat": True, "lon": 38.6},
        {"id": 3, "lat": [33.5], "lon": 38.6},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [38.2, 33.9]}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n\n[1, 2]\n"
    text += '{"lat": 1' + "0" * 400 + ', "lon": 2}\n'  # past the float range
    output, report = annotate_text(local, text, "ndjson")
    rows = [json.loads(line) for line in output.splitlines()]
    assert rows[0]["geocheck_verdict"] == "inside" and rows[0]["geocheck_error"] is None
    distance = rows[0]["distance_to_palmyra_m"]
    assert isinstance(distance, float) and round(distance, 3) == distance
    assert rows[1]["geocheck_error"] == "lat is not a number"
    assert rows[1]["geocheck_verdict"] is None
    assert rows[2]["geocheck_error"] == "lat is not a number: '[33.5]'"
    assert rows[3]["properties"]["geocheck_verdict"] == "outside"
    assert rows[4] == {"geocheck_error": "not a JSON object", "input": "[1, 2]"}
    assert rows[5]["geocheck_error"] == "lat is not a finite number"
    assert [line for line, _ in report.bad] == [2, 3, 6, 7]


def test_geojson_counts_features(local: LocalGeocheck) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [38.6, 33.5]}},
            {"type": "Feature", "geometry": None, "properties": {"n": 2}},
        ],
    }
    output, report = annotate_text(local, json.dumps(collection), "geojson")
    features = json.loads(output)["features"]
    assert features[0]["properties"]["geocheck_verdict"] == "inside"
    assert features[1]["properties"]["n"] == 2 and report.unit == "feature"
    assert report.bad == [(2, "lat is empty")]


def test_rows_api_keeps_the_input_and_pins_one_version(local: LocalGeocheck) -> None:
    events = ({"id": i, "lat": 33.5, "lon": 38.6} for i in range(5))
    rows = list(annotate_rows(events, local, Options(distance_to=["palmyra"], chunk_size=2)))
    assert [r["id"] for r in rows] == list(range(5))
    assert {r["geocheck_verdict"] for r in rows} == {"inside"}
    with pytest.raises(AnnotateError, match=r"feature ids or names, not '34\.5, 38\.2'"):
        list(annotate_rows([{"lat": 1, "lon": 2}], local, Options(distance_to=["34.5, 38.2"])))


def test_an_unknown_target_is_refused_before_any_work(local: LocalGeocheck) -> None:
    with pytest.raises(AnnotateError, match="Did you mean: palmyra"):
        annotate_rows([{"lat": 1, "lon": 2}], local, Options(distance_to=["palmira"]))


def test_encodings(local: LocalGeocheck) -> None:
    folder = Path(local.store.engine.url.database).parent
    source = folder / "latin.csv"
    source.write_bytes("id,lat,lon,notes\na,33.5,38.6,café\n".encode("cp1252"))
    with pytest.raises(AnnotateError, match=r"not utf-8 text .* --encoding"):
        annotate_file(source, io.StringIO(), "csv", local, Options())
    target = io.StringIO()
    annotate_file(source, target, "csv", local, Options(encoding="cp1252"))
    assert target.getvalue().splitlines()[1].startswith("a,33.5,38.6,café,inside,")
    with pytest.raises(AnnotateError, match="unknown text encoding 'klingon'"):
        annotate_file(source, io.StringIO(), "csv", local, Options(encoding="klingon"))


@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    "id,lat,lon\n",
                    "a,33.5,38.6\n",
                    '"',
                    ",",
                    "\n",
                    "\r",
                    "\x00",
                    "{",
                    "}",
                    "[",
                    '"lat":',
                    '"lon":',
                    "1e999",
                    "-",
                    "33.5",
                    "true",
                    "null",
                    "\ufeff",
                    "é",
                    ";",
                    "\t",
                    '{"lat": 33.5, "lon": 38.6}\n',
                    "1" * 30,
                ]
            ),
            max_size=30,
        ).map(lambda parts: "".join(parts).encode("utf-8")),
    ),
    fmt=st.sampled_from(["csv", "ndjson", "geojson"]),
    chunk_size=st.sampled_from([1, 3, None]),
)
def test_any_input_is_annotated_or_refused_in_one_line(
    local: LocalGeocheck, data: bytes, fmt: str, chunk_size: int | None
) -> None:
    """Rotten files end in an :class:`AnnotateError` (one line from the CLI), never in
    another exception (a traceback)."""
    folder = Path(local.store.engine.url.database).parent
    source = folder / f"fuzz.{fmt}"
    source.write_bytes(data)
    try:
        report = annotate_file(source, io.StringIO(), fmt, local, Options(chunk_size=chunk_size))
    except AnnotateError as err:
        assert str(err)
    else:
        assert report.annotated + len(report.bad) == report.rows
