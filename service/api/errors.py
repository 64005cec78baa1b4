"""One error body for every failure: RFC 9457 problem details.

``{"type", "title", "status", "detail", "errors"}`` served as ``application/problem+json``,
where ``errors`` maps each bad field (dotted path) to a list of messages. Which problem
answers which domain error is decided in one place, :data:`service.problems.PROBLEMS`;
this module only serves them, plus Flask's own routing errors and, for bugs, a 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from service.api.logs import current_request_id
from service.api.responses import PROBLEM_MIME, json_response
from service.problems import PROBLEMS, TITLES, ApiError, problem_for

log = logging.getLogger(__name__)


def problem_response(err: ApiError) -> Response:
    """The problem+json response of a refusal, with its headers and the request's id
    (to quote when asking about it; the logs name it too)."""
    body = {**err.body(), "request_id": current_request_id()}
    return json_response(body, err.status, PROBLEM_MIME, err.headers)


def register_error_handlers(app: Flask) -> None:
    """Serve every domain error as its problem, routing errors as problems, and anything
    else as a logged 500."""

    def _refused(err: Exception) -> Response:
        answer = problem_for(err)
        assert answer is not None, "registered only for the kinds in PROBLEMS"
        return problem_response(answer)

    for kind, _ in PROBLEMS:
        app.register_error_handler(kind, _refused)

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
        return problem_response(ApiError(status, detail, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(ApiError(500, "An unexpected error occurred; it has been logged."))
