"""Writes and reads the store refuses; :mod:`service.problems` says how each is answered."""

from __future__ import annotations


class StoreError(Exception):
    """A write or read the store refuses; ``field`` names what was wrong (default ``id``)."""

    def __init__(self, message: str, field: str = "id") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(StoreError):
    """The feature to change does not exist (or is retired)."""


class ConflictError(StoreError):
    """The feature to create exists already."""


class PreconditionFailedError(StoreError):
    """``If-Match`` named a version that is no longer current."""


class UnknownVersionError(StoreError):
    """A ``data_version`` the store never had."""
