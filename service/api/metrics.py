"""Prometheus metrics: what to count on every request, and ``GET /metrics``.

Several worker processes each count their own requests; for one scrape to see them all,
``prometheus_client``'s multiprocess mode keeps the values in files under
``PROMETHEUS_MULTIPROC_DIR``, which must be set before ``prometheus_client`` is first
imported in the worker (:func:`service.api.serving.prepare_worker` does that for
``geocheck serve``). Without it (tests, one process) the values live in memory.

Gauges say how they combine across workers: the data version held is the highest any
live worker holds, the snapshot was verified at the *oldest* time any live worker last
reached the store, and the store is unreachable if any live worker says so.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

bp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "geocheck_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "geocheck_http_request_duration_seconds",
    "Time from the request's arrival in the app to its response, in seconds.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCH_POINTS = Histogram(
    "geocheck_batch_points",
    "Points (or starts) per batch question.",
    ["route"],
    buckets=(1, 10, 100, 1_000, 10_000, 100_000, 1_000_000),
)
STALE_ANSWERS = Counter(
    "geocheck_stale_answers",
    "Answers given from the last snapshot while the store was unreachable.",
)
STORE_ERRORS = Counter(
    "geocheck_store_errors",
    "Failures to reach the store, by operation (read, write, history).",
    ["operation"],
)
RATE_LIMITED = Counter(
    "geocheck_rate_limited",
    "Requests refused with 429, by what was limited (token or address).",
    ["kind"],
)
DATA_VERSION = Gauge(
    "geocheck_snapshot_data_version",
    "Data version of the reference set held (highest over live workers).",
    multiprocess_mode="livemax",
)
VERIFIED_NAME = "geocheck_snapshot_verified_timestamp_seconds"
VERIFIED = Gauge(
    VERIFIED_NAME,
    "Unix time the store last confirmed the snapshot (oldest over live workers).",
    multiprocess_mode="livemin",
)
UNREACHABLE = Gauge(
    "geocheck_store_unreachable",
    "1 while the store is unreachable (any live worker), else 0.",
    multiprocess_mode="livemax",
)
AGE_NAME = "geocheck_snapshot_age_seconds"
#: (route, method, status) → the request counter and latency histogram of those labels
#: (bounded: routes are templates, statuses few).
_CHILDREN: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def record(
    route: str,
    method: str,
    status: int,
    seconds: float,
    batch_points: int | None,
    stale: bool,
    store_errors: list[str],
) -> None:
    """Count one answered request."""
    children = _CHILDREN.get((route, method, status))
    if children is None:  # labels() costs a lock and validation on every call: once only
        children = (REQUESTS.labels(route, method, str(status)), LATENCY.labels(route, method))
        _CHILDREN[(route, method, status)] = children
    children[0].inc()
    children[1].observe(seconds)
    if batch_points is not None:
        BATCH_POINTS.labels(route).observe(batch_points)
    if stale:
        STALE_ANSWERS.inc()
    for operation in store_errors:
        STORE_ERRORS.labels(operation).inc()


def record_store(data_version: int | None, verified_at: float | None, unreachable: bool) -> None:
    """The state of this worker's snapshot and store."""
    if data_version is not None:
        DATA_VERSION.set(data_version)
    if verified_at is not None:
        VERIFIED.set(verified_at)
    UNREACHABLE.set(1 if unreachable else 0)


def exposition() -> bytes:
    """Every metric in the text format, summed over worker processes when there are
    several, plus the snapshot's age (now − the oldest verification), computed now."""
    registry = REGISTRY
    # As prometheus_client chose when first imported (not as the environment says now).
    if values.ValueClass is not values.MutexValue:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # reads PROMETHEUS_MULTIPROC_DIR
    text = generate_latest(registry)
    stamps = [
        sample.value
        for family in registry.collect()
        if family.name == VERIFIED_NAME
        for sample in family.samples
        if sample.name == VERIFIED_NAME and sample.value > 0  # 0: never set
    ]
    if stamps:
        age = CollectorRegistry()
        family = GaugeMetricFamily(
            AGE_NAME, "Seconds since the store last confirmed the snapshot (worst worker)."
        )
        family.add_metric([], max(0.0, time.time() - min(stamps)))
        age.register(_Fixed(family))
        text += generate_latest(age)
    return text


class _Fixed:
    """A collector of one metric family computed already."""

    def __init__(self, family: GaugeMetricFamily) -> None:
        self.family = family

    def collect(self) -> list[GaugeMetricFamily]:
        return [self.family]


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics (private like every read when reads need a token)."""
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)
