"""What one request did, noted by the layers that know it and read by the front end.

The application layer and the store are framework-free, yet the HTTP layer must say in
headers and metrics what happened below it: how many points a batch carried, whether the
answer came from a stale snapshot, whether the database failed. Each layer notes that on
the :class:`Observed` of the current request (a :mod:`contextvars` variable, so each
thread or task has its own); with no request begun, notes go nowhere.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Outage:
    """The store is unreachable: ``since`` when (aware, UTC) and ``reason`` (one line,
    no secrets: the driver's error class and message, without the URL)."""

    since: datetime
    reason: str


@dataclass
class Observed:
    """Notes on one request."""

    #: Points (or starts) the batch carried; None for a single question.
    batch_points: int | None = None
    #: The outage the answer was given through (answered from the last snapshot).
    stale: Outage | None = None
    #: Store operations that failed ("read", "write", "history"), in order.
    store_errors: list[str] = field(default_factory=list)


_CURRENT: ContextVar[Observed | None] = ContextVar("geocheck_observed", default=None)


def begin() -> Observed:
    """Start the notes of a new request (replacing any earlier ones) and return them."""
    observed = Observed()
    _CURRENT.set(observed)
    return observed


def current() -> Observed | None:
    """The notes of the request being answered, or None outside a request."""
    return _CURRENT.get()


def note_batch(points: int) -> None:
    if (observed := _CURRENT.get()) is not None:
        observed.batch_points = points


def note_stale(outage: Outage) -> None:
    if (observed := _CURRENT.get()) is not None:
        observed.stale = outage


def note_store_error(operation: str) -> None:
    if (observed := _CURRENT.get()) is not None:
        observed.store_errors.append(operation)
