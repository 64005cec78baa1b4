"""pytest configuration for the docstring examples in service/ and schemas/, which
``make test`` runs (the suite's fixtures are in tests/conftest.py).

An example that opens the local store (``LocalGeocheck()``) gets a temporary SQLite file
through GEOCHECK_DATABASE_URL, never the instance/ database ``make run`` serves.
"""

from __future__ import annotations

import pytest

# Alembic's scripts run only inside Alembic: env.py reads Alembic's context at import.
# The QGIS probe is a script for Debian's own Python (where python3-qgis lives), run by
# tests/api/test_gis_clients.py in a subprocess, not a module of this interpreter.
collect_ignore = ["service/store/migrations", "tests/api/qgis_probe.py"]


@pytest.fixture(autouse=True)
def _examples_use_a_temporary_store(request: pytest.FixtureRequest) -> None:
    if isinstance(request.node, pytest.DoctestItem):
        database = request.getfixturevalue("tmp_path") / "doctest.sqlite"
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("GEOCHECK_DATABASE_URL", f"sqlite:///{database}")
