"""Shared schema pieces: the strict base class and field types used by several resources."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate


class StrictSchema(Schema):
    """Base schema: unknown fields are errors that name the field."""

    class Meta:
        unknown = RAISE


class FiniteFloat(fields.Float):
    """A float that must be finite and a real JSON number (booleans and strings refused)."""

    default_error_messages = {  # noqa: RUF012 - marshmallow's convention
        "invalid": "Must be a number.",
        "special": "Must be a finite number (not NaN or infinity).",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("special")
        result = super()._deserialize(value, attr, data, **kwargs)
        return float(result) if result is not None else result


class StrictBoolean(fields.Boolean):
    """Only JSON ``true``/``false``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class DataVersion(fields.Integer):
    """The store's ``data_version`` to answer from: a whole number ≥ 1 (JSON integers
    only; query strings are converted by :func:`load_query`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(min=1), **kwargs)


class UnknownParametersError(ValueError):
    """Query parameters a route does not take (typos otherwise go unnoticed)."""

    def __init__(self, unknown: list[str], allowed: list[str]) -> None:
        super().__init__(f"Unknown query parameter(s): {', '.join(unknown)}.")
        self.unknown = unknown
        self.allowed = allowed


def refuse_unknown(args: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse query parameter names not in ``allowed`` (:class:`UnknownParametersError`)."""
    known = set(allowed)
    unknown = sorted(set(args) - known)
    if unknown:
        raise UnknownParametersError(unknown, sorted(known))


def load_query(schema: Schema, args: Mapping[str, str]) -> dict[str, Any]:
    """Validate query-string arguments with ``schema``: names it does not declare are
    refused (:class:`UnknownParametersError`), and numbers are read from their text for
    numeric fields before the schema's own checks (text that is no number is left for the
    schema to refuse, naming the field)."""
    by_key = {f.data_key or name: f for name, f in schema.fields.items()}
    refuse_unknown(args, by_key)
    values: dict[str, Any] = {}
    for key, raw in args.items():
        field = by_key[key]
        value: Any = raw
        if isinstance(field, fields.Integer) and raw.strip().isascii() and raw.strip().isdigit():
            value = int(raw)  # ASCII only: "²" is a digit to str.isdigit, not to int()
        elif isinstance(field, fields.Float) and not isinstance(field, fields.Integer):
            with contextlib.suppress(ValueError):
                value = float(raw)
        values[key] = value
    return schema.load(values)


def parse_instant(value: Any) -> datetime:
    """Parse an RFC 3339 date-time or a plain date (midnight UTC) into an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str):
        raise ValidationError("Must be an RFC 3339 date-time or a date (YYYY-MM-DD).")
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationError(
            "Must be an RFC 3339 date-time (2017-06-01T00:00:00Z) or a date (2017-06-01)."
        ) from None
    if parsed.tzinfo is None:
        raise ValidationError("A date-time needs a time zone, e.g. 2017-06-01T12:00:00Z.")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValidationError("The instant is outside the years 1–9999 once in UTC.") from None


class Instant(fields.Field):
    """An RFC 3339 date-time or a date, deserialised to an aware UTC datetime."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        return parse_instant(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return format_instant(value)


def format_instant(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"points.3.lat": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            path = ".".join(p for p in (prefix, name) if p)
            for k, v in flatten_messages(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = list(messages)
    elif isinstance(messages, list):
        for item in messages:
            for k, v in flatten_messages(item, prefix).items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix or "body"] = [str(messages)]
    return out


def message_lines(messages: Any) -> list[str]:
    """The same messages as ``field.path: message`` lines (bare where no field is named)."""
    return [
        " ".join(texts) if path == "body" else f"{path}: {' '.join(texts)}"
        for path, texts in flatten_messages(messages).items()
    ]
