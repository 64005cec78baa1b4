"""Refusals as RFC 9457 problem details, without Flask: the HTTP layer serves them, and
the local client raises the very same ones, so both say the same thing."""

from __future__ import annotations

from typing import Any

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    409: "Conflict",
    412: "Precondition failed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal server error",
}


class ApiError(Exception):
    """A request refused: ``status``, a one-line ``detail``, and ``errors`` mapping each bad
    field (dotted path) to its messages; ``extra`` members go into the body as they are."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: dict[str, list[str]] | None = None,
        *,
        title: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.title = title or TITLES.get(status, "Error")
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The problem+json body."""
        return {
            "type": f"https://geocheck.invalid/problems/{self.status}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
            **self.extra,
        }


def refusal(err: Exception) -> ApiError | None:
    """The problem the API answers a domain error with (None for any other error): one
    mapping for the HTTP error handlers and the local client."""
    from service.geodesy.errors import GeodesyError
    from service.rules.reference import UnknownFeatureError

    if isinstance(err, ApiError):
        return err
    if isinstance(err, GeodesyError):
        return ApiError(422, str(err), {err.field or "body": [str(err)]})
    if isinstance(err, UnknownFeatureError):
        return ApiError(404, err.detail, extra={"suggestions": err.suggestions})
    return None
