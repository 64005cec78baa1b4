"""Load reference features from GeoJSON files, validating every feature with the
marshmallow schemas and reporting bad data by file and feature id."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from geodata import DATA_DIR
from schemas.feature import feature_collection_schema, feature_schema
from service.rules.model import Feature


class GeodataError(ValueError):
    """Bad reference data. ``problems`` holds one line per problem:
    ``file: feature 'id': field: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid reference data:\n  " + "\n  ".join(problems))
        self.problems = problems


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {' '.join(messages)}"]
    if isinstance(messages, list):
        return [line for m in messages for line in _flatten(m, prefix)]
    return [f"{prefix}: {messages}"]


def features_from_collection(document: Any, label: str) -> tuple[list[Feature], list[str]]:
    """Validate a FeatureCollection; return the good features and the problems found."""
    problems: list[str] = []
    try:
        collection = feature_collection_schema.load(document)
    except ValidationError as err:
        return [], [f"{label}: {line}" for line in _flatten(err.messages)]
    features = []
    for index, raw in enumerate(collection["features"]):
        name = raw.get("properties", {}).get("id") if isinstance(raw, dict) else None
        where = f"{label}: feature {name!r}" if name else f"{label}: feature #{index}"
        try:
            features.append(Feature.from_loaded(feature_schema.load(raw)))
        except ValidationError as err:
            problems.extend(f"{where}: {line}" for line in _flatten(err.messages))
    return features, problems


def load_geojson_files(paths: Iterable[Path]) -> list[Feature]:
    """Read and validate every file; raise :class:`GeodataError` listing all problems."""
    features: list[Feature] = []
    problems: list[str] = []
    for path in sorted(paths):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            problems.append(f"{path.name}: cannot read as JSON: {err}")
            continue
        found, bad = features_from_collection(document, path.name)
        features.extend(found)
        problems.extend(bad)
    if problems:
        raise GeodataError(problems)
    return features


def load_reference_data(directory: Path | None = None) -> list[Feature]:
    """The shipped reference set (or every ``*.geojson`` in ``directory``)."""
    folder = directory or DATA_DIR
    return load_geojson_files(folder.glob("*.geojson"))
