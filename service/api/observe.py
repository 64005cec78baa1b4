"""Every request observed: its id, its notes (:mod:`service.observed`), the stale label,
the metrics and the access log — registered on the app by :func:`register`."""

from __future__ import annotations

import time
from typing import cast

from flask import Flask, Response, g, request

from service.api import logs, metrics
from service.observed import begin, current
from service.store.sql import SqlStore


def register(app: Flask, store: SqlStore) -> None:
    """Hook the observers in first, so that they see every request begin and, after
    every other hook, its final response."""
    # The store's state now, so that a worker that has answered nothing is counted
    # right (a gauge not yet set reads 0, as if the store was last reached in 1970).
    metrics.record_store(store.held_version(), store.verified_at, store.outage() is not None)

    @app.before_request
    def _begin() -> None:
        g.started = time.perf_counter()
        g.request_id = logs.request_id(request.headers.get("X-Request-ID"))
        begin()  # this request's notes (batch size, staleness, store errors)

    @app.after_request
    def _observed(response: Response) -> Response:
        observed = current()
        stale = observed is not None and observed.stale is not None
        if observed is not None and observed.stale is not None and response.status_code != 503:
            since = observed.stale.since.isoformat(timespec="seconds")
            response.headers["X-Geocheck-Stale"] = "true"
            # RFC 7234's "110 Response is Stale", for humans and generic tools.
            response.headers["Warning"] = (
                f'110 geocheck "Response is stale: the store is unreachable since {since};'
                ' answered from the last loaded data_version"'
            )
        request_id = cast(str, g.get("request_id") or logs.request_id(None))
        response.headers["X-Request-ID"] = request_id
        seconds = time.perf_counter() - cast(float, g.get("started", time.perf_counter()))
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        batch = observed.batch_points if observed is not None else None
        metrics.record(
            route,
            request.method,
            response.status_code,
            seconds,
            batch,
            stale,
            observed.store_errors if observed is not None else [],
        )
        metrics.record_store(store.held_version(), store.verified_at, store.outage() is not None)
        if logs.ACCESS.isEnabledFor(20):
            logs.ACCESS.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("utf-8", "replace") or None,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 3),
                    "remote": request.remote_addr,
                    "agent": request.user_agent.string or None,
                    "batch_points": batch,
                    "stale": stale or None,
                },
            )
        return response
