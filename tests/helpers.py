"""What tests share besides fixtures: tokens, app settings, the problem-body assertion,
the command runner, and the waits of tests that talk to a real server.

Every wait here is a guard against a hang, not a speed assertion: the suite must hold on
a loaded 2-core machine, where a first answer can take many seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from service.cli import main

#: The team's shared data folder beside the repository (absent in a bare clone).
SHARED = Path(__file__).resolve().parents[2] / "shared"

WRITER = "alice-secret-token"
READER = "rita-read-only-token"
WRITE_HEADERS = {"Authorization": f"Bearer {WRITER}"}

#: Seconds one HTTP request to a test server may take before the test fails as hung.
REQUEST_TIMEOUT = 60.0
#: The same for requests that carry a very large batch.
BATCH_TIMEOUT = 600.0
#: Milliseconds Playwright waits for any page event, launch or navigation.
BROWSER_TIMEOUT_MS = 120_000


def app_config(database: Path, **overrides: object) -> dict[str, object]:
    """Settings for a test app on its own SQLite file, with one write and one read token."""
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "API_TOKENS": f"alice={WRITER}",
        "READ_TOKENS": f"rita={READER}",
        "MAX_BATCH_POINTS": 1000,
        **overrides,
    }


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """``response`` (a Flask test response) is an RFC 9457 problem with ``status``, naming
    ``field`` among its ``errors`` when one is given; returns the problem body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    problem: dict[str, Any] = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(problem), problem
    assert problem["status"] == status, problem
    if field is not None:
        assert field in problem.get("errors", {}), problem
    return problem


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail saying ``what`` did not happen in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


class GeocheckRunner:
    """The ``geocheck`` command run in this process through click's ``CliRunner``, on one
    local database; ``remote`` asks a server instead. ``GEOCHECK_SERVER`` and
    ``GEOCHECK_TOKEN`` from the caller's environment are ignored, so a developer's
    settings cannot send a test elsewhere."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._runner = CliRunner(env={"GEOCHECK_SERVER": None, "GEOCHECK_TOKEN": None})

    def __call__(self, *args: str) -> Result:
        return self._runner.invoke(main, ["--database", self.database_url, *args])

    def remote(self, server_url: str, *args: str) -> Result:
        return self._runner.invoke(main, ["--server", server_url, *args])
