"""The database gone, in process: the snapshot answers (marked stale), what needs the
database gets 503 problem+json with Retry-After, /health says 503, and the first success
ends it — and every answer still matches openapi.yaml."""

from __future__ import annotations

import os
import time
from pathlib import Path

from service import create_app
from service.store import sql
from tests.api.test_contract import _validate
from tests.helpers import WRITE_HEADERS, app_config

SITE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [38.1, 34.2]},
    "properties": {"id": "new-site", "name": "new site", "kind": "site"},
}


def test_a_store_moved_away_degrades_and_recovers(tmp_path: Path) -> None:
    database = tmp_path / "degraded.sqlite"
    client = create_app(app_config(database)).test_client()
    assert client.get("/health").status_code == 200
    os.rename(database, tmp_path / "away.sqlite")

    check = client.post("/check-zone", json={"point": "33.5,38.6"})
    assert check.status_code == 200
    assert check.headers["X-Geocheck-Stale"] == "true"
    assert check.headers["Warning"].startswith('110 geocheck "Response is stale')
    assert check.json["data_version"] == 1
    assert set(check.json["stale"]) == {"since", "reason"}
    _validate("/check-zone", "post", 200, check.mimetype, check.json)

    listed = client.get("/features?kind=zone")
    assert listed.status_code == 200 and "stale" in listed.json
    one = client.get("/features/palmyra")
    assert one.status_code == 200 and "stale" in one.json

    health = client.get("/health")
    assert health.status_code == 503
    assert health.headers["Retry-After"].isdigit()
    assert health.json["status"] == "degraded"
    assert health.json["database"]["state"] == "unreachable"
    _validate("/health", "get", 503, health.mimetype, health.json)

    written = client.post("/features", json=SITE, headers=WRITE_HEADERS)
    assert written.status_code == 503
    assert written.headers["Retry-After"].isdigit()
    assert "X-Geocheck-Stale" not in written.headers
    _validate("/features", "post", 503, written.mimetype, written.json)
    for path in ("/features/palmyra/history", "/features?data_version=99"):
        refused = client.get(path)
        assert refused.status_code == 503, path
        assert refused.mimetype == "application/problem+json"
    assert not database.exists(), "a read must not create an empty database in its place"

    os.rename(tmp_path / "away.sqlite", database)
    time.sleep(sql.PROBE_INTERVAL_S * 1.5)  # past the pause between attempts
    back = client.get("/health")
    assert back.status_code == 200 and back.json["database"] == {"state": "ok"}
    assert client.post("/features", json=SITE, headers=WRITE_HEADERS).status_code == 201
    fresh = client.post("/check-zone", json={"point": "33.5,38.6"})
    assert "stale" not in fresh.json and "X-Geocheck-Stale" not in fresh.headers


def test_a_replaced_file_is_followed_by_reads_and_writes(tmp_path: Path) -> None:
    """A store restored from a copy is a new file at the same path: connections to the
    old one must not go on reading it, nor writing to it."""
    database = tmp_path / "replaced.sqlite"
    client = create_app(app_config(database)).test_client()
    assert client.post("/features", json=SITE, headers=WRITE_HEADERS).status_code == 201
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(database.read_bytes())
    os.replace(copy, database)  # the same content, another file
    second = {**SITE, "properties": {**SITE["properties"], "id": "second-site"}}
    assert client.post("/features", json=second, headers=WRITE_HEADERS).status_code == 201
    fresh = create_app(app_config(database)).test_client()
    assert fresh.get("/features/second-site").status_code == 200


def test_with_no_snapshot_held_questions_get_503_and_health_says_unavailable(
    tmp_path: Path,
) -> None:
    database = tmp_path / "empty-handed.sqlite"
    app = create_app(app_config(database))
    client = app.test_client()
    os.rename(database, tmp_path / "away.sqlite")
    app.extensions["geocheck.answers"].store._latest = None  # as if never loaded
    check = client.post("/check-zone", json={"point": "33.5,38.6"})
    assert check.status_code == 503 and check.headers["Retry-After"].isdigit()
    _validate("/check-zone", "post", 503, check.mimetype, check.json)
    health = client.get("/health")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    _validate("/health", "get", 503, health.mimetype, health.json)
