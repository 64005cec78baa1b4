"""/health, /features and /features/{id}: the served set matches the sources."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.geodesy import oracle


def test_health(client: FlaskClient) -> None:
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["features"] == 18 and body["data_version"] == 1


def test_collection_is_geojson(client: FlaskClient) -> None:
    response = client.get("/features")
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    ids = {f["id"] for f in body["features"]}
    assert {"palmyra", "palmyra-damascus-highway", "al-tanf-deconfliction-zone", "syria"} <= ids
    sites = client.get("/features?kind=site").get_json()["features"]
    assert {f["properties"]["kind"] for f in sites} == {"site"}


def test_time_filter(client: FlaskClient) -> None:
    before = client.get("/features?kind=zone&at=2017-05-15").get_json()["features"]
    after = client.get("/features?kind=zone&at=2017-06-15T00:00:00Z").get_json()["features"]
    assert before == [] and [f["id"] for f in after] == ["al-tanf-deconfliction-zone"]


@pytest.mark.parametrize("ref", ["palmyra", "Tadmur", "TADMOR", "tádmür", "تدمر"])
def test_lookup_by_alias_case_and_accent_insensitive(client: FlaskClient, ref: str) -> None:
    response = client.get(f"/features/{ref}")
    assert response.status_code == 200
    assert response.get_json()["id"] == "palmyra"


def test_unknown_id_suggests_close_matches(client: FlaskClient) -> None:
    response = client.get("/features/palmira")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "palmyra" in response.get_json()["suggestions"]


def test_zone_is_served_as_an_exact_circle_and_a_display_polygon(client: FlaskClient) -> None:
    zone = client.get("/features/al-tanf-deconfliction-zone").get_json()
    rule = zone["properties"]["zone"]
    assert rule["shape"] == "circle" and rule["radius_m"] == 55_000.0
    assert rule["centre"] == "al-tanf-garrison"
    assert rule["centre_point"] == {"lon": 38.6178, "lat": 33.5058}
    assert zone["properties"]["effective_uncertainty_m"] == 2_000.0
    assert zone["geometry"]["type"] == "Polygon"
    for lon, lat in zone["geometry"]["coordinates"][0]:
        assert abs(oracle.distance(lon, lat, 38.6178, 33.5058) - 55_000.0) < 1e-3
