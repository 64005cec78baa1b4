"""GeoJSON FeatureCollections: added values in each feature's properties, bad features
reported by their number."""

from __future__ import annotations

import json

from service.client import LocalGeocheck
from tests.annotate.helpers import annotate_text


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
