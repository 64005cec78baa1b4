"""Abuse bounded: token buckets, 429 problems with Retry-After per token and per address,
nothing limited by default or for local anonymous reads — and the configuration table
in the README and the Config class name the same settings."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.config import Config
from service.ratelimit import TokenBuckets
from tests.api.test_contract import _validate
from tests.helpers import READER, WRITE_HEADERS, app_config

README = Path(__file__).resolve().parents[1] / "README.md"
#: Documented variables that are not app settings: the Makefile's and the command's.
NOT_CONFIG = {"GEOCHECK_WORKERS", "GEOCHECK_SERVER", "GEOCHECK_TOKEN"}
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_buckets_allow_a_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_s=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # each key its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    clock.now += 60  # refills up to the burst, no more
    assert [buckets.take("a") for _ in range(4)][-1] > 0


def test_buckets_keep_a_bounded_number_of_keys() -> None:
    buckets = TokenBuckets(rate_per_s=1.0, burst=1, max_keys=10, clock=Clock())
    for i in range(100):
        buckets.take(f"client-{i}")
    assert len(buckets._buckets) == 10


def _client(tmp_path: Path, **settings: object) -> FlaskClient:
    return create_app(app_config(tmp_path / "limits.sqlite", **settings)).test_client()


def test_nothing_is_limited_by_default(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for _ in range(50):
        assert client.get("/features/palmyra", environ_base=REMOTE).status_code == 200


def test_a_token_over_its_limit_gets_429_with_retry_after(tmp_path: Path) -> None:
    client = _client(tmp_path, RATE_LIMIT_PER_S=0.5, RATE_LIMIT_BURST=3)
    reader = {"Authorization": f"Bearer {READER}"}
    for _ in range(3):
        assert client.get("/features/palmyra", headers=reader).status_code == 200
    refused = client.post(
        "/check-zone", json={"point": "33.5,38.6"}, headers={**reader, "X-Request-ID": "rl-1"}
    )
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["request_id"] == "rl-1"
    _validate("/check-zone", "post", 429, refused.mimetype, refused.json)
    # Another token has its own bucket, even from the same address.
    assert client.get("/features/palmyra", headers=WRITE_HEADERS).status_code == 200
    # Health checks and scrapes are never limited.
    assert client.get("/health", headers=reader).status_code == 200
    assert client.get("/metrics", headers=reader).status_code == 200
    scraped = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'geocheck_rate_limited_total\{kind="token"\} [1-9]', scraped)


def test_anonymous_reads_are_limited_per_address_but_not_from_loopback(tmp_path: Path) -> None:
    client = _client(tmp_path, RATE_LIMIT_PER_S=0.5, RATE_LIMIT_BURST=2)
    for _ in range(10):
        assert client.get("/features/palmyra").status_code == 200  # 127.0.0.1
    statuses = [client.get("/features/palmyra", environ_base=REMOTE).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = {"REMOTE_ADDR": "198.51.100.1"}
    assert client.get("/features/palmyra", environ_base=other).status_code == 200
    # A made-up token is limited by its address: guessing tokens is limited too.
    guess = {"Authorization": "Bearer not-a-real-token-at-all"}
    refused = client.get("/features/palmyra", headers=guess, environ_base=REMOTE)
    assert refused.status_code == 429


def test_local_reads_can_be_limited_too(tmp_path: Path) -> None:
    client = _client(tmp_path, RATE_LIMIT_PER_S=0.5, RATE_LIMIT_BURST=2, RATE_LIMIT_LOCAL=True)
    assert [client.get("/features/palmyra").status_code for _ in range(3)] == [200, 200, 429]


def test_readme_configuration_table_names_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(GEOCHECK_[A-Z0-9_]+)`", section, re.M))
    settings = {f"GEOCHECK_{spec.name}" for spec in fields(Config)}
    assert settings - documented == set(), "settings missing from the README table"
    assert documented - settings - NOT_CONFIG == set(), "README rows that are no setting"
