"""The README's configuration table is the configuration: one row per field, no more."""

from __future__ import annotations

import itertools
import re
from dataclasses import fields
from pathlib import Path

import pytest

from service.cli import granian_arguments
from service.config import Config

README = Path(__file__).resolve().parents[1] / "README.md"
#: Variables read by the command or the Makefile, not by the app.
COMMAND_ONLY = {"GEOCHECK_WORKERS", "GEOCHECK_SERVER", "GEOCHECK_TOKEN"}


def test_the_readme_table_lists_exactly_the_config_fields() -> None:
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ")[0]
    documented = set(re.findall(r"^\| `(GEOCHECK_\w+)` \|", section, re.M))
    assert documented - COMMAND_ONLY == {f"GEOCHECK_{spec.name}" for spec in fields(Config)}


def test_serve_passes_the_server_settings_to_granian() -> None:
    settings = Config.from_env(
        {
            "GEOCHECK_THREADS": "64",
            "GEOCHECK_HEADER_TIMEOUT_S": "2.5",
            "GEOCHECK_SHUTDOWN_TIMEOUT_S": "7",
        }
    )
    arguments = granian_arguments(settings, "127.0.0.1", 8123, 3)
    options = dict(itertools.pairwise(arguments))
    assert options["--interface"] == "wsgi" and options["--workers"] == "3"
    assert options["--blocking-threads"] == "64"
    assert options["--http1-header-read-timeout"] == "2500"
    assert options["--workers-kill-timeout"] == "7"
    assert arguments[-1] == "service.cli:serving_app" and "--factory" in arguments


@pytest.mark.parametrize("seconds, millis", [(0.0001, "1"), (600.0, "60000")])
def test_header_timeout_is_clamped_to_what_granian_takes(seconds: float, millis: str) -> None:
    arguments = granian_arguments(Config(HEADER_TIMEOUT_S=seconds), "127.0.0.1", 8123, 1)
    assert arguments[arguments.index("--http1-header-read-timeout") + 1] == millis
