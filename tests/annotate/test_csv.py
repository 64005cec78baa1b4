"""CSV: every record kept and answered as it would be on its own, whatever the chunking,
the quoting, line ends, delimiters, blank and short rows; and the bulk reader's limits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.annotate import AnnotateError
from service.annotate.csv import BulkColumns
from service.annotate.locate import Locator
from service.client import LocalGeocheck
from tests.annotate.helpers import (
    HEADER,
    annotate_text,
    check_against_single_rows,
    event_rows,
    write_csv,
)


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
