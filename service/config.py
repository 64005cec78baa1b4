"""Configuration: one class, read from ``GEOCHECK_*`` environment variables when the app is
built (never at import time). Documented as a table in the README."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass
class Config:
    #: Folder of ``*.geojson`` reference files to serve (default: the shipped ``geodata/``).
    DATA_DIR: Path | None = None
    #: Most points one request may carry (413 beyond).
    MAX_BATCH_POINTS: int = 100_000
    #: Largest request body in bytes (413 beyond).
    MAX_BODY_BYTES: int = 64 * 1024 * 1024
    #: Maximum error (m) of zone display polygons served in ``/features``.
    DISPLAY_MAX_ERROR_M: float = 10.0
    #: SQLAlchemy URL of the store; default a SQLite file in the instance folder.
    DATABASE_URL: str = ""
    #: Write tokens, comma-separated ``name=secret`` pairs (the name goes in the history).
    API_TOKENS: str = ""
    #: Read-only tokens, same form; used when reads require a token.
    READ_TOKENS: str = ""
    #: When true, every route but /health, the API definition and the map page needs a
    #: read or write token.
    READ_TOKENS_REQUIRED: bool = False
    #: Origins browsers may call the API from (comma-separated; ``*`` for any).
    CORS_ORIGINS: str = "*"
    #: Requests per second (sustained) each token, or each client address without one,
    #: may make; 0: no limit. Per worker process (N workers: up to N× this).
    RATE_LIMIT_PER_S: float = 0.0
    #: Requests a client may make at once before the rate applies (the bucket's size).
    RATE_LIMIT_BURST: int = 20
    #: Whether requests without a token from the loopback address are limited too.
    RATE_LIMIT_LOCAL: bool = False
    #: ``geocheck serve``: threads per worker process. A request holds one from its headers
    #: to its answer, so a worker serves this many slow clients at once before
    #: others wait (idle threads cost memory only; the GIL is released while they wait).
    THREADS: int = 128
    #: ``geocheck serve``: seconds a client has to send a request's headers (granian
    #: closes the connection beyond; 1 to 60).
    HEADER_TIMEOUT_S: float = 10.0
    #: ``geocheck serve``: seconds in-flight requests get to finish after SIGTERM before
    #: the workers are killed (new connections are refused at once).
    SHUTDOWN_TIMEOUT_S: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = env.get(f"GEOCHECK_{spec.name}")
            if raw is None or raw == "":
                continue
            default = spec.default
            try:
                if spec.name == "DATA_DIR":
                    values[spec.name] = Path(raw)
                elif isinstance(default, bool):
                    values[spec.name] = _boolean(raw)
                elif isinstance(default, int):
                    values[spec.name] = int(raw)
                elif isinstance(default, float):
                    values[spec.name] = float(raw)
                else:
                    values[spec.name] = raw
            except ValueError:
                raise ValueError(f"GEOCHECK_{spec.name}={raw!r} is not a valid value") from None
        return cls(**values)

    def updated(self, overrides: Mapping[str, Any] | None) -> Config:
        """This configuration with ``overrides`` (field name → value) applied; a name that
        is no field is an error, so a typo cannot pass silently."""
        unknown = sorted(set(overrides or {}) - {spec.name for spec in fields(self)})
        if unknown:
            raise ValueError(f"unknown configuration key(s): {', '.join(unknown)}")
        return replace(self, **(overrides or {}))


def default_database_url() -> str:
    """The embedded default store: ``geocheck.sqlite`` in the folder Flask calls the
    instance folder of ``service.api.app`` (see :func:`instance_folder`), computed without
    importing Flask."""
    package_path = Path(__file__).resolve().parents[1]  # the folder holding service/
    folder = instance_folder(package_path, Path(sys.prefix).absolute())
    return "sqlite:///" + str(folder / "geocheck.sqlite")


def instance_folder(package_path: Path, prefix: Path) -> Path:
    """Flask's instance folder for a package imported from ``package_path`` by a Python
    installed at ``prefix``: beside the source tree (``<tree>/instance``) unless the
    package is installed under the prefix or in a ``site-packages`` folder, then
    ``<install prefix>/var/service.api.app-instance``. Flask's own rule
    (``flask.sansio.scaffold.find_package``); a test compares the two."""
    install: Path | None = None
    if package_path.is_relative_to(prefix):
        install = prefix
    elif package_path.name.lower() == "site-packages":
        site_parent = package_path.parent
        if site_parent.name.lower() == "lib":  # Windows: prefix/lib/site-packages
            install = site_parent.parent
        elif site_parent.parent.name.lower() == "lib":  # prefix/lib/pythonX.Y/site-packages
            install = site_parent.parent.parent
        else:  # prefix/site-packages
            install = site_parent
    return package_path / "instance" if install is None else install / "var" / APP_INSTANCE


#: Flask's name for the app's instance folder under an installation prefix.
APP_INSTANCE = "service.api.app-instance"


def _boolean(raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def limit_blas_threads() -> None:
    """One BLAS thread for this process; called by each server worker as it starts and by
    ``geocheck annotate`` (never at import or by the app factory: it is process-global).

    geocheck's only matrix products are (points × 3)·(3 × blocks) in polyline bounds: far
    too small to gain from threads, and OpenBLAS's idle threads spin on a core. Measured
    with ``geocheck annotate`` on 2 cores: 5.3 s with OpenBLAS's default threads, 4.6 s
    with one (the spinning took CPU from the threads that compute chunks).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
