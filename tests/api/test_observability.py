"""Watchable: request ids (accepted, validated, echoed, in problems and logs), JSON logs,
and Prometheus metrics that count exactly the traffic sent — in process, and over a real
server with two workers."""

from __future__ import annotations

import io
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from service import create_app
from service.api import logs
from tests.e2e_server import ServiceProcess, service
from tests.helpers import READER, app_config


def _samples(text: str) -> dict[str, float]:
    """``name{labels}`` → value, for every sample of an exposition."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            values[key] = float(value)
    return values


def _requests_total(samples: dict[str, float], route: str, method: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    for key, value in samples.items():
        if key.startswith("geocheck_http_requests_total{"):
            found = dict(re.findall(r'(\w+)="([^"]*)"', key))
            if found == labels:
                return value
    return 0.0


def test_request_id_is_echoed_when_valid_and_made_up_otherwise(client: FlaskClient) -> None:
    sent = client.get("/health", headers={"X-Request-ID": "trace-42:a.b_c"})
    assert sent.headers["X-Request-ID"] == "trace-42:a.b_c"
    for bad in ("has space", "x" * 129, "naïve", ""):
        made = client.get("/health", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"]), bad
    assert (
        client.get("/health").headers["X-Request-ID"]
        != client.get("/health").headers["X-Request-ID"]
    )


def test_problems_carry_the_request_id(client: FlaskClient) -> None:
    refused = client.post("/check-zone", json={}, headers={"X-Request-ID": "req-1"})
    assert refused.status_code == 422
    assert refused.json["request_id"] == "req-1"
    missing = client.get("/nowhere", headers={"X-Request-ID": "req-2"})
    assert missing.status_code == 404 and missing.json["request_id"] == "req-2"


def test_access_log_is_json_with_the_request_id(client: FlaskClient) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logs.ACCESS.addHandler(handler)
    level = logs.ACCESS.level
    logs.ACCESS.setLevel(logging.INFO)
    try:
        client.post(
            "/check-zone", json={"points": ["33.5,38.6"] * 3}, headers={"X-Request-ID": "r9"}
        )
    finally:
        logs.ACCESS.removeHandler(handler)
        logs.ACCESS.setLevel(level)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["request_id"] == "r9"
    assert entry["route"] == "/check-zone" and entry["status"] == 200
    assert entry["batch_points"] == 3 and entry["duration_ms"] >= 0
    assert entry["level"] == "INFO" and entry["logger"] == "geocheck.access"


def test_metrics_count_the_traffic_sent(client: FlaskClient) -> None:
    before = _samples(client.get("/metrics").get_data(as_text=True))
    for _ in range(7):
        assert client.post("/check-zone", json={"point": "33.5,38.6"}).status_code == 200
    for _ in range(3):
        assert client.post("/check-zone", json={"points": ["33.5,38.6"] * 10}).status_code == 200
    for _ in range(2):
        assert client.get("/features/nowhere-at-all").status_code == 404
    scraped = client.get("/metrics")
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"
    after = _samples(scraped.get_data(as_text=True))
    assert (
        _requests_total(after, "/check-zone", "POST", 200)
        - _requests_total(before, "/check-zone", "POST", 200)
        == 10
    )
    assert (
        _requests_total(after, "/features/<string:feature_id>", "GET", 404)
        - (_requests_total(before, "/features/<string:feature_id>", "GET", 404))
        == 2
    )
    batches = 'geocheck_batch_points_bucket{le="10.0",route="/check-zone"}'
    assert after[batches] - before.get(batches, 0.0) == 3
    assert after["geocheck_snapshot_data_version"] >= 1
    assert 0 <= after["geocheck_snapshot_age_seconds"] < 3600


def test_metrics_are_private_when_reads_are(tmp_path: Path) -> None:
    app = create_app(app_config(tmp_path / "private.sqlite", READ_TOKENS_REQUIRED=True))
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {READER}"}).status_code == 200


@pytest.mark.e2e
def test_metrics_sum_over_two_workers(tmp_path: Path) -> None:
    """Whichever worker answers a scrape, it counts every worker's requests; the JSON
    access log shows that both workers answered some."""
    env = {"GEOCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.sqlite'}"}
    with service(env, workers=2) as server:
        sent = 0

        def check(number: int) -> None:
            response = requests.post(
                f"{server.url}/check-zone",
                json={"point": "33.5,38.6"},
                # New connections, so that either worker may answer.
                headers={"Connection": "close", "X-Request-ID": f"e2e-{number}"},
                timeout=30,
            )
            assert response.status_code == 200
            assert response.headers["X-Request-ID"] == f"e2e-{number}"

        # Several at once, so that one busy worker leaves the next to the other (an idle
        # server may hand every connection to the same one).
        with ThreadPoolExecutor(4) as pool:
            while True:
                list(pool.map(check, range(sent, sent + 20)))
                sent += 20
                pids = {
                    entry["pid"]
                    for entry in _access_log(server)
                    if entry.get("route") == "/check-zone"
                }
                if len(pids) > 1 or sent >= 400:
                    break
        assert len(pids) == 2, "one worker answered everything; the sum is not shown"
        for _ in range(10):
            scrape = requests.get(
                f"{server.url}/metrics", headers={"Connection": "close"}, timeout=30
            )
            samples = _samples(scrape.text)
            assert _requests_total(samples, "/check-zone", "POST", 200) == sent
            assert samples["geocheck_snapshot_data_version"] == 1
            # Every worker reached the store when it started: none reads as 1970.
            assert samples["geocheck_snapshot_verified_timestamp_seconds"] > 1e9
            assert 0 <= samples["geocheck_snapshot_age_seconds"] < 3600
        ids = {entry.get("request_id") for entry in _access_log(server)}
        assert {f"e2e-{i}" for i in range(sent)} <= ids


def _access_log(server: ServiceProcess) -> list[dict[str, Any]]:
    server._log.seek(0)
    entries = []
    for line in server._log.read().decode(errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "geocheck.access":
                entries.append(entry)
    return entries


def test_a_worker_shares_a_folder_per_server_and_clears_dead_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import tempfile

    from service.api import serving

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # restored afterwards
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(logs, "configure", lambda: None)
    dead = tmp_path / f"{serving.FOLDER_PREFIX}999999999-1"
    dead.mkdir()
    unrelated = tmp_path / "geocheck-metrics-of-someone-else"
    unrelated.mkdir()
    serving.prepare_worker()
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert folder.is_dir() and folder.parent == tmp_path
    assert folder.name.startswith(f"{serving.FOLDER_PREFIX}{os.getppid()}-")
    assert not dead.exists() and unrelated.exists()
    serving.prepare_worker()  # the next worker of the same server: the same folder
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder)
