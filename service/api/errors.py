"""One error body for every failure: RFC 9457 problem details.

``{"type", "title", "status", "detail", "errors"}`` served as ``application/problem+json``,
where ``errors`` maps each bad field (dotted path) to a list of messages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from schemas.base import flatten_messages
from service.geodesy import GeodesyError
from service.problems import TITLES, ApiError, refusal
from service.rules.reference import ReferenceDataError, UnknownFeatureError
from service.store.sql import StoreError

PROBLEM_MIME = "application/problem+json"
log = logging.getLogger(__name__)
__all__ = ["ApiError", "flatten_messages", "problem", "register_error_handlers"]


def problem(
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    *,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> Response:
    """A problem+json response (``options``: ``title``, ``extra``, as :class:`ApiError`)."""
    return _response(ApiError(status, detail, errors, headers=headers, **options))


def _response(err: ApiError) -> Response:
    response = Response(json.dumps(err.body()), status=err.status, mimetype=PROBLEM_MIME)
    for key, value in err.headers.items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return _response(err)

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError) -> Response:
        errors = flatten_messages(err.messages)
        fields = ", ".join(sorted(errors))
        return problem(422, f"The request has invalid fields: {fields}.", errors)

    @app.errorhandler(GeodesyError)
    @app.errorhandler(UnknownFeatureError)
    def _refused(err: Exception) -> Response:
        answer = refusal(err)
        assert answer is not None  # both kinds have one
        return _response(answer)

    @app.errorhandler(StoreError)
    def _store(err: StoreError) -> Response:
        return problem(err.status, str(err), {err.field: [str(err)]})

    @app.errorhandler(ReferenceDataError)
    def _inconsistent(err: ReferenceDataError) -> Response:
        return problem(
            422,
            "The change would leave the reference set inconsistent: " + "; ".join(err.problems),
            {"body": err.problems},
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        status = err.code or 500
        headers = {}
        if status == 405:
            allowed = getattr(err, "valid_methods", None) or []
            headers["Allow"] = ", ".join(allowed)
        detail = {
            404: f"There is no resource at {request.path}. See /openapi.yaml for the routes.",
            405: f"{request.method} is not allowed here; use {headers.get('Allow', '')}.",
            413: "The request body is too large.",
        }.get(status, err.description or TITLES.get(status, "Error"))
        return problem(status, detail, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "An unexpected error occurred; it has been logged.")
