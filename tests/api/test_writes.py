"""Authenticated, versioned writes over HTTP: tokens, ETags, history, time and audits."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from tests.helpers import READER, WRITE_HEADERS, WRITER, app_config

NEW_SITE: dict[str, Any] = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [37.62, 34.52]},
    "properties": {
        "id": "t4-airbase",
        "name": "T4 airbase",
        "aliases": ["Tiyas"],
        "kind": "site",
        "uncertainty_m": 1000,
        "sources": [{"title": "Tiyas Military Airbase", "date": "2024"}],
        "valid_from": "2017-05-01",
    },
}


@pytest.fixture
def writer(fresh_app: Flask) -> FlaskClient:
    return fresh_app.test_client()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-real-token"}, 403),
        ({"Authorization": f"Bearer {READER}"}, 403),
        ({"Authorization": f"Basic {WRITER}"}, 401),
    ],
)
def test_writes_need_a_write_token(
    writer: FlaskClient, headers: dict[str, str], status: int
) -> None:
    response = writer.post("/features", json=NEW_SITE, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert WRITER not in response.get_data(as_text=True)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_create_read_and_history(writer: FlaskClient) -> None:
    created = writer.post("/features", json=NEW_SITE, headers=WRITE_HEADERS)
    assert created.status_code == 201
    assert created.headers["ETag"] == '"t4-airbase.1.2"'  # version 1, data version 2
    assert created.headers["Location"] == "/features/t4-airbase"
    assert writer.get("/features/Tiyas").get_json()["id"] == "t4-airbase"
    assert writer.post("/features", json=NEW_SITE, headers=WRITE_HEADERS).status_code == 409
    history = writer.get("/features/t4-airbase/history").get_json()["versions"]
    assert [(v["version"], v["written_by"]) for v in history] == [(1, "alice")]
    assert writer.get("/health").get_json()["data_version"] == 2


def test_optimistic_concurrency(writer: FlaskClient) -> None:
    read = writer.get("/features/palmyra")
    tag = read.headers["ETag"]
    document = read.get_json()
    document["geometry"]["coordinates"] = [38.2840, 34.5624]  # the GeoNames value
    first = writer.put(
        "/features/palmyra", json=document, headers={**WRITE_HEADERS, "If-Match": tag}
    )
    assert first.status_code == 200 and first.headers["ETag"] == '"palmyra.2.2"'
    stale = writer.put(
        "/features/palmyra", json=document, headers={**WRITE_HEADERS, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert "If-Match" in stale.get_json()["errors"]
    other = writer.delete(
        "/features/palmyra", headers={**WRITE_HEADERS, "If-Match": '"damascus.1"'}
    )
    assert other.status_code == 412


def test_a_zone_gets_a_new_etag_when_its_site_moves(writer: FlaskClient) -> None:
    before = writer.get("/features/al-tanf-deconfliction-zone")
    cached = writer.get(
        "/features/al-tanf-deconfliction-zone", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert cached.status_code == 304 and before.headers["Cache-Control"] == "no-cache"
    moved = {"geometry": {"type": "Point", "coordinates": [38.62, 33.51]}}
    assert (
        writer.patch("/features/al-tanf-garrison", json=moved, headers=WRITE_HEADERS).status_code
        == 200
    )
    after = writer.get(
        "/features/al-tanf-deconfliction-zone", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    # The zone itself did not change: its stored version, which If-Match compares, is 1.
    assert after.headers["ETag"].startswith('"al-tanf-deconfliction-zone.1.')


def test_patch_is_a_merge_patch_and_ids_cannot_change(writer: FlaskClient) -> None:
    patched = writer.patch(
        "/features/Tadmur",
        json={"properties": {"uncertainty_m": 900, "notes": None}},
        headers=WRITE_HEADERS,
    )
    assert patched.status_code == 200
    props = patched.get_json()["properties"]
    assert (
        props["uncertainty_m"] == 900
        and props["notes"] is None
        and props["name"] == "Palmyra (modern town)"
    )
    renamed = writer.patch(
        "/features/palmyra", json={"properties": {"id": "tadmur"}}, headers=WRITE_HEADERS
    )
    assert renamed.status_code == 422
    assert any(key.endswith("id") for key in renamed.get_json()["errors"])


def test_retire_keeps_history_and_blocks_dangling_zones(writer: FlaskClient) -> None:
    assert writer.delete("/features/damascus", headers=WRITE_HEADERS).status_code == 200
    assert writer.get("/features/damascus").status_code == 404
    history = writer.get("/features/damascus/history").get_json()["versions"]
    assert history[-1]["retired"] is True
    blocked = writer.delete("/features/al-tanf-garrison", headers=WRITE_HEADERS)
    assert (
        blocked.status_code == 422 and "al-tanf-deconfliction-zone" in blocked.get_json()["detail"]
    )


def test_import_is_all_or_nothing(writer: FlaskClient) -> None:
    good = copy.deepcopy(NEW_SITE)
    bad = copy.deepcopy(NEW_SITE)
    bad["properties"].update(id="broken", uncertainty_m=-1)
    response = writer.post(
        "/features:import",
        json={"type": "FeatureCollection", "features": [good, bad]},
        headers=WRITE_HEADERS,
    )
    assert response.status_code == 422
    assert any("broken" in key for key in response.get_json()["errors"])
    assert writer.get("/features/t4-airbase").status_code == 404
    response = writer.post(
        "/features:import",
        json={"type": "FeatureCollection", "features": [good]},
        headers=WRITE_HEADERS,
    )
    assert response.status_code == 200 and response.get_json()["written"] == {"t4-airbase": 1}


def test_a_zone_follows_its_site_and_audits_reproduce_old_answers(writer: FlaskClient) -> None:
    probe = {"point": {"lat": 33.995, "lon": 38.6178}, "zones": ["al-tanf-deconfliction-zone"]}
    before = writer.post("/check-zone", json=probe).get_json()
    moved = writer.patch(
        "/features/al-tanf-garrison",
        json={"geometry": {"type": "Point", "coordinates": [38.6178, 33.4858]}},
        headers=WRITE_HEADERS,
    )
    assert moved.status_code == 200
    after = writer.post("/check-zone", json=probe).get_json()
    audit = writer.post("/check-zone", json={**probe, "data_version": 1}).get_json()
    b_before = before["results"][0]["zones"][0]["distance_to_boundary_m"]
    b_after = after["results"][0]["zones"][0]["distance_to_boundary_m"]
    assert b_after == pytest.approx(b_before + 2_220.0, abs=5.0)  # moved ~2.2 km south
    assert audit["results"] == before["results"] and audit["data_version"] == 1
    assert after["data_version"] == 2
    old = writer.get("/distance?from=34,38&to=al-tanf-garrison&data_version=1").get_json()
    assert old["nearest"] == {"lat": 33.5058, "lon": 38.6178}
    assert writer.get("/features?data_version=99").status_code == 422


def test_private_reads(tmp_path: Path) -> None:
    client = create_app(app_config(tmp_path / "p.sqlite", READ_TOKENS_REQUIRED=True)).test_client()
    assert client.get("/health").status_code == 200
    assert client.get("/openapi.yaml").status_code == 200
    assert client.get("/features").status_code == 401
    assert client.get("/features", headers={"Authorization": f"Bearer {READER}"}).status_code == 200
    assert client.get("/features", headers=WRITE_HEADERS).status_code == 200
    assert (
        client.get("/features", headers={"Authorization": "Bearer nope-nope-nope"}).status_code
        == 403
    )


@pytest.mark.parametrize("spec", ["alice", "alice=short", "=secretsecret"])
def test_malformed_token_configuration_is_refused(tmp_path: Path, spec: str) -> None:
    with pytest.raises(ValueError, match="GEOCHECK_API_TOKENS") as err:
        create_app(app_config(tmp_path / "x.sqlite", API_TOKENS=spec))
    secret = spec.partition("=")[2]
    if secret:  # the configured secret itself never appears in the message
        assert secret not in str(err.value)
