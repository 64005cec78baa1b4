"""The request body as strict JSON, shared by the blueprints (query arguments are
validated by the application layer, from the schemas' own field names)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import current_app, request

from service.problems import ApiError


def json_body() -> Any:
    """The request body parsed as strict JSON (RFC 8259: no NaN or Infinity, no number that
    overflows to infinity, nesting at most 1024 deep), or a 4xx problem."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(
            415,
            "Send the body as JSON with Content-Type: application/json "
            f"(got {mimetype or 'none'}).",
            {"Content-Type": ["Must be application/json or application/geo+json."]},
        )
    raw = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body has no length to refuse it by up front: Werkzeug stops reading at
        # the limit, which would otherwise surface as truncated, invalid JSON (a 400).
        raise ApiError(413, "The request body is too large.")
    if not raw.strip():
        raise ApiError(
            400, "The request body is empty; send a JSON object.", {"body": ["Required."]}
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise ApiError(400, f"The body is not valid JSON: {err}", {"body": [str(err)]}) from None


def json_object() -> dict[str, Any]:
    """The request body, which must be a JSON object, or a 4xx problem."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a JSON object.", {"body": ["Must be an object."]})
    return body
