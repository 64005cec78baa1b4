"""Finding the coordinate columns and reading each row's point, or saying why it has none."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from service.annotate import AnnotateError, Options, annotate_rows
from service.annotate.locate import Locator
from service.client import LocalGeocheck
from tests.annotate.helpers import annotate_text


def test_columns_are_found_by_their_usual_names() -> None:
    found = Locator.for_columns(["id", " Latitude ", "LNG", "x"], Options())
    assert (found.lat, found.lon, found.combined) == (" Latitude ", "LNG", None)
    combined = Locator.for_columns(["id", "Location"], Options())
    assert (combined.lat, combined.lon, combined.combined) == (None, None, "Location")
    named = Locator.for_columns(["a", "b"], Options(lat_col="b", lon_col="a"))
    assert (named.lat, named.lon) == ("b", "a")
    with pytest.raises(AnnotateError, match="no column 'north' for latitude; columns are: a, b"):
        Locator.for_columns(["a", "b"], Options(lat_col="north"))
    with pytest.raises(AnnotateError, match="no coordinate columns found"):
        Locator.for_columns(["a", "b"], Options())


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("33.5", "38.6", (33.5, 38.6)),
        (" 33.5 ", 38.6, (33.5, 38.6)),
        ("3.35e1", "-38", (33.5, -38.0)),
        ("١٢", "1_0", (12.0, 10.0)),  # Python's float reads these; numpy's reader does not
        ("", 1, "lat is empty"),
        (None, 1, "lat is empty"),
        ("n/a", "x", "lat is not a number: 'n/a'"),
        ("33.5", "x", "lon is not a number: 'x'"),
        (True, 1, "lat is not a number"),
        ([33.5], 1, "lat is not a number: '[33.5]'"),
        ("nan", 1, "lat is not a finite number"),
        ("1e400", 1, "lat is not a finite number"),
        (10**400, 1, "lat is not a finite number"),
        (133.9, 38.2, "Latitude 133.9 is outside [-90, 90]. lat and lon may be swapped."),
        (200, 10, "Latitude 200.0 is outside [-90, 90]."),
        (33.9, 238.2, "Longitude 238.2 is outside [-180, 180]."),
        (
            -95,
            -200,
            "Latitude -95.0 is outside [-90, 90]. Longitude -200.0 is outside [-180, 180].",
        ),
    ],
)
def test_cells_are_read_or_refused_with_the_reason(lat: Any, lon: Any, expected: Any) -> None:
    rows = [{"lat": 33.0, "lon": 38.0}, {"lat": lat, "lon": lon}]
    located = Locator("lat", "lon", None).locate(rows)
    if isinstance(expected, str):
        assert located.bad == {1: expected}
    else:
        assert not located.bad
        assert (located.lat[1], located.lon[1]) == expected
    assert (located.lat[0], located.lon[0]) == (33.0, 38.0)


def test_one_combined_column(local: LocalGeocheck) -> None:
    text = "id,location\na,\"33°30'N, 38°36'E\"\nb,37S DT 645 074\nc,nowhere\n"
    output, report = annotate_text(local, text)
    assert report.annotated == 2 and report.bad[0][0] == 4
    rows = list(csv.reader(io.StringIO(output)))
    expected = local.check(["33°30'N, 38°36'E", "37S DT 645 074"])["results"]
    assert [row[2] for row in rows[1:3]] == [r["verdict"] for r in expected]
    assert rows[3][-1]  # the reason the third point could not be read


def test_points_out_of_range_get_the_apis_reason(local: LocalGeocheck) -> None:
    events = [
        {"id": "a", "lat": 133.9, "lon": 38.2},
        {"id": "b", "lat": 200, "lon": 10},
        {"id": "c", "location": "133.9, 38.2"},
    ]
    rows = list(annotate_rows(events[:2], local, Options()))
    swapped = "Latitude 133.9 is outside [-90, 90]. lat and lon may be swapped."
    assert [r["geocheck_error"] for r in rows] == [swapped, "Latitude 200.0 is outside [-90, 90]."]
    combined = list(annotate_rows(events[2:], local, Options(coord_col="location")))
    assert combined[0]["geocheck_error"] == swapped
