"""The README's configuration table and the code agree (datasette's test_docs style): it
lists every ``service.config.Config`` field as ``GEOCHECK_<FIELD>``, plus the variables
the ``geocheck`` command and ``make run`` read, and nothing else."""

from __future__ import annotations

import re
import sys
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from service.cli import main
from service.config import Config

REPO = Path(__file__).resolve().parents[1]


def _table() -> dict[str, str]:
    """The README's configuration table: variable -> its default column."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "the README has no '## Configuration' section"
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| ([^|]*) \|", section.group(1), re.M)
    assert rows, "the configuration section has no table of `VARIABLES`"
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "a variable is listed twice"
    return {name: default.strip() for name, default in rows}


def _command_variables() -> set[str]:
    """Environment variables the geocheck command's own options read."""
    return {str(p.envvar) for p in main.params if getattr(p, "envvar", None)}


#: Read by the Makefile's run target, not by the application.
MAKE_RUN_VARIABLES = {"PORT", "GEOCHECK_WORKERS"}
#: Not geocheck's own, but read by the server's setup (prometheus_client's multiprocess
#: folder), so the table lists it.
LIBRARY_VARIABLES = {"PROMETHEUS_MULTIPROC_DIR"}


def test_the_table_lists_exactly_the_settings() -> None:
    documented = set(_table())
    settings = {f"GEOCHECK_{spec.name}" for spec in fields(Config)}
    assert settings - documented == set(), "Config fields missing from the README's table"
    expected = settings | _command_variables() | MAKE_RUN_VARIABLES | LIBRARY_VARIABLES
    assert documented - expected == set(), "the README documents variables nothing reads"
    serving = (REPO / "service" / "api" / "serving.py").read_text(encoding="utf-8")
    assert all(f'"{name}"' in serving for name in LIBRARY_VARIABLES)


def test_make_run_reads_what_the_table_says_it_reads() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for variable in MAKE_RUN_VARIABLES:
        assert f"$({variable})" in makefile or f"$${{{variable}" in makefile, variable


def test_stated_defaults_are_the_defaults() -> None:
    """Where the code's default is a value, the table's default column states it (an
    empty default, such as no tokens, the table puts in words)."""
    table = _table()
    compared = []
    for spec in fields(Config):
        default, stated = spec.default, table[f"GEOCHECK_{spec.name}"].strip("`")
        assert default is not MISSING, spec.name
        if default is None or default == "":
            continue
        if isinstance(default, bool):
            assert stated == str(default).lower(), spec.name
        elif isinstance(default, int | float):
            assert float(stated) == default, spec.name
        else:
            assert stated == str(default), spec.name
        compared.append(spec.name)
    assert compared, "no default was compared"


def test_the_default_store_is_where_flask_puts_the_instance_folder() -> None:
    """The local client finds the same default SQLite file as the server, without Flask."""
    from flask import Flask

    from service.config import default_database_url

    instance = Path(Flask("service.api.app").instance_path)
    assert default_database_url() == "sqlite:///" + str(instance / "geocheck.sqlite")


@pytest.mark.parametrize(
    "package_path",
    [
        "/srv/geocheck",  # a source tree
        "/usr/local/app",  # a source tree inside the prefix
        "/home/u/.local/lib/python3.11/site-packages",  # a user-site install
        "/opt/env/lib/python3.11/site-packages",  # a virtualenv
        "/opt/env/Lib/site-packages",  # Windows layout
        "/opt/env/site-packages",
    ],
)
def test_instance_folder_follows_flask_for_every_layout(
    package_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask.sansio import scaffold

    from service.config import APP_INSTANCE, instance_folder

    monkeypatch.setattr(scaffold, "_find_package_path", lambda name: package_path)
    monkeypatch.setattr(sys, "prefix", "/usr/local")
    prefix, found = scaffold.find_package("service.api.app")
    expected = Path(found) / "instance" if prefix is None else Path(prefix, "var", APP_INSTANCE)
    assert instance_folder(Path(package_path), Path("/usr/local")) == expected
