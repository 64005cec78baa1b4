"""Several processes, one truth; nothing acknowledged is lost — over real granian
processes on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from service.store.database import normalise_url
from tests.e2e_server import service
from tests.helpers import REQUEST_TIMEOUT, WRITE_HEADERS, WRITER, wait_until

pytestmark = pytest.mark.e2e
TOKENS = {"GEOCHECK_API_TOKENS": f"alice={WRITER}"}


def _site(feature_id: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [38.1, 34.2]},
        "properties": {"id": feature_id, "name": feature_id, "kind": "site"},
    }


def test_two_workers_see_a_write_on_their_next_request(tmp_path: Path) -> None:
    env = {"GEOCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}", **TOKENS}
    with service(env, workers=2) as server:
        for i in range(5):
            created = requests.post(
                f"{server.url}/features",
                json=_site(f"site-{i}"),
                headers=WRITE_HEADERS,
                timeout=REQUEST_TIMEOUT,
            )
            assert created.status_code == 201
            version = int(created.headers["X-Data-Version"])
            # New connections each time, so both workers answer some of these.
            for _ in range(12):
                health = requests.get(
                    f"{server.url}/health", headers={"Connection": "close"}, timeout=REQUEST_TIMEOUT
                ).json()
                assert health["data_version"] == version
                got = requests.get(
                    f"{server.url}/features/site-{i}",
                    headers={"Connection": "close"},
                    timeout=REQUEST_TIMEOUT,
                )
                assert got.status_code == 200


def test_two_instances_on_one_postgresql(postgres_url: str) -> None:
    env = {"GEOCHECK_DATABASE_URL": postgres_url, **TOKENS}
    with service(env, workers=1) as first, service(env, workers=1) as second:
        for i in range(5):
            target, other = (first, second) if i % 2 else (second, first)
            created = requests.post(
                f"{target.url}/features",
                json=_site(f"pg-{i}"),
                headers=WRITE_HEADERS,
                timeout=REQUEST_TIMEOUT,
            )
            assert created.status_code == 201
            seen = requests.get(f"{other.url}/features/pg-{i}", timeout=REQUEST_TIMEOUT)
            assert seen.status_code == 200
            health = requests.get(f"{other.url}/health", timeout=REQUEST_TIMEOUT).json()
            assert health["data_version"] == int(created.headers["X-Data-Version"])


def _write_until_killed(url: str, acknowledged: list[str], stop: threading.Event) -> None:
    session = requests.Session()
    i = 0
    while not stop.is_set():
        feature_id = f"kill-{i}"
        try:
            response = session.post(
                f"{url}/features",
                json=_site(feature_id),
                headers=WRITE_HEADERS,
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException:
            return  # the server is gone: whatever was not acknowledged may be lost
        if response.status_code == 201:
            acknowledged.append(feature_id)
        i += 1


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_sigkill_mid_write_loses_nothing_acknowledged(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    env = {"GEOCHECK_DATABASE_URL": url, **TOKENS}
    acknowledged: list[str] = []
    with service(env, workers=2) as server:
        stop = threading.Event()
        writers = [
            threading.Thread(target=_write_until_killed, args=(server.url, acknowledged, stop))
            for _ in range(3)
        ]
        for thread in writers:
            thread.start()
        # Kill once a few writes are acknowledged (counted, not timed: a busy machine is slow).
        wait_until(
            lambda: len(acknowledged) > 10 or not any(t.is_alive() for t in writers),
            300,
            "more than 10 acknowledged writes",
        )
        server.kill()  # SIGKILL, mid-stream
        stop.set()
        for thread in writers:
            thread.join(timeout=REQUEST_TIMEOUT + 30)
            assert not thread.is_alive(), "a writer still waits on a killed server"
    assert len(acknowledged) > 10
    with service(env, workers=1) as again:
        health = requests.get(f"{again.url}/health", timeout=REQUEST_TIMEOUT).json()
        assert health["features"] >= 18 + len(acknowledged)
        for feature_id in acknowledged:
            assert (
                requests.get(
                    f"{again.url}/features/{feature_id}", timeout=REQUEST_TIMEOUT
                ).status_code
                == 200
            )
    if engine == "sqlite":
        with sqlite3.connect(tmp_path / "k.sqlite") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:
        check = create_engine(normalise_url(url))
        with check.connect() as conn:
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM feature_versions f LEFT JOIN changes c"
                    " ON c.data_version = f.data_version WHERE c.data_version IS NULL"
                )
            ).scalar_one()
        check.dispose()
        assert orphans == 0
