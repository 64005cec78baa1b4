"""What tests share besides fixtures: tokens, app settings, and the command runner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from service.cli import main

#: The team's shared data folder beside the repository (absent in a bare clone).
SHARED = Path(__file__).resolve().parents[2] / "shared"

WRITER = "alice-secret-token"
READER = "rita-read-only-token"
WRITE_HEADERS = {"Authorization": f"Bearer {WRITER}"}


def app_config(database: Path, **overrides: object) -> dict[str, object]:
    """Settings for a test app on its own SQLite file, with one write and one read token."""
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "API_TOKENS": f"alice={WRITER}",
        "READ_TOKENS": f"rita={READER}",
        "MAX_BATCH_POINTS": 1000,
        **overrides,
    }


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
