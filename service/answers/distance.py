"""Distances and the questions around them: ``/distance``, ``/nearby`` and
``/destination``.

Conventions: metres and degrees; ``azimuth_deg`` is measured at the query point toward
the nearest point of the target, clockwise from true north in [0, 360); ``side`` is
relative to a route's direction of travel. ``uncertainty_m`` adds the target's
uncertainty (with what it follows) to the query point's accuracy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from marshmallow import ValidationError

from schemas.point import PointBatch, parse_point
from schemas.units import UNITS
from service.answers import MODEL, Moment, envelope
from service.answers.errors import InvalidInputError
from service.geodesy import direct_one
from service.rules import measure
from service.rules.errors import NotInForceError, UnknownFeatureError
from service.rules.measure import SIDE_NAMES, Measurement
from service.rules.model import Feature

#: Length fields that ``units`` adds a converted twin for (``distance_km``…).
LENGTH_FIELDS = (
    "distance_m",
    "uncertainty_m",
    "along_m",
    "distance_to_boundary_m",
    "distance_to_center_m",
)

Target = Feature | dict[str, Any]


def point_problem(field: str, err: ValidationError) -> InvalidInputError:
    """The refusal of a value named ``field`` that is no point, its messages under
    ``field`` (``from.lat``…).

    Parameters
    ----------
    field : str
        The request field that held the value.
    err : marshmallow.ValidationError
        The point parser's refusal.

    Returns
    -------
    InvalidInputError
        To raise (it is returned, not raised).

    Examples
    --------
    >>> from marshmallow import ValidationError
    >>> point_problem("from", ValidationError({"lat": ["Must be a number."]})).errors
    {'from.lat': ['Must be a number.']}
    """
    messages = err.messages
    if isinstance(messages, dict):
        errors = {f"{field}.{k}": list(v) for k, v in messages.items()}
    else:
        errors = {field: [str(m) for m in messages]}
    return InvalidInputError(f"{field} is not a valid point.", errors)


def origin(moment: Moment, value: Any, field: str = "from") -> dict[str, Any]:
    """A starting point: a point in any accepted form, or the id or alias of a site (its
    coordinate, with the site's own uncertainty as the accuracy).

    Parameters
    ----------
    moment : Moment
        The reference set the site is read from.
    value : Any
        A site's id or alias, or a point: ``{"lat", "lon", "accuracy_m", "id"}``,
        a GeoJSON Point (``[lon, lat]``) or text such as ``"33.9, 38.2"`` (lat then lon).
    field : str
        The request field that held it, named in a refusal.

    Returns
    -------
    dict
        ``lat``, ``lon`` (degrees), ``accuracy_m`` (m) and ``id`` (the site's id, the
        point's own, or None).

    Raises
    ------
    InvalidInputError
        Naming ``field``, for a value that is neither, or names a feature that is no site.
    """
    try:
        return parse_point(value)
    except ValidationError as err:
        reference = moment.reference
        if isinstance(value, str) and value in reference:
            site = reference.resolve(value)
            if site.kind == "site" and site.geometry is not None:
                lon, lat = site.geometry["coordinates"][:2]
                return {"lat": lat, "lon": lon, "accuracy_m": site.uncertainty_m, "id": site.id}
            raise InvalidInputError(
                f"{field}: {site.id!r} is a {site.kind}; start from a site or a point.",
                {field: ["Must be a point or a site id."]},
            ) from None
        raise point_problem(field, err) from None


def resolve_target(moment: Moment, value: Any, field: str = "to") -> Target:
    """A ``to`` reference: a feature (by id or alias) in force at the moment, or a point in
    any accepted form.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    value : Any
        A feature's id or alias, or a point: ``{"lat", "lon", "accuracy_m", "id"}``,
        a GeoJSON Point (``[lon, lat]``) or text such as ``"33.9, 38.2"`` (lat then lon).
    field : str
        The request field that held it, named in a refusal.

    Returns
    -------
    Feature or dict
        The feature, or the point as ``{"lat", "lon", "accuracy_m", "id"}``.

    Raises
    ------
    UnknownFeatureError
        For a string that names no feature and is no point (with close matches).
    NotInForceError
        For a feature not valid at the moment's instant.
    InvalidInputError
        For anything else that is no point.
    """
    try:
        if not isinstance(value, str):
            return parse_point(value)
        try:
            feature = moment.reference.resolve(value)
        except UnknownFeatureError as unknown:
            try:
                return parse_point(value)
            except ValidationError:
                raise UnknownFeatureError(
                    value, unknown.suggestions, field, "and it is not a point"
                ) from None
    except ValidationError as err:
        raise point_problem(field, err) from None
    if not feature.in_force(moment.at):
        raise NotInForceError(feature.id, moment.at, feature.valid_from, feature.valid_to, field)
    return feature


def measurement_columns(
    m: Measurement, uncertainty_m: np.ndarray, units: str | None
) -> dict[str, Any]:
    """Distance answers as columns (numpy arrays); ``side`` stays coded (-1, 0, 1).

    Parameters
    ----------
    m : Measurement
        Distances from the points to one target.
    uncertainty_m : ndarray
        Each answer's uncertainty (m): the target's plus the point's accuracy.
    units : str or None
        A key of :data:`~schemas.units.UNITS` (``km``, ``mi``, ``nmi``, ``m``) for a converted
        twin of each length field (``distance_km``…), or None.

    Returns
    -------
    dict
        ``distance_m`` (geodesic, ≥ 0), ``azimuth_deg`` (at the point toward the nearest
        point, clockwise from north in [0, 360)), ``nearest`` (``lat`` and ``lon`` columns),
        ``uncertainty_m``, the shape's own columns (``along_m``, ``segment``, ``side`` for
        routes; ``distance_to_boundary_m``, signed, negative inside, and ``inside`` for areas
        and zones; ``distance_to_center_m`` for circles) and the twins in ``units``.
    """
    out: dict[str, Any] = {
        "distance_m": m.distance_m,
        "azimuth_deg": m.azimuth_deg,
        "nearest": {"lat": m.nearest_lat, "lon": m.nearest_lon},
        "uncertainty_m": uncertainty_m,
        **m.extra,
    }
    if units is not None:
        factor = UNITS[units]
        for key in LENGTH_FIELDS:
            if key in out:
                out[key[: -len("_m")] + f"_{units}"] = out[key] / factor
    return out


def distance_columns(
    moment: Moment,
    target: Target,
    lon: np.ndarray,
    lat: np.ndarray,
    accuracy_m: np.ndarray,
    units: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Distance columns from every point to a resolved ``target``, and the target's
    description as answers name it.

    Parameters
    ----------
    moment : Moment
        The reference set the target is measured in.
    target : Feature or dict
        From :func:`resolve_target`.
    lon, lat : ndarray
        The points, longitude then latitude (degrees), of one length.
    accuracy_m : ndarray
        Each point's accuracy (m), of the same length.
    units : str or None
        A unit for converted twins of the lengths, as in :func:`measurement_columns`.

    Returns
    -------
    columns : dict
        As :func:`measurement_columns` returns them.
    described : dict
        ``id``, ``kind`` and ``name`` of a feature, or ``kind`` (``point``), ``lat`` and
        ``lon`` of a point.
    """
    reference = moment.reference
    if isinstance(target, Feature):
        m = measure.to_feature(reference, target, lon, lat)
        described: dict[str, Any] = {"id": target.id, "kind": target.kind, "name": target.name}
        own = reference.uncertainty_m(target)
    else:
        m = measure.to_point(lon, lat, target["lon"], target["lat"])
        described = {"kind": "point", "lat": target["lat"], "lon": target["lon"]}
        own = target["accuracy_m"]
    return measurement_columns(m, accuracy_m + own, units), described


def _rows(columns: dict[str, Any], n: int) -> list[dict[str, Any]]:
    lists: dict[str, list[Any]] = {}
    for key, values in columns.items():
        if key == "nearest":
            lists[key] = [
                {"lat": a, "lon": b}
                for a, b in zip(values["lat"].tolist(), values["lon"].tolist(), strict=True)
            ]
        elif key == "side":
            lists[key] = [SIDE_NAMES[int(s)] for s in values.tolist()]
        else:
            lists[key] = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return [{key: lists[key][i] for key in lists} for i in range(n)]


def distance_one(
    moment: Moment,
    start: dict[str, Any],
    to: Any,
    units: str | None = None,
    *,
    echo_id: bool = True,
) -> dict[str, Any]:
    """The answer for one starting point to a reference ``to``.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    start : dict
        From :func:`origin`: ``lat``, ``lon`` (degrees), ``accuracy_m`` (m) and ``id``.
    to : Any
        A feature's id or alias, or a point, as :func:`resolve_target` takes it.
    units : str or None
        A unit for converted twins of the lengths (``distance_km``…), or None.
    echo_id : bool
        Echo the start's ``id`` in ``from`` (null when it has none).

    Returns
    -------
    dict
        ``from`` (``id`` unless not ``echo_id``, ``lat``, ``lon``), ``to`` (as
        :func:`distance_columns` describes it), the row of :func:`measurement_columns`
        (``side`` as ``left``, ``right`` or ``on``; ``nearest`` as ``{"lat", "lon"}``), ``at``,
        ``data_version`` and ``model``.

    Raises
    ------
    UnknownFeatureError, NotInForceError, InvalidInputError
        For a ``to`` that :func:`resolve_target` refuses.
    """
    target = resolve_target(moment, to)
    columns, described = distance_columns(
        moment,
        target,
        np.array([float(start["lon"])]),
        np.array([float(start["lat"])]),
        np.array([float(start["accuracy_m"])]),
        units,
    )
    source = {"lat": start["lat"], "lon": start["lon"]}
    if echo_id:
        source = {"id": start.get("id"), **source}
    return {"from": source, "to": described, **_rows(columns, 1)[0], **envelope(moment)}


def distance_batch(
    moment: Moment, batch: PointBatch, to: Any, units: str | None = None, *, columns: bool
) -> dict[str, Any]:
    """The answer for a batch of validated starting points: one row per point (each with
    its ``from``), or (``columns``) one list per field with the points' ``id``.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    batch : PointBatch
        The points: arrays ``lon`` then ``lat`` (degrees) and ``accuracy_m`` (m), and ``ids``.
    to : Any
        A feature's id or alias, or a point, as :func:`resolve_target` takes it.
    units : str or None
        A unit for converted twins of the lengths (``distance_km``…), or None.
    columns : bool
        Answer in the columnar form.

    Returns
    -------
    dict
        ``to``, ``results``, ``at``, ``data_version`` and ``model``. ``results`` is a list
        of rows as in :func:`distance_one` (``from`` with ``id``, ``lat``, ``lon``), or
        (``columns``) the columns of :func:`measurement_columns` with ``id`` and ``side``
        named.

    Raises
    ------
    UnknownFeatureError, NotInForceError, InvalidInputError
        For a ``to`` that :func:`resolve_target` refuses.
    """
    target = resolve_target(moment, to)
    answer, described = distance_columns(
        moment, target, batch.lon, batch.lat, batch.accuracy_m, units
    )
    if columns:
        answer["id"] = batch.ids
        if "side" in answer:
            answer["side"] = [SIDE_NAMES[int(s)] for s in answer["side"].tolist()]
        return {"to": described, "results": answer, **envelope(moment)}
    rows = _rows(answer, len(batch))
    sources = zip(batch.ids, batch.lat.tolist(), batch.lon.tolist(), strict=True)
    for row, (ident, lat, lon) in zip(rows, sources, strict=True):
        row["from"] = {"id": ident, "lat": lat, "lon": lon}
    return {"to": described, "results": rows, **envelope(moment)}


def nearby(
    moment: Moment,
    start: dict[str, Any],
    radius_m: float,
    *,
    kind: str | None = None,
    limit: int = 50,
    units: str | None = None,
) -> dict[str, Any]:
    """Features in force within ``radius_m`` of a starting point, nearest first (ties by
    id), at most ``limit`` of them; ``numberMatched`` counts them all.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    start : dict
        From :func:`origin`: ``lat``, ``lon`` (degrees), ``accuracy_m`` (m) and ``id``.
    radius_m : float
        Search radius (m, geodesic, to each feature's nearest point).
    kind : str or None
        Only features of this kind (``site``, ``route``, ``zone``, ``area``), or all.
    limit : int
        The most features listed.
    units : str or None
        A unit for a converted twin of each distance (``distance_km``…), or None.

    Returns
    -------
    dict
        ``point`` (``lat``, ``lon``), ``radius_m``, ``features`` (each ``id``, ``name``,
        ``kind``, ``distance_m``, ``azimuth_deg`` clockwise from north in [0, 360),
        ``nearest`` (``lat``, ``lon``), ``uncertainty_m``, ``distance_to_boundary_m`` for areas
        and zones (signed, negative inside), and the twin in ``units``), ``numberMatched``,
        ``at``, ``data_version`` and ``model``.
    """
    reference = moment.reference
    lon, lat = np.array([start["lon"]]), np.array([start["lat"]])
    found = []
    for feature in reference.features(kind=kind, at=moment.at):
        m = measure.to_feature(reference, feature, lon, lat)
        distance = float(m.distance_m[0])
        if distance > radius_m:
            continue
        item: dict[str, Any] = {
            "id": feature.id,
            "name": feature.name,
            "kind": feature.kind,
            "distance_m": distance,
            "azimuth_deg": float(m.azimuth_deg[0]),
            "nearest": {"lat": float(m.nearest_lat[0]), "lon": float(m.nearest_lon[0])},
            "uncertainty_m": reference.uncertainty_m(feature) + start["accuracy_m"],
        }
        if "distance_to_boundary_m" in m.extra:
            item["distance_to_boundary_m"] = float(m.extra["distance_to_boundary_m"][0])
        if units is not None:
            item[f"distance_{units}"] = distance / UNITS[units]
        found.append(item)
    found.sort(key=lambda item: (item["distance_m"], item["id"]))
    return {
        "point": {"lat": start["lat"], "lon": start["lon"]},
        "radius_m": radius_m,
        "features": found[:limit],
        "numberMatched": len(found),
        **envelope(moment),
    }


def destination(start: dict[str, Any], azimuth_deg: float, distance_m: float) -> dict[str, Any]:
    """Where the geodesic from ``start`` along ``azimuth_deg`` ends after ``distance_m``,
    and the azimuth back from there.

    Parameters
    ----------
    start : dict
        ``lat`` and ``lon`` of the start (degrees), as :func:`origin` returns it.
    azimuth_deg : float
        Initial azimuth, degrees clockwise from north (any finite value).
    distance_m : float
        Length of the geodesic (m, ≥ 0).

    Returns
    -------
    dict
        ``from`` (``lat``, ``lon``), ``azimuth_deg``, ``distance_m``, ``lat`` and ``lon`` of
        the end (longitude in [-180, 180)), ``back_azimuth_deg`` (at the end toward the
        start, in [0, 360)) and ``model``.

    Raises
    ------
    GeodesyError
        For an azimuth that is not finite or a negative distance.

    Examples
    --------
    >>> end = destination({"lat": 34.56, "lon": 38.2672}, 180.0, 10_000.0)  # due south
    >>> round(end["lat"], 3), end["lon"], end["back_azimuth_deg"]
    (34.47, 38.2672, 0.0)
    """
    lon, lat, back = direct_one(start["lon"], start["lat"], azimuth_deg, distance_m)
    return {
        "from": {"lat": start["lat"], "lon": start["lon"]},
        "azimuth_deg": azimuth_deg,
        "distance_m": distance_m,
        "lat": lat,
        "lon": lon,
        "back_azimuth_deg": back,
        "model": MODEL,
    }
