"""``/check-zone``: the verdicts of points against zones, in the three answer forms.

A point's answer lists each zone's verdict, its signed distance to the boundary (m,
negative inside), the margin it was judged with (zone uncertainty + point accuracy, m) and,
for circles, the distance to the centre (m). The list and FeatureCollection forms answer
one row per point; the columnar form answers one list per field, so large batches stay
arrays end to end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from schemas.point import PointBatch
from service.answers import Moment, envelope
from service.rules.checks import ZoneAnswer, ZoneCheck, check_point, check_points
from service.rules.model import Feature
from service.rules.verdict import NAME_TABLE, NAMES


def zones_at(moment: Moment, ids: Iterable[str] | None, field: str = "zones") -> list[Feature]:
    """The zones a check is made against: every zone in force at the moment, or those named
    in ``ids`` (ids or aliases; those not in force then are left out).

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    ids : iterable of str or None
        Ids or aliases of the zones to check; None for every zone in force.
    field : str
        The request field that named them, named in a refusal.

    Returns
    -------
    list of Feature
        The zones, in force at ``moment.at``.

    Raises
    ------
    UnknownFeatureError
        For a name no feature has (with close matches), naming ``field``.
    NotAZoneError
        For a feature that is not a zone, naming ``field``.
    """
    return moment.reference.zones(moment.at, ids, field)


def zone_info(zone: Feature, uncertainty_m: float) -> dict[str, Any]:
    """The description of a checked zone that every check answer lists once.

    Parameters
    ----------
    zone : Feature
        A zone (from :func:`zones_at`).
    uncertainty_m : float
        Its effective uncertainty (m, with that of the site it follows).

    Returns
    -------
    dict
        ``zone`` (id), ``name``, ``shape``, ``severity``, ``message`` and ``uncertainty_m``.
    """
    rule = zone.zone
    assert rule is not None, "zones_at returns zones only"
    return {
        "zone": zone.id,
        "name": zone.name,
        "shape": rule.shape,
        "severity": rule.severity,
        "message": rule.message,
        "uncertainty_m": uncertainty_m,
    }


def _zone_row(
    zone: Feature,
    verdict: str,
    boundary_m: float | None,
    margin_m: float,
    centre_m: float | None,
) -> dict[str, Any]:
    """One zone's entry in a point's answer (the one row builder of every form)."""
    rule = zone.zone
    assert rule is not None, "zones_at returns zones only"
    row: dict[str, Any] = {"zone": zone.id, "verdict": verdict}
    if boundary_m is not None:
        row["distance_to_boundary_m"] = boundary_m
    row["margin_m"] = margin_m
    if centre_m is not None:
        row["distance_to_center_m"] = centre_m
    row["severity"] = rule.severity
    row["message"] = rule.message
    return row


def check_one(
    moment: Moment, point: dict[str, Any], zone_ids: Iterable[str] | None = None
) -> dict[str, Any]:
    """The answer for one point against the zones.

    Computed in plain floats: pyproj is several times faster on floats than on
    one-element arrays, which matters for single requests.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    point : dict
        A validated point: ``lat``, ``lon`` (degrees), ``accuracy_m`` (m, ≥ 0) and ``id``.
    zone_ids : iterable of str or None
        Ids or aliases of the zones to check; None for every zone in force.

    Returns
    -------
    dict
        ``results`` (one row: ``id``, ``lat``, ``lon``, the overall ``verdict`` — ``inside``,
        ``uncertain`` or ``outside`` — and ``zones``, one entry per zone with ``zone``,
        ``verdict``, ``distance_to_boundary_m`` (signed, negative inside), ``margin_m``,
        ``distance_to_center_m`` for circles, ``severity`` and ``message``), ``at``,
        ``data_version``, ``model`` and ``zones`` (:func:`zone_info` of each).

    Raises
    ------
    UnknownFeatureError
        For a zone name no feature has (``zones``).
    NotAZoneError
        For a named feature that is not a zone (``zones``).
    """
    zones = zones_at(moment, zone_ids)
    overall, answers = check_point(
        moment.reference, zones, point["lon"], point["lat"], point["accuracy_m"]
    )
    rows = [_answer_row(a) for a in answers]
    result = {
        "id": point["id"],
        "lat": point["lat"],
        "lon": point["lon"],
        "verdict": NAMES[overall],
        "zones": rows,
    }
    info = [zone_info(a.zone, a.uncertainty_m) for a in answers]
    return {"results": [result], **envelope(moment), "zones": info}


def _answer_row(answer: ZoneAnswer) -> dict[str, Any]:
    verdict = NAMES[answer.verdict]
    return _zone_row(answer.zone, verdict, answer.boundary_m, answer.margin_m, answer.centre_m)


def check_batch(
    moment: Moment,
    batch: PointBatch,
    zone_ids: Iterable[str] | None = None,
    *,
    columns: bool = False,
    distances: bool = True,
) -> dict[str, Any]:
    """The answer for a batch of validated points: one row per point, or (``columns``)
    one list per field. Without ``distances`` only verdicts are computed, and points the
    proven cheap bounds settle skip the exact geodesic work.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    batch : PointBatch
        The points: arrays ``lon`` then ``lat`` (degrees) and ``accuracy_m`` (m), and ``ids``.
    zone_ids : iterable of str or None
        Ids or aliases of the zones to check; None for every zone in force.
    columns : bool
        Answer in the columnar form.
    distances : bool
        Compute the distances too; without them each zone's entry has verdicts and
        margins only.

    Returns
    -------
    dict
        ``results``, ``at``, ``data_version``, ``model`` and ``zones`` (:func:`zone_info` of
        each). ``results`` is a list of rows as in :func:`check_one`, or (``columns``) an
        object of ``id``, ``lat``, ``lon`` and ``verdict`` lists and ``zones`` mapping each
        zone id to its ``verdict``, ``margin_m``, ``distance_to_boundary_m`` (signed, negative
        inside) and, for circles, ``distance_to_center_m`` columns (numpy arrays where
        numeric).

    Raises
    ------
    UnknownFeatureError
        For a zone name no feature has (``zones``).
    NotAZoneError
        For a named feature that is not a zone (``zones``).
    """
    zones = zones_at(moment, zone_ids)
    result = check_points(
        moment.reference, zones, batch.lon, batch.lat, batch.accuracy_m, distances
    )
    verdicts = NAME_TABLE[result.overall + 1]
    if columns:
        results: Any = {
            "id": batch.ids,
            "lat": batch.lat,
            "lon": batch.lon,
            "verdict": verdicts.tolist(),
            "zones": {z.zone.id: _zone_columns(z) for z in result.zones},
        }
    else:
        results = _rows(batch, verdicts, result.zones)
    info = [zone_info(z.zone, z.uncertainty_m) for z in result.zones]
    return {"results": results, **envelope(moment), "zones": info}


def _zone_columns(check: ZoneCheck) -> dict[str, Any]:
    column: dict[str, Any] = {
        "verdict": NAME_TABLE[check.verdict + 1].tolist(),
        "margin_m": check.margin_m,
    }
    if check.boundary_m is not None:
        column["distance_to_boundary_m"] = check.boundary_m
    if check.centre_m is not None:
        column["distance_to_center_m"] = check.centre_m
    return column


def _rows(batch: PointBatch, verdicts: np.ndarray, zones: list[ZoneCheck]) -> list[dict[str, Any]]:
    # Columns become Python lists once per zone, then rows are cut from them.
    per_zone = [
        (
            z.zone,
            NAME_TABLE[z.verdict + 1].tolist(),
            z.boundary_m.tolist() if z.boundary_m is not None else None,
            z.margin_m.tolist(),
            z.centre_m.tolist() if z.centre_m is not None else None,
        )
        for z in zones
    ]
    rows = []
    points = zip(batch.ids, batch.lat.tolist(), batch.lon.tolist(), verdicts.tolist(), strict=True)
    for i, (ident, lat, lon, verdict) in enumerate(points):
        answers = [
            _zone_row(
                zone,
                names[i],
                boundary[i] if boundary is not None else None,
                margins[i],
                centre[i] if centre is not None else None,
            )
            for zone, names, boundary, margins, centre in per_zone
        ]
        rows.append({"id": ident, "lat": lat, "lon": lon, "verdict": verdict, "zones": answers})
    return rows
