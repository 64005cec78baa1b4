"""Per-app services the views reach through ``current_app.extensions``."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app

from service.api.auth import Tokens
from service.config import Config
from service.rules.reference import ReferenceSet
from service.store.sql import SqlStore


def store() -> SqlStore:
    return cast(SqlStore, current_app.extensions["geocheck.store"])


def tokens() -> Tokens:
    return cast(Tokens, current_app.extensions["geocheck.tokens"])


def reference(data_version: int | None = None) -> ReferenceSet:
    """The reference set the current request is answered from: as it stands now, or as
    the store stood at ``data_version``."""
    if data_version is None:
        return store().snapshot()
    return store().snapshot_at(data_version)


def config() -> Config:
    return cast(Config, current_app.extensions["geocheck.config"])


def cache() -> dict[Any, Any]:
    """A per-app cache for derived, immutable values keyed by data version."""
    return cast(dict[Any, Any], current_app.extensions["geocheck.cache"])
