"""Shared fixtures: the app, its test client and the command runner (Flask tutorial
style), and the databases. Constants and helpers live in ``tests.helpers``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from service import create_app
from tests.helpers import GeocheckRunner, app_config

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
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


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from service.store.database import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "DROP TABLE IF EXISTS feature_versions, changes, write_lock, alembic_version"
                " CASCADE"
            )
        )
    engine.dispose()


@pytest.fixture
def postgres_url() -> str:
    """An empty PostgreSQL database (GEOCHECK_TEST_POSTGRES_URL), or skip saying why."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests need a reachable server")
    try:
        _reset_postgres(url)
    except Exception as err:  # any failure to reach it means skip
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} is not reachable: {type(err).__name__}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite, and on PostgreSQL where one is reachable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
