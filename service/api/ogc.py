"""OGC API – Features (Part 1: Core, GeoJSON; Part 3 queryables) under ``/ogc``, so QGIS,
OWSLib and web maps can add the reference set as layers without glue code.

Collections: ``sites``, ``routes``, ``zones`` and ``borders``. Zones are served as display
polygons (their measured error in ``properties.zone.display_max_error_m``) with the exact
definition (centre, radius, uncertainty) in ``properties.zone``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from marshmallow import ValidationError

from schemas.base import flatten_messages, format_instant
from schemas.ogc import items_query_schema
from service.answers import ogc as ogc_answers
from service.api.context import answers
from service.api.health import OPENAPI_JSON, openapi_response, wanted
from service.api.responses import GEOJSON_MIME, json_response
from service.problems import ApiError
from service.rules.model import Feature
from service.rules.reference import ReferenceSet

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
GEOJSON = GEOJSON_MIME
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    *ogc_answers.CONFORMANCE,
]
#: The items parameters: Part 1 and Part 3 (filter), and the property parameters.
ITEMS_PARAMETERS = (
    "bbox",
    "datetime",
    "limit",
    "offset",
    "f",
    "filter",
    "filter-lang",
    "filter-crs",
    *ogc_answers.PROPERTY_PARAMETERS,
)
#: collection id → (feature kind, title, description, geometry type)
COLLECTIONS = {
    "sites": (
        "site",
        "Reference sites",
        "Places named in the reports, with their uncertainty.",
        "point",
    ),
    "routes": ("route", "Routes", "Roads named in the reports (geodesic segments).", "linestring"),
    "zones": (
        "zone",
        "Rule zones",
        "Zones as display polygons; the exact definition is in properties.zone.",
        "polygon",
    ),
    "borders": (
        "area",
        "Borders",
        "Country polygons (context layer, Natural Earth 1:50m).",
        "polygon",
    ),
}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _json(body: Any, mimetype: str = "application/json") -> Response:
    return json_response(body, mimetype=mimetype)


def reference() -> ReferenceSet:
    return answers().reference()


def feature_json(ref: ReferenceSet, feature: Feature) -> dict[str, Any]:
    return answers().documents.of(ref, feature)


def _base() -> str:
    return request.host_url.rstrip("/") + "/ogc"


def _collection_id(collection_id: str) -> str:
    if collection_id not in COLLECTIONS:
        raise ApiError(
            404,
            f"No collection {collection_id!r}; the collections are {', '.join(COLLECTIONS)}.",
            {"collection_id": [f"Must be one of {', '.join(COLLECTIONS)}."]},
        )
    return collection_id


def _members(ref: ReferenceSet, collection_id: str) -> list[Feature]:
    return ref.features(kind=COLLECTIONS[collection_id][0])


def geometry_bbox(geometry: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    """Longitude/latitude bounds of a GeoJSON geometry (None for no geometry)."""
    if not geometry:
        return None
    lons: list[float] = []
    lats: list[float] = []

    def walk(node: Any) -> None:
        if node and isinstance(node[0], int | float):
            lons.append(float(node[0]))
            lats.append(float(node[1]))
        else:
            for child in node:
                walk(child)

    walk(geometry["coordinates"])
    return min(lons), min(lats), max(lons), max(lats)


def _intersects(box: tuple[float, float, float, float] | None, query: tuple[float, ...]) -> bool:
    if box is None:
        return False
    west, south, east, north = query
    if box[3] < south or box[1] > north:
        return False
    if west <= east:
        return box[2] >= west and box[0] <= east
    return box[2] >= west or box[0] <= east  # the query box crosses the antimeridian


def _valid_during(feature: Feature, start: datetime | None, end: datetime | None) -> bool:
    if end is not None and feature.valid_from is not None and feature.valid_from > end:
        return False
    return not (start is not None and feature.valid_to is not None and feature.valid_to <= start)


def _collection(ref: ReferenceSet, collection_id: str) -> dict[str, Any]:
    _, title, description, geometry_type = COLLECTIONS[collection_id]
    members = _members(ref, collection_id)
    boxes = [b for b in (geometry_bbox(feature_json(ref, f)["geometry"]) for f in members) if b]
    spatial = (
        [
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        ]
        if boxes
        else [-180.0, -90.0, 180.0, 90.0]
    )
    starts = [f.valid_from for f in members if f.valid_from is not None]
    ends = [f.valid_to for f in members]
    interval = [
        format_instant(min(starts)) if starts else None,
        None
        if (not ends or any(e is None for e in ends))
        else format_instant(max(e for e in ends if e)),
    ]
    url = f"{_base()}/collections/{collection_id}"
    return {
        "id": collection_id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {
            "spatial": {"bbox": [spatial], "crs": CRS84},
            "temporal": {
                "interval": [interval],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        # Not in Core, but what QGIS and other clients use to plan the layer.
        "itemCount": len(members),
        "geometryType": geometry_type,
        "links": [
            {"rel": "self", "type": "application/json", "title": title, "href": url},
            {
                "rel": "items",
                "type": GEOJSON,
                "title": f"{title} as GeoJSON",
                "href": f"{url}/items",
            },
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": "application/schema+json",
                "title": "Queryables",
                "href": f"{url}/queryables",
            },
        ],
    }


@bp.get("", strict_slashes=False)
def landing() -> Response:
    base = _base()
    root = request.host_url.rstrip("/")
    return _json(
        {
            "title": "geocheck",
            "description": "Reference places, routes and rule zones, exact on the WGS84 ellipsoid.",
            "links": [
                {"rel": "self", "type": "application/json", "title": "This document", "href": base},
                {
                    # Typed exactly as GDAL compares it; the document is OpenAPI 3.1.
                    "rel": "service-desc",
                    "type": OPENAPI_JSON,
                    "title": "The API definition (OpenAPI 3.1, JSON)",
                    "href": f"{root}/openapi.json",
                },
                {
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi;version=3.1",
                    "title": "The API definition (OpenAPI 3.1, YAML)",
                    "href": f"{root}/openapi.yaml",
                },
                {
                    "rel": "service-doc",
                    "type": "text/html",
                    "title": "The API documentation (HTML)",
                    "href": f"{root}/openapi.html",
                },
                {
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "Conformance",
                    "href": f"{base}/conformance",
                },
                {
                    "rel": "data",
                    "type": "application/json",
                    "title": "Collections",
                    "href": f"{base}/collections",
                },
            ],
        }
    )


@bp.get("/api")
def api() -> Response:
    """The API definition where OGC clients look for it: JSON unless YAML (or, for a
    browser, HTML) is asked for."""
    return openapi_response(wanted(request, "json", ("json", "yaml", "html")))


@bp.get("/conformance")
def conformance() -> Response:
    return _json({"conformsTo": CONFORMANCE})


@bp.get("/collections")
def collections() -> Response:
    ref = reference()
    base = _base()
    return _json(
        {
            "links": [{"rel": "self", "type": "application/json", "href": f"{base}/collections"}],
            "collections": [_collection(ref, cid) for cid in COLLECTIONS],
        }
    )


@bp.get("/collections/<string:collection_id>")
def collection(collection_id: str) -> Response:
    return _json(_collection(reference(), _collection_id(collection_id)))


@bp.get("/collections/<string:collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    cid = _collection_id(collection_id)
    kind, title, _, geometry_type = COLLECTIONS[cid]
    url = f"{_base()}/collections/{cid}/queryables"
    schema = ogc_answers.queryables(url, title, kind, geometry_type)
    return _json(schema, "application/schema+json")


def _items_query() -> dict[str, Any]:
    unknown = sorted(set(request.args) - set(ITEMS_PARAMETERS))
    if unknown:
        allowed = ", ".join(ITEMS_PARAMETERS)
        raise ApiError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}.",
            {name: [f"Unknown parameter; allowed: {allowed}."] for name in unknown},
        )
    core = {
        k: v for k, v in request.args.items() if k in ("bbox", "datetime", "limit", "offset", "f")
    }
    try:
        return items_query_schema.load(core)
    except ValidationError as err:
        errors = flatten_messages(err.messages)
        # OGC API – Features answers invalid parameters with 400.
        raise ApiError(400, f"Invalid query parameter(s): {', '.join(errors)}.", errors) from None


@bp.get("/collections/<string:collection_id>/items")
def items(collection_id: str) -> Response:
    cid = _collection_id(collection_id)
    query = _items_query()
    tests = ogc_answers.item_predicates(request.args)
    ref = reference()
    matched = []
    for feature in _members(ref, cid):
        served = feature_json(ref, feature)
        if "datetime" in query and not _valid_during(feature, *query["datetime"]):
            continue
        if "bbox" in query and not _intersects(geometry_bbox(served["geometry"]), query["bbox"]):
            continue
        matched.append(served)
    matched = ogc_answers.select(matched, tests)
    offset, limit = query["offset"], query["limit"]
    page = matched[offset : offset + limit]
    url = f"{_base()}/collections/{cid}/items"
    params = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}

    def link(rel: str, new_offset: int) -> dict[str, str]:
        query_string = urlencode({**params, "limit": limit, "offset": new_offset})
        return {"rel": rel, "type": GEOJSON, "href": f"{url}?{query_string}"}

    links = [
        link("self", offset),
        {"rel": "collection", "type": "application/json", "href": f"{_base()}/collections/{cid}"},
    ]
    if offset + limit < len(matched):
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    body = {
        "type": "FeatureCollection",
        "features": page,
        "numberMatched": len(matched),
        "numberReturned": len(page),
        "links": links,
        "data_version": ref.data_version,
    }
    return _json(body, GEOJSON)


@bp.get("/collections/<string:collection_id>/items/<string:feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    cid = _collection_id(collection_id)
    unknown = sorted(set(request.args) - {"f"})
    if unknown:
        raise ApiError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}.",
            {n: ["Unknown."] for n in unknown},
        )
    if request.args.get("f", "json") not in ("json", "geojson"):
        raise ApiError(400, "f must be json or geojson.", {"f": ["Must be json or geojson."]})
    ref = reference()
    feature = ref.resolve(feature_id)
    if feature.kind != COLLECTIONS[cid][0]:
        raise ApiError(
            404,
            f"{feature.id!r} is not in the {cid} collection.",
            {"feature_id": ["Not in this collection."]},
        )
    served = dict(feature_json(ref, feature))
    served["links"] = [
        {"rel": "self", "type": GEOJSON, "href": f"{_base()}/collections/{cid}/items/{feature.id}"},
        {"rel": "collection", "type": "application/json", "href": f"{_base()}/collections/{cid}"},
    ]
    return _json(served, GEOJSON)
