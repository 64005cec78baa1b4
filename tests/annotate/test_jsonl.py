"""NDJSON: values come back as JSON values, and lines that hold no object are kept."""

from __future__ import annotations

import json

from service.client import LocalGeocheck
from tests.annotate.helpers import annotate_text


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
