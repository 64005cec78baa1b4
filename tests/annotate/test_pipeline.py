"""The computing side: the same output whatever the chunks and threads, one pinned data
version, and targets checked before any work."""

from __future__ import annotations

import numpy as np
import pytest

from service.annotate import AnnotateError, Options, annotate_rows
from service.client import LocalGeocheck
from tests.annotate.helpers import annotate_text, check_against_single_rows, write_csv


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
