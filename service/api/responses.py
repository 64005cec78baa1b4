"""Fast JSON responses (orjson serialises numpy arrays natively)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response

from service.answers import MODEL

__all__ = ["MODEL", "json_response"]


def json_response(body: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    data = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return Response(data, status=status, mimetype=mimetype)
