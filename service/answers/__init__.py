"""The application layer: every question geocheck answers, in the wire shape.

Each front end — the Flask views, :class:`~service.client.LocalGeocheck`, the ``geocheck``
command and ``annotate`` — validates its input with :mod:`schemas`, pins a :class:`Moment`
(one reference set at one instant) and calls the functions here. They return plain
JSON-shaped values (numpy arrays where a column is long) and raise domain errors only
(:mod:`service.rules.errors`, :mod:`service.answers.errors`, :mod:`service.store.errors`);
:func:`service.problems.problem_for` is the one table that turns those into problems. No
Flask, no HTTP, no configuration is read here.

Modules by question: :mod:`~service.answers.check` (verdicts),
:mod:`~service.answers.distance` (distances, nearby, destinations),
:mod:`~service.answers.geometry` (areas and zone polygons),
:mod:`~service.answers.features` (reading and writing reference features) and
:mod:`~service.answers.ogc` (OGC API – Features collections, items and filters);
:mod:`~service.answers.questions` holds :class:`~service.answers.questions.Answers`,
which takes each question as a front end receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from schemas.base import format_instant, parse_instant
from service.answers.errors import BatchTooLargeError, InvalidInputError
from service.observed import Outage
from service.rules.reference import ReferenceSet

__all__ = [
    "MODEL",
    "BatchTooLargeError",
    "InvalidInputError",
    "Moment",
    "envelope",
    "instant",
    "require_batch_size",
    "stale_member",
]

#: How every answer is computed, reported with it.
MODEL = {
    "ellipsoid": "WGS84",
    "method": "geodesic (Karney, via pyproj.Geod); cheap bounds only where proven",
}


@dataclass(frozen=True)
class Moment:
    """What a question is answered from: one reference set (one ``data_version``) and the
    instant ``at`` that decides which features are in force; ``stale`` is the outage when
    the reference set is the last one held while the store is unreachable.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set, as the store stood at one data version.
    at : datetime
        The instant asked about (aware, UTC); features are in force when
        ``valid_from <= at < valid_to``.
    stale : Outage or None
        The store's outage, when answering from the last reference set held.
    """

    reference: ReferenceSet
    at: datetime
    stale: Outage | None = None

    @property
    def data_version(self) -> int:
        """The store's version the reference set was read at.

        Returns
        -------
        int
            The ``data_version`` (≥ 1) every answer from this moment reports.
        """
        return self.reference.data_version


def envelope(moment: Moment) -> dict[str, Any]:
    """The members every answer carries: ``at``, ``data_version`` and ``model`` (and
    ``stale`` when answered from the last snapshot while the store is unreachable).

    Parameters
    ----------
    moment : Moment
        The moment the answer was computed from.

    Returns
    -------
    dict
        ``at`` (RFC 3339 text, UTC), ``data_version`` (int) and ``model`` (:data:`MODEL`:
        the ellipsoid and the method); ``stale`` (``since``, ``reason``) while degraded.
    """
    members = {"at": format_instant(moment.at), "data_version": moment.data_version, "model": MODEL}
    return {**members, **stale_member(moment.stale)}


def stale_member(outage: Outage | None) -> dict[str, Any]:
    """``{"stale": {"since", "reason"}}`` for an answer given through ``outage``; ``{}``
    for a current one."""
    if outage is None:
        return {}
    return {"stale": {"since": format_instant(outage.since), "reason": outage.reason}}


def instant(value: Any, field: str = "at") -> datetime:
    """The instant a question is asked at: ``value`` as RFC 3339 (or a date), now if None.

    Parameters
    ----------
    value : str, date, datetime or None
        RFC 3339 date-time text, a plain date (``YYYY-MM-DD``, midnight UTC), a datetime
        (naive taken as UTC), or None for now.
    field : str
        The request field the value came from, named in the refusal.

    Returns
    -------
    datetime
        The instant, timezone-aware.

    Raises
    ------
    InvalidInputError
        Naming ``field`` when ``value`` is no valid time.

    Examples
    --------
    >>> instant("2024-03-01T12:00:00Z").isoformat()
    '2024-03-01T12:00:00+00:00'
    >>> instant("2024-03-01").isoformat()
    '2024-03-01T00:00:00+00:00'
    """
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_instant(value)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, list) else [str(err.messages)]
        raise InvalidInputError(f"{field} is not a valid time.", {field: messages}) from None


def require_batch_size(count: int, limit: int, field: str, unit: str = "points") -> None:
    """Refuse a batch of more than ``limit`` items.

    Parameters
    ----------
    count : int
        The number of items the request carries.
    limit : int
        The most one request may carry.
    field : str
        The request field that holds them (``points``, ``from``, ``features``).
    unit : str
        What the items are, for the message (``points``, ``features``).

    Raises
    ------
    BatchTooLargeError
        When ``count > limit`` (answered as HTTP 413).

    Examples
    --------
    >>> require_batch_size(10, 10, "points")
    >>> require_batch_size(11, 10, "points")
    Traceback (most recent call last):
    ...
    service.answers.errors.BatchTooLargeError: 11 points is more than the limit of 10
    """
    if count > limit:
        raise BatchTooLargeError(count, limit, field, unit)
