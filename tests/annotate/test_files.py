"""``annotate_file``: text encodings, and any input annotated or refused in one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.annotate import AnnotateError, Options, annotate_file
from service.client import LocalGeocheck


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
