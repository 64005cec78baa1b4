"""The read-only reference store: features loaded from GeoJSON files into memory."""

from __future__ import annotations

from pathlib import Path

from service.rules.reference import ReferenceSet
from service.store.seed import load_reference_data


class FileStore:
    """Serves the reference set read from a folder of GeoJSON files as data version 1."""

    def __init__(self, directory: Path | None = None) -> None:
        self._snapshot = ReferenceSet(load_reference_data(directory), data_version=1)

    def snapshot(self) -> ReferenceSet:
        """The current reference set (immutable)."""
        return self._snapshot
