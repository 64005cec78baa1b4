"""``POST /check-zone``: verdicts of points against zones."""

from __future__ import annotations

from flask import Blueprint, Response

from service.api.context import answers
from service.api.parsing import json_object
from service.api.responses import json_response

bp = Blueprint("checks", __name__)


@bp.post("/check-zone")
def check_zone() -> Response:
    """Verdicts of one point, a list, columns or a FeatureCollection against zones."""
    return json_response(answers().check_zone(json_object()))
