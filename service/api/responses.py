"""The one JSON writer of the API (orjson serialises numpy arrays natively)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response

GEOJSON_MIME = "application/geo+json"
PROBLEM_MIME = "application/problem+json"


def json_response(
    body: Any,
    status: int = 200,
    mimetype: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """``body`` as JSON (numpy arrays as lists) with ``status`` and extra ``headers``."""
    data = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    response = Response(data, status=status, mimetype=mimetype)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
