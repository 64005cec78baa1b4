"""Structured logs: one JSON object a line, each naming the request it belongs to.

``geocheck serve`` installs :class:`JsonFormatter` on the root logger
(:func:`configure`); every record made while a request is answered carries its
``request_id``, and the ``geocheck.access`` logger writes one record per request with
its method, path and query, route, status, duration and the client's user agent.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import g, has_request_context

ACCESS = logging.getLogger("geocheck.access")
#: What a client's ``X-Request-ID`` may be: short, and safe in headers, logs and JSON.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Members an access record carries besides the message.
FIELDS = (
    "method",
    "path",
    "query",
    "route",
    "status",
    "duration_ms",
    "remote",
    "agent",
    "who",
    "batch_points",
    "stale",
)


def request_id(sent: str | None) -> str:
    """The id of a request: the client's ``X-Request-ID`` if well formed, else a new one
    (a malformed one is replaced, not refused: it is a tracing aid, not input)."""
    if sent is not None and REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being answered, if any."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record made while a request is answered."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC), level, logger, process id, message,
    request_id and
    the access fields present, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if (request_id := getattr(record, "request_id", None)) is not None:
            entry["request_id"] = request_id
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure(level: int = logging.INFO) -> None:
    """JSON lines on standard error for the whole process (once; later calls do
    nothing)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
