"""Load reference features from GeoJSON files, validating every feature with the
marshmallow schemas and reporting bad data by file and feature id."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from geodata import DATA_DIR
from schemas.base import message_lines
from schemas.feature import feature_collection_schema, feature_schema, storable
from service.rules.model import Feature


class GeodataError(ValueError):
    """Bad reference data. ``problems`` holds one line per problem:
    ``file: feature 'id': field: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid reference data:\n  " + "\n  ".join(problems))
        self.problems = problems


def documents_from_collection(document: Any, label: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Validate a FeatureCollection; return the storable feature documents and the
    problems found (``label: feature 'id': field: message``)."""
    problems: list[str] = []
    try:
        collection = feature_collection_schema.load(document)
    except ValidationError as err:
        return [], [f"{label}: {line}" for line in message_lines(err.messages)]
    documents = []
    for index, raw in enumerate(collection["features"]):
        props = raw.get("properties") if isinstance(raw, dict) else None
        name = props.get("id") if isinstance(props, dict) else None
        where = f"{label}: feature {name!r}" if name else f"{label}: feature #{index}"
        try:
            documents.append(storable(raw))
        except ValidationError as err:
            problems.extend(f"{where}: {line}" for line in message_lines(err.messages))
    return documents, problems


def feature_from_document(document: dict[str, Any], version: int = 1) -> Feature:
    """The domain object for a stored (already validated) document."""
    loaded = feature_schema.load(document)
    loaded["properties"]["version"] = version
    return Feature.from_loaded(loaded)


def load_geojson_documents(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read and validate every file; raise :class:`GeodataError` listing all problems."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(paths):
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            problems.append(f"{path.name}: cannot read as JSON: {err}")
            continue
        found, bad = documents_from_collection(content, path.name)
        documents.extend(found)
        problems.extend(bad)
    if problems:
        raise GeodataError(problems)
    return documents


def load_reference_documents(directory: Path | None = None) -> list[dict[str, Any]]:
    """The shipped reference set (or every ``*.geojson`` in ``directory``) as documents."""
    return load_geojson_documents((directory or DATA_DIR).glob("*.geojson"))


def load_reference_data(directory: Path | None = None) -> list[Feature]:
    """The shipped reference set (or every ``*.geojson`` in ``directory``) as features."""
    return [feature_from_document(d) for d in load_reference_documents(directory)]
