"""Shared fixtures: the app, its test client and the command runner (Flask tutorial
style), and the databases. Constants and helpers live in ``tests.helpers``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from service import create_app
from tests.helpers import GeocheckRunner, app_config

# No deadlines and no "too slow" health check: on a loaded machine one example can take
# seconds, which says nothing about the code under test.
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """A read-mostly app shared by the session (tests that write use ``fresh_app``)."""
    return create_app(app_config(tmp_path_factory.mktemp("db") / "session.sqlite"))


@pytest.fixture
def fresh_app(tmp_path: Path) -> Flask:
    """An app on a new database, seeded from geodata/, for tests that write."""
    return create_app(app_config(tmp_path / "fresh.sqlite"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(tmp_path: Path) -> GeocheckRunner:
    """The ``geocheck`` command, on a SQLite database of this test's own."""
    return GeocheckRunner(f"sqlite:///{tmp_path / 'cli.sqlite'}")


POSTGRES_ENV = "GEOCHECK_TEST_POSTGRES_URL"
#: Seconds to keep trying a PostgreSQL that does not answer yet (on a loaded machine it
#: may still be starting) before its tests skip.
POSTGRES_WAIT = 60.0


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from service.store.database import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "DROP TABLE IF EXISTS feature_versions, changes, write_lock, alembic_version"
                    " CASCADE"
                )
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL in GEOCHECK_TEST_POSTGRES_URL once that server answers, or skip saying why
    (once per session: a missing server does not cost every test the wait)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests need a reachable server")
    deadline = time.monotonic() + POSTGRES_WAIT
    while True:
        try:
            _reset_postgres(url)
        except Exception as err:  # any failure to reach it, for the whole wait, means skip
            if time.monotonic() > deadline:
                pytest.skip(
                    f"PostgreSQL at {POSTGRES_ENV} is not reachable after {POSTGRES_WAIT:.0f} s:"
                    f" {type(err).__name__}"
                )
            time.sleep(1.0)
        else:
            return url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """An empty PostgreSQL database (GEOCHECK_TEST_POSTGRES_URL), or skip saying why."""
    _reset_postgres(postgres_server)
    return postgres_server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite, and on PostgreSQL where one is reachable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
