"""Rate limits on requests: per token, and per client address for requests without a
valid token (see :mod:`service.ratelimit` for what "per" means with several workers)."""

from __future__ import annotations

import ipaddress
import math

from flask import Flask, request

from service.api import metrics
from service.api.auth import Tokens
from service.config import Config
from service.problems import ApiError
from service.ratelimit import TokenBuckets

#: Never limited: load balancers' health checks and metrics scrapes.
UNLIMITED = {"health.health", "metrics.metrics"}


def register(app: Flask, settings: Config, tokens: Tokens) -> None:
    """Refuse requests over ``GEOCHECK_RATE_LIMIT_PER_S`` with 429 (nothing is limited
    when it is 0)."""
    if settings.RATE_LIMIT_PER_S <= 0:
        return
    buckets = TokenBuckets(settings.RATE_LIMIT_PER_S, settings.RATE_LIMIT_BURST)

    @app.before_request
    def _rate_limit() -> None:
        if request.endpoint in UNLIMITED:
            return
        key = _client(tokens, settings.RATE_LIMIT_LOCAL)
        if key is None:
            return
        wait = buckets.take(":".join(key))
        if wait > 0:
            metrics.RATE_LIMITED.labels(key[0]).inc()
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"More than {settings.RATE_LIMIT_PER_S:g} requests per second (bursts of "
                f"{settings.RATE_LIMIT_BURST}) from this {key[0]}; retry in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )


def _client(tokens: Tokens, limit_local: bool) -> tuple[str, str] | None:
    """``("token", name)`` for a valid token, else ``("address", ip)``; None for an
    anonymous request from the loopback address unless local requests are limited."""
    try:
        who = tokens.identify()
    except ApiError:
        who = None  # an invalid token counts against its address: guessing costs too
    if who is not None:
        return ("token", who[0])
    address = request.remote_addr or "unknown"
    if not limit_local and _loopback(address):
        return None
    return ("address", address)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
