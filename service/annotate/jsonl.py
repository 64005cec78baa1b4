"""NDJSON: one JSON object per line, each written back with its added values (a Feature's
go into its properties); a line that holds no object is kept as text, with the reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from service.annotate.cells import json_cells
from service.annotate.locate import Locator
from service.annotate.options import Options, Report
from service.annotate.pipeline import Annotator, Batch, chunks, run

#: Default objects per chunk (see :attr:`Options.chunk_size`).
JSON_CHUNK = 10_000


def feature_view(item: dict[str, Any]) -> dict[str, Any]:
    """The flat view of a GeoJSON Point feature that a Locator reads."""
    geometry = item.get("geometry") or {}
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if isinstance(coords, list) and len(coords) >= 2:
        return {"lat": coords[1], "lon": coords[0]}
    return {"lat": None, "lon": None}


def _parse_json_line(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:  # orjson refuses what json takes in a few corners (integers past 64 bits)
            return json.loads(text)
        except ValueError:
            return None


def _json_text(item: dict[str, Any]) -> str:
    try:
        return orjson.dumps(item).decode()
    except TypeError:  # integers past 64 bits, which json writes
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def add_properties(item: dict[str, Any], values: dict[str, Any]) -> None:
    """Added values go into a Feature's properties, or onto a plain object."""
    if item.get("type") == "Feature":
        holder = item.get("properties")
        if not isinstance(holder, dict):
            holder = item["properties"] = {}
        holder.update(values)
    else:
        item.update(values)


def annotate_ndjson(
    stream: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    names = annotator.columns()
    locator: Locator | None = None

    def batches() -> Iterator[Batch]:
        nonlocal locator
        numbered = ((n, text) for n, text in enumerate(stream, start=1) if text.strip())
        for chunk in chunks(numbered, options.chunk_size or JSON_CHUNK):
            # Objects, or the line's text where it holds no JSON object.
            objects = [
                item if isinstance(item := _parse_json_line(text), dict) else text
                for _, text in chunk
            ]
            views = [
                None
                if not isinstance(item, dict)
                else (feature_view(item) if item.get("type") == "Feature" else item)
                for item in objects
            ]
            if locator is None:
                first = next((view for view in views if view), None) or {}
                locator = Locator.for_columns(first.keys() or ["lat", "lon"], options)
            located = locator.locate(views)
            yield Batch([n for n, _ in chunk], located, objects)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = json_cells(columns, batch.located.bad)
        out = []
        for item, values in zip(batch.payload, zip(*cells, strict=True), strict=True):
            if isinstance(item, dict):
                add_properties(item, dict(zip(names, values, strict=True)))
            else:  # kept as text, with the reason
                item = {"geocheck_error": values[-1], "input": item.rstrip("\r\n")}
            out.append(_json_text(item))
        target.write("\n".join(out))
        target.write("\n")
        advance()

    run(batches(), annotator, write, report, options)
