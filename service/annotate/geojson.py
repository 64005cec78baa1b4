"""GeoJSON: a FeatureCollection, read whole (JSON has no streaming form; use NDJSON for very
large files), its Point features annotated in their properties, and written back whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from service.annotate.cells import json_cells
from service.annotate.jsonl import JSON_CHUNK, add_properties, feature_view
from service.annotate.locate import Locator
from service.annotate.options import AnnotateError, Options, Report
from service.annotate.pipeline import Annotator, Batch, run


def annotate_geojson(
    stream: IO[str], target: IO[str], annotator: Annotator, options: Options, report: Report
) -> None:
    try:
        document = json.load(stream)
    except ValueError as err:
        raise AnnotateError(f"not valid JSON: {err}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise AnnotateError("a GeoJSON file must hold a FeatureCollection")
    features = document.get("features") or []
    locator = Locator(options.lat_col or "lat", options.lon_col or "lon", None)
    names = annotator.columns()

    def batches() -> Iterator[Batch]:
        size = options.chunk_size or JSON_CHUNK
        for start in range(0, len(features), size):
            chunk = features[start : start + size]
            views = [feature_view(f) if isinstance(f, dict) else {} for f in chunk]
            numbers = range(start + 1, start + 1 + len(chunk))
            yield Batch(numbers, locator.locate(views), chunk)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = json_cells(columns, batch.located.bad)
        for feature, values in zip(batch.payload, zip(*cells, strict=True), strict=True):
            if isinstance(feature, dict):
                add_properties(feature, dict(zip(names, values, strict=True)))

    run(batches(), annotator, write, report, options)
    json.dump(document, target, ensure_ascii=False)
    target.write("\n")
