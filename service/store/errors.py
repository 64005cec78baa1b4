"""Writes and reads the store refuses; :mod:`service.problems` says how each is answered."""

from __future__ import annotations

from service.observed import Outage


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


class StoreUnavailableError(StoreError):
    """The database cannot be reached (or the SQLite file is gone): a question that needs
    it cannot be answered now; ``outage`` says since when and why, ``retry_after_s`` when
    to try again."""

    def __init__(self, outage: Outage, retry_after_s: int = 5) -> None:
        super().__init__(
            f"The store is unreachable ({outage.reason}); try again in {retry_after_s} s.",
            "store",
        )
        self.outage = outage
        self.retry_after_s = retry_after_s
