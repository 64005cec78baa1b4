"""``POST /check-zone``: verdicts of points against zones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from flask import Blueprint, Response
from marshmallow import ValidationError

from schemas.check import check_zone_request_schema, point_count, points_of
from schemas.point import parse_point
from service.answers import check_columns, envelope, zone_info, zones_at
from service.api.context import config, reference
from service.api.errors import ApiError
from service.api.parsing import json_object, parse_at
from service.api.responses import json_response
from service.rules.checks import ZoneCheck, check_point, check_points
from service.rules.verdict import NAME_TABLE, NAMES

bp = Blueprint("checks", __name__)


@bp.post("/check-zone")
def check_zone() -> Response:
    body = json_object()
    if body.keys() == {"point"}:
        # The commonest request: the envelope schema could only confirm what the key
        # test just did, so go straight to validating the point.
        return _check_single(body["point"], parse_at(None), None, None)
    data = check_zone_request_schema.load(body)
    version = data.get("data_version")
    if "point" in data:
        return _check_single(data["point"], parse_at(data.get("at")), data.get("zones"), version)
    limit = config().MAX_BATCH_POINTS
    count = point_count(data)
    if count > limit:
        raise ApiError(
            413,
            f"{count} points is more than the {limit} one request may carry; split the batch.",
            {"points": [f"At most {limit} points per request."]},
        )
    batch, form = points_of(data)
    at = parse_at(data.get("at"))
    ref = reference(version)
    zones = zones_at(ref, at, data.get("zones"))
    if form == "columns":
        answer = check_columns(
            ref, zones, batch.lon, batch.lat, batch.accuracy_m, batch.ids, at, data["distances"]
        )
        return json_response(answer)
    result = check_points(ref, zones, batch.lon, batch.lat, batch.accuracy_m, data["distances"])
    rows = _rows(batch.ids, batch.lat, batch.lon, NAME_TABLE[result.overall + 1], result.zones)
    return json_response(
        {
            "results": rows,
            **envelope(ref, at),
            "zones": [zone_info(z.zone, z.uncertainty_m) for z in result.zones],
        }
    )


def _check_single(
    value: Any, at: datetime, ids: list[str] | None, data_version: int | None
) -> Response:
    try:
        point = parse_point(value)
    except ValidationError as err:
        messages = err.messages
        errors = (
            {f"point.{k}": list(v) for k, v in messages.items()}
            if isinstance(messages, dict)
            else {"point": [str(m) for m in messages]}
        )
        raise ApiError(
            422, f"The request has invalid fields: {', '.join(errors)}.", errors
        ) from None
    ref = reference(data_version)
    zones = zones_at(ref, at, ids)
    overall, answers = check_point(ref, zones, point["lon"], point["lat"], point["accuracy_m"])
    rows = []
    for answer in answers:
        rule = answer.zone.zone
        assert rule is not None
        row: dict[str, Any] = {
            "zone": answer.zone.id,
            "verdict": NAMES[answer.verdict],
            "distance_to_boundary_m": answer.boundary_m,
            "margin_m": answer.margin_m,
        }
        if answer.centre_m is not None:
            row["distance_to_center_m"] = answer.centre_m
        row["severity"] = rule.severity
        row["message"] = rule.message
        rows.append(row)
    result = {
        "id": point["id"],
        "lat": point["lat"],
        "lon": point["lon"],
        "verdict": NAMES[overall],
        "zones": rows,
    }
    info = [zone_info(a.zone, a.uncertainty_m) for a in answers]
    return json_response({"results": [result], **envelope(ref, at), "zones": info})


def _rows(
    ids: list[Any], lat: np.ndarray, lon: np.ndarray, verdicts: np.ndarray, zones: list[ZoneCheck]
) -> list[dict[str, Any]]:
    per_zone = []
    for z in zones:
        rule = z.zone.zone
        assert rule is not None
        names = NAME_TABLE[z.verdict + 1].tolist()
        margins = z.margin_m.tolist()
        boundary = z.boundary_m.tolist() if z.boundary_m is not None else None
        centre = z.centre_m.tolist() if z.centre_m is not None else None
        per_zone.append((z.zone.id, names, margins, boundary, centre, rule.severity, rule.message))
    rows = []
    for i, (ident, la, lo, verdict) in enumerate(
        zip(ids, lat.tolist(), lon.tolist(), verdicts.tolist(), strict=True)
    ):
        answers = []
        for zone_id, names, margins, boundary, centre, severity, message in per_zone:
            answer: dict[str, Any] = {"zone": zone_id, "verdict": names[i]}
            if boundary is not None:
                answer["distance_to_boundary_m"] = boundary[i]
            answer["margin_m"] = margins[i]
            if centre is not None:
                answer["distance_to_center_m"] = centre[i]
            answer["severity"] = severity
            answer["message"] = message
            answers.append(answer)
        rows.append({"id": ident, "lat": la, "lon": lo, "verdict": verdict, "zones": answers})
    return rows
