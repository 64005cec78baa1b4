"""OGC API – Features: collections and items (:mod:`.collections`) and Part 3 filters
(:mod:`.filters`), answered without Flask."""

from __future__ import annotations

from service.answers.ogc.collections import (
    COLLECTIONS,
    CONFORMANCE,
    ITEMS_PARAMETERS,
    OPENAPI_JSON,
    collection,
    collection_queryables,
    collections,
    conformance,
    geometry_bbox,
    item,
    items,
    landing,
)
from service.answers.ogc.filters import compile_filter, item_predicates, select

__all__ = [
    "COLLECTIONS",
    "CONFORMANCE",
    "ITEMS_PARAMETERS",
    "OPENAPI_JSON",
    "collection",
    "collection_queryables",
    "collections",
    "compile_filter",
    "conformance",
    "geometry_bbox",
    "item",
    "item_predicates",
    "items",
    "landing",
    "select",
]
