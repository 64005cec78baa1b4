"""Distances and the queries around them: ``/distance``, ``/nearby``, ``/destination``,
``/area`` and ``/zones/{id}/polygon``."""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.api.context import answers
from service.api.parsing import json_body, json_object
from service.api.responses import GEOJSON_MIME, json_response

bp = Blueprint("measure", __name__)


@bp.get("/distance")
def distance_get() -> Response:
    """Distance from one point or site to a feature or a point."""
    return json_response(answers().distance_query(request.args))


@bp.post("/distance")
def distance_post() -> Response:
    """Distances from one point, a list or columns to a feature or a point."""
    return json_response(answers().distance(json_object()))


@bp.get("/nearby")
def nearby() -> Response:
    """Features within a radius of a point, nearest first."""
    return json_response(answers().nearby(request.args))


@bp.post("/destination")
def destination() -> Response:
    """Where a start, an azimuth and a length lead."""
    return json_response(answers().destination(json_object()))


@bp.post("/area")
def area() -> Response:
    """Geodesic area and perimeter of a polygon."""
    return json_response(answers().area(json_body()))


@bp.get("/zones/<string:zone_id>/polygon")
def zone_polygon(zone_id: str) -> Response:
    """A zone's display polygon with its measured error."""
    return json_response(answers().zone_polygon(zone_id, request.args), mimetype=GEOJSON_MIME)
