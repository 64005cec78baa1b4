"""Per-app services the views reach through ``current_app.extensions``."""

from __future__ import annotations

from typing import Any, Protocol, cast

from flask import current_app

from service.config import Config
from service.rules.reference import ReferenceSet


class Store(Protocol):
    def snapshot(self) -> ReferenceSet: ...


def store() -> Store:
    return cast(Store, current_app.extensions["geocheck.store"])


def reference() -> ReferenceSet:
    """The reference set the current request is answered from."""
    return store().snapshot()


def config() -> Config:
    return cast(Config, current_app.extensions["geocheck.config"])


def cache() -> dict[Any, Any]:
    """A per-app cache for derived, immutable values keyed by data version."""
    return cast(dict[Any, Any], current_app.extensions["geocheck.cache"])
