"""Degraded, not broken: with the database gone, a real server (``make run``, two
workers) answers what its snapshot can, marked stale, refuses writes with 503 and
``Retry-After``, says so on ``/health`` (503), and recovers without a restart — never a
500. PostgreSQL is stopped (fast shutdown: sessions terminated) and started again — a
server of the test's own, so the machine's shared one keeps running for everyone else —
and, on the shared server, cut through a TCP proxy (open connections reset, new ones
refused); the SQLite file is moved away while serving (as root ``chmod 000`` stops no
read, so that is not the method)."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.e2e_server import service
from tests.helpers import WRITE_HEADERS, WRITER
from tests.postgres_cluster import dedicated_cluster
from tests.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.e2e
TOKENS = {"GEOCHECK_API_TOKENS": f"alice={WRITER}"}
#: Generous: the machine is shared and loaded.
DEADLINE_S = 90.0


def _site(feature_id: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [38.1, 34.2]},
        "properties": {"id": feature_id, "name": feature_id, "kind": "site"},
    }


class Load:
    """Reads and writes from a few threads until stopped, every status counted."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.acknowledged: list[str] = []
        self.stale_seen = 0
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._recorded(self._reads)) for _ in range(2)]
        self._threads.append(threading.Thread(target=self._recorded(self._writes)))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _recorded(self, loop: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                loop()
            except BaseException as err:  # reported by the test, not lost in a thread
                self.failures.append(err)

        return run

    def _reads(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            for name, call in (
                (
                    "check",
                    lambda: session.post(
                        f"{self.url}/check-zone", json={"point": "33.5,38.6"}, timeout=30
                    ),
                ),
                ("features", lambda: session.get(f"{self.url}/features?kind=zone", timeout=30)),
                (
                    "distance",
                    lambda: session.get(
                        f"{self.url}/distance?from=34.2,37.8&to=palmyra", timeout=30
                    ),
                ),
            ):
                response = call()
                self.statuses[(name, response.status_code)] += 1
                if response.headers.get("X-Geocheck-Stale") == "true":
                    self.stale_seen += 1

    def _writes(self) -> None:
        session = requests.Session()
        i = 0
        while not self._stop.is_set():
            feature_id = f"outage-{i}"
            response = session.post(
                f"{self.url}/features", json=_site(feature_id), headers=WRITE_HEADERS, timeout=30
            )
            self.statuses[("write", response.status_code)] += 1
            if response.status_code == 201:
                self.acknowledged.append(feature_id)
            if response.status_code != 503:
                i += 1
            elif response.status_code == 503:
                assert response.headers["Retry-After"].isdigit()
                time.sleep(0.05)


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def _health(url: str) -> int:
    # A new connection each time, so that either worker may answer.
    return requests.get(f"{url}/health", headers={"Connection": "close"}, timeout=30).status_code


@contextmanager
def _postgres(postgres_url: str) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    parts = urlsplit(postgres_url)
    with tcp_proxy((parts.hostname or "127.0.0.1", parts.port or 5432)) as proxy:
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
        yield urlunsplit(parts._replace(netloc=netloc)), proxy.cut, proxy.restore


@contextmanager
def _stopped() -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    with dedicated_cluster() as cluster:
        if cluster is None:
            pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
        yield cluster.url, cluster.stop, cluster.start


@contextmanager
def _sqlite(folder: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    path = folder / "outage.sqlite"
    away = folder / "elsewhere.sqlite"
    yield f"sqlite:///{path}", lambda: os.rename(path, away), lambda: os.rename(away, path)


@pytest.mark.parametrize("engine", ["postgresql-stopped", "postgresql-cut", "sqlite-moved"])
def test_database_gone_under_load_degrades_then_recovers(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "postgresql-stopped":
        broken = _stopped()
    elif engine == "postgresql-cut":
        broken = _postgres(str(request.getfixturevalue("postgres_url")))
    else:
        broken = _sqlite(tmp_path)
    with broken as (url, cut, restore), service({"GEOCHECK_DATABASE_URL": url, **TOKENS}) as server:
        with Load(server.url) as load:
            _wait(lambda: len(load.acknowledged) >= 3, "writes before the cut")
            cut()
            _wait(lambda: _health(server.url) == 503, "/health to answer 503")
            # Both workers notice (new connections land on either).
            _wait(lambda: all(_health(server.url) == 503 for _ in range(6)), "every worker")
            check = requests.post(
                f"{server.url}/check-zone", json={"point": "33.5,38.6"}, timeout=30
            )
            assert check.status_code == 200
            assert check.headers["X-Geocheck-Stale"] == "true"
            assert check.headers["Warning"].startswith("110 ")
            body = check.json()
            assert body["stale"]["since"] and body["stale"]["reason"]
            assert body["data_version"] >= 1
            health = requests.get(f"{server.url}/health", timeout=30).json()
            assert health["database"]["state"] == "unreachable"
            assert health["data_version"] >= 1
            for path in ("/features/palmyra/history", f"/features?data_version={10**6}"):
                refused = requests.get(server.url + path, timeout=30)
                assert refused.status_code == 503, path
                assert refused.headers["Content-Type"] == "application/problem+json"
                assert refused.headers["Retry-After"].isdigit()
            writes_refused = load.statuses[("write", 503)]
            _wait(lambda: load.statuses[("write", 503)] > writes_refused, "a refused write")
            restore()
            _wait(lambda: all(_health(server.url) == 200 for _ in range(6)), "recovery")
            written = len(load.acknowledged)
            _wait(
                lambda: len(load.acknowledged) > written + 2,
                f"writes after recovery ({load.statuses}, {load.failures})",
            )
            fresh = requests.post(
                f"{server.url}/check-zone", json={"point": "33.5,38.6"}, timeout=30
            )
            assert "stale" not in fresh.json() and "X-Geocheck-Stale" not in fresh.headers
        statuses = load.statuses
        assert not load.failures, load.failures
        assert {status for (_, status) in statuses} <= {200, 201, 503}, statuses
        assert all(status == 200 for (name, status) in statuses if name != "write"), statuses
        assert load.stale_seen > 0
        for feature_id in load.acknowledged:
            got = requests.get(f"{server.url}/features/{feature_id}", timeout=30)
            assert got.status_code == 200, feature_id
