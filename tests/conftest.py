"""Shared fixtures: the app, its test client and CLI runner (Flask tutorial style)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from service import create_app

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

#: The team's shared data folder beside the repository (absent in a bare clone).
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def app() -> Flask:
    return create_app({"MAX_BATCH_POINTS": 1000})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
