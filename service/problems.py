"""Refusals as RFC 9457 problem details, without Flask.

:class:`ApiError` is a problem: a status, a one-line detail and the bad fields. The
application layer and the layers below raise *domain* errors only (an unknown feature, a
site named where a zone is needed, a stale ``If-Match``…); :data:`PROBLEMS` is the one table
that says which problem answers each of them, and :func:`problem_for` applies it. The HTTP
error handlers and the local client both call :func:`problem_for`, so a refusal reads the
same whichever front end asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError

from schemas.base import UnknownParametersError, flatten_messages, format_instant
from service.answers.errors import (
    BatchTooLargeError,
    InvalidInputError,
    NotInCollectionError,
    OgcParameterError,
    UnknownCollectionError,
)
from service.geodesy.errors import GeodesyError
from service.rules.errors import (
    NotAZoneError,
    NotInForceError,
    ReferenceDataError,
    UnknownFeatureError,
)
from service.store.errors import (
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    StoreError,
    StoreUnavailableError,
    UnknownVersionError,
)

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
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


def _invalid_fields(err: ValidationError) -> ApiError:
    errors = flatten_messages(err.messages)
    return ApiError(422, f"The request has invalid fields: {', '.join(sorted(errors))}.", errors)


def _unknown_feature(err: UnknownFeatureError) -> ApiError:
    message = "Unknown feature id or alias" + (", and not a coordinate." if err.note else ".")
    errors = {err.field: [message]} if err.field else {}
    return ApiError(404, err.detail, errors, extra={"suggestions": err.suggestions})


def _not_a_zone(err: NotAZoneError) -> ApiError:
    return ApiError(
        422,
        f"{err}.",
        {err.field: [f"{err.ref!r} is not a zone; see GET /features?kind=zone."]},
    )


def _not_in_force(err: NotInForceError) -> ApiError:
    return ApiError(
        422,
        f"{err}.",
        {err.field: ["Not valid at 'at'; see its valid_from / valid_to."]},
    )


def _inconsistent(err: ReferenceDataError) -> ApiError:
    return ApiError(
        422,
        "The change would leave the reference set inconsistent: " + "; ".join(err.problems),
        {"body": err.problems},
    )


def _store(status: int) -> Callable[[StoreError], ApiError]:
    def refuse(err: StoreError) -> ApiError:
        return ApiError(status, str(err), {err.field: [str(err)]})

    return refuse


def _unavailable(err: StoreUnavailableError) -> ApiError:
    # Not a 500: nothing is wrong with the request or the service, and a client (or a
    # load balancer) should simply come back later.
    return ApiError(
        503,
        f"{err} Answers the last loaded data can give are still served, marked stale;"
        " writes, history and other data versions need the database.",
        headers={"Retry-After": str(err.retry_after_s)},
        extra={"database": {"state": "unreachable", "since": format_instant(err.outage.since)}},
    )


def _too_large(err: BatchTooLargeError) -> ApiError:
    return ApiError(
        413,
        f"{err.count} {err.unit} is more than the {err.limit} one request may carry; "
        "split the batch.",
        {err.field: [f"At most {err.limit} {err.unit} per request."]},
    )


def _unknown_parameters(err: UnknownParametersError) -> ApiError:
    allowed = ", ".join(err.allowed) or "none"
    return ApiError(
        400,
        str(err),
        {name: [f"Unknown parameter; allowed: {allowed}."] for name in err.unknown},
    )


#: Every domain error and the problem that answers it (status, detail, named field). The
#: first entry whose type matches wins, so subclasses come before their bases.
PROBLEMS: list[tuple[type[Exception], Callable[[Any], ApiError]]] = [
    (ApiError, lambda err: err),
    # OGC API – Features answers a bad query parameter (a filter among them) with 400.
    (OgcParameterError, lambda err: ApiError(400, err.detail, err.errors)),
    (
        UnknownCollectionError,
        lambda err: ApiError(
            404, str(err), {"collection_id": [f"Must be one of {', '.join(err.known)}."]}
        ),
    ),
    (
        NotInCollectionError,
        lambda err: ApiError(404, str(err), {"feature_id": ["Not in this collection."]}),
    ),
    (InvalidInputError, lambda err: ApiError(422, err.detail, err.errors)),
    (UnknownParametersError, _unknown_parameters),
    (ValidationError, _invalid_fields),
    (GeodesyError, lambda err: ApiError(422, str(err), {err.field or "body": [str(err)]})),
    (UnknownFeatureError, _unknown_feature),
    (NotAZoneError, _not_a_zone),
    (NotInForceError, _not_in_force),
    (ReferenceDataError, _inconsistent),
    (BatchTooLargeError, _too_large),
    (NotFoundError, _store(404)),
    (ConflictError, _store(409)),
    (PreconditionFailedError, _store(412)),
    (UnknownVersionError, _store(422)),
    (StoreUnavailableError, _unavailable),
    (StoreError, _store(409)),
]


def problem_for(err: Exception) -> ApiError | None:
    """The problem a domain error is answered with; None for any other error (a bug)."""
    for kind, make in PROBLEMS:
        if isinstance(err, kind):
            return make(err)
    return None
