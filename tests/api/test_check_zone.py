"""POST /check-zone against an independent oracle, in every input form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.geodesy import oracle
from tests.geodesy.shapes import HIGHWAY
from tests.helpers import WRITE_HEADERS

CENTRE = (38.6178, 33.5058)
ZONE = "al-tanf-deconfliction-zone"


def _boundary_point(az: float, offset: float) -> tuple[float, float]:
    out = oracle.WGS84.Direct(CENTRE[1], CENTRE[0], az, 55_000.0 + offset)
    return out["lon2"], out["lat2"]


def _check(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/check-zone", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("offset", [-3000.0, -2000.5, -1.0, 0.0, 0.5, 1999.0, 2000.5, 9000.0])
def test_verdict_and_distance_near_the_boundary(client: FlaskClient, offset: float) -> None:
    lon, lat = _boundary_point(137.0, offset)
    body = _check(client, {"point": {"lat": lat, "lon": lon, "id": "p"}})
    answer = body["results"][0]["zones"][0]
    expected = oracle.distance(lon, lat, *CENTRE) - 55_000.0
    assert answer["distance_to_boundary_m"] == pytest.approx(expected, abs=1e-6)
    assert answer["margin_m"] == 2000.0
    verdict = "inside" if expected < -2000 else "outside" if expected > 2000 else "uncertain"
    assert answer["verdict"] == verdict == body["results"][0]["verdict"]
    assert body["results"][0]["id"] == "p" and body["data_version"] == 1


def test_accuracy_widens_the_margin(client: FlaskClient) -> None:
    lon, lat = _boundary_point(10.0, -2500.0)
    plain = _check(client, {"point": {"lat": lat, "lon": lon}})["results"][0]
    fuzzy = _check(client, {"point": {"lat": lat, "lon": lon, "accuracy_m": 1000}})["results"][0]
    assert plain["verdict"] == "inside" and fuzzy["verdict"] == "uncertain"
    assert fuzzy["zones"][0]["margin_m"] == 3000.0


def test_all_forms_give_the_same_answers(client: FlaskClient) -> None:
    rng = np.random.default_rng(4)
    lons, lats = rng.uniform(37.5, 39.8, 30).tolist(), rng.uniform(32.8, 34.3, 30).tolist()
    objects = _check(
        client,
        {
            "points": [
                {"lat": a, "lon": b, "id": i}
                for i, (a, b) in enumerate(zip(lats, lons, strict=True))
            ]
        },
    )
    strings = _check(client, {"points": [f"{a!r}, {b!r}" for a, b in zip(lats, lons, strict=True)]})
    columns = _check(client, {"points": {"lat": lats, "lon": lons, "id": list(range(30))}})
    features = _check(
        client,
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [b, a]},
                    "properties": {"id": i},
                }
                for i, (a, b) in enumerate(zip(lats, lons, strict=True))
            ],
        },
    )
    verdicts = [r["verdict"] for r in objects["results"]]
    assert verdicts == [r["verdict"] for r in strings["results"]]
    assert verdicts == [r["verdict"] for r in features["results"]]
    assert verdicts == columns["results"]["verdict"]
    distances = [r["zones"][0]["distance_to_boundary_m"] for r in objects["results"]]
    assert distances == columns["results"]["zones"][ZONE]["distance_to_boundary_m"]
    assert [r["id"] for r in features["results"]] == list(range(30))
    for lon, lat, d in zip(lons, lats, distances, strict=True):
        assert d == pytest.approx(oracle.distance(lon, lat, *CENTRE) - 55_000.0, abs=1e-6)


def test_verdicts_only_fast_path_agrees(client: FlaskClient) -> None:
    rng = np.random.default_rng(8)
    lats, lons = rng.uniform(32.9, 34.1, 1000).tolist(), rng.uniform(37.9, 39.4, 1000).tolist()
    full = _check(client, {"points": {"lat": lats, "lon": lons}})
    fast = _check(client, {"points": {"lat": lats, "lon": lons}, "distances": False})
    assert full["results"]["verdict"] == fast["results"]["verdict"]
    assert "distance_to_boundary_m" not in fast["results"]["zones"][ZONE]


def test_time_and_zone_selection(client: FlaskClient) -> None:
    point = {"lat": 33.5, "lon": 38.6}
    assert _check(client, {"point": point, "at": "2017-05-01"})["zones"] == []
    chosen = _check(client, {"point": point, "zones": ["Tanf 55 km zone"]})
    assert chosen["zones"][0]["zone"] == ZONE and chosen["results"][0]["verdict"] == "inside"
    assert (
        client.post("/check-zone", json={"point": point, "zones": ["nowhere"]}).status_code == 404
    )
    assert (
        client.post("/check-zone", json={"point": point, "zones": ["palmyra"]}).status_code == 422
    )


def test_batch_limit_is_413(client: FlaskClient) -> None:
    response = client.post(
        "/check-zone", json={"points": {"lat": [33.0] * 1001, "lon": [38.0] * 1001}}
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "points" in response.get_json()["errors"]


POLYGON_RING = [(37.9, 34.0), (38.6, 34.1), (38.4, 34.7), (37.8, 34.5)]


def _zone(feature_id: str, geometry: dict[str, Any] | None, rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "id": feature_id,
            "name": feature_id,
            "kind": "zone",
            "uncertainty_m": 0,
            "valid_from": "2017-06-01",
            "zone": {"severity": "warning", "message": feature_id, **rule},
        },
    }


def test_polygon_and_corridor_zones_against_the_oracle(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    polygon = {"type": "Polygon", "coordinates": [[*POLYGON_RING, POLYGON_RING[0]]]}
    zones = [
        _zone("phosphate-belt", polygon, {"shape": "polygon"}),
        _zone(
            "highway-corridor",
            None,
            {"shape": "corridor", "route": "palmyra-damascus-highway", "half_width_m": 5000},
        ),
    ]
    imported = client.post(
        "/features:import",
        json={"type": "FeatureCollection", "features": zones},
        headers=WRITE_HEADERS,
    )
    assert imported.status_code == 200, imported.get_json()
    rng = np.random.default_rng(12)
    lats, lons = rng.uniform(33.9, 34.8, 12).tolist(), rng.uniform(37.6, 38.8, 12).tolist()
    answer = _check(
        client,
        {"points": {"lat": lats, "lon": lons}, "zones": ["phosphate-belt", "highway-corridor"]},
    )
    belt = answer["results"]["zones"]["phosphate-belt"]
    corridor = answer["results"]["zones"]["highway-corridor"]
    route_uncertainty = 2000.0  # the corridor follows the highway's uncertainty
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        edge = oracle.polyline_distance(lon, lat, [*POLYGON_RING, POLYGON_RING[0]])
        inside = oracle.winding_contains(lon, lat, POLYGON_RING)
        assert belt["distance_to_boundary_m"][i] == pytest.approx(
            -edge if inside else edge, abs=1e-3
        )
        assert belt["verdict"][i] == ("inside" if inside else "outside")
        to_road = oracle.polyline_distance(lon, lat, HIGHWAY) - 5000.0
        assert corridor["distance_to_boundary_m"][i] == pytest.approx(to_road, abs=1e-3)
        assert corridor["margin_m"][i] == route_uncertainty
    shown = client.get("/zones/highway-corridor/polygon?max_error_m=25").get_json()
    assert shown["properties"]["max_error_m"] <= 25 and shown["geometry"]["type"] == "Polygon"
