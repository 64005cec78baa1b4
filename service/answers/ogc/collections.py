"""OGC API – Features (Part 1: Core, GeoJSON; Part 3: queryables and filters): the landing
page, conformance, collections, items and single items, without Flask.

Collections: ``sites``, ``routes``, ``zones`` and ``borders``, one per feature kind. Zones
are served as display polygons (their measured error in
``properties.zone.display_max_error_m``) with the exact definition (centre, radius,
uncertainty) in ``properties.zone``. Every link is absolute, from the ``base`` URL the
front end passes (``http://host/ogc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from marshmallow import ValidationError

from schemas.base import flatten_messages, format_instant, refuse_unknown
from schemas.ogc import items_query_schema
from service.answers.errors import NotInCollectionError, OgcParameterError, UnknownCollectionError
from service.answers.features import FeatureDocuments
from service.answers.ogc.filters import CONFORMANCE as FILTER_CONFORMANCE
from service.answers.ogc.filters import PROPERTY_PARAMETERS, item_predicates, queryables, select
from service.rules.model import Feature
from service.rules.reference import ReferenceSet

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: The media type GDAL and QGIS look for on the ``service-desc`` link (the document is
#: OpenAPI 3.1 all the same).
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    *FILTER_CONFORMANCE,
]
#: The parameters an items request takes: Part 1, Part 3 (filter), and the properties.
ITEMS_PARAMETERS = (
    "bbox",
    "datetime",
    "limit",
    "offset",
    "f",
    "filter",
    "filter-lang",
    "filter-crs",
    *PROPERTY_PARAMETERS,
)
_CORE_PARAMETERS = ("bbox", "datetime", "limit", "offset", "f")


@dataclass(frozen=True)
class Collection:
    """One collection: the kind of feature it holds, how it is described, and its
    geometry type (as QGIS reads ``geometryType``).

    Parameters
    ----------
    kind : str
        The feature kind it holds (``site``, ``route``, ``zone``, ``area``).
    title, description : str
        For people, as the collection's description shows them.
    geometry_type : str
        ``point``, ``linestring`` or ``polygon``.
    """

    kind: str
    title: str
    description: str
    geometry_type: str


COLLECTIONS = {
    "sites": Collection(
        "site", "Reference sites", "Places named in the reports, with their uncertainty.", "point"
    ),
    "routes": Collection(
        "route", "Routes", "Roads named in the reports (geodesic segments).", "linestring"
    ),
    "zones": Collection(
        "zone",
        "Rule zones",
        "Zones as display polygons; the exact definition is in properties.zone.",
        "polygon",
    ),
    "borders": Collection(
        "area", "Borders", "Country polygons (context layer, Natural Earth 1:50m).", "polygon"
    ),
}


def collection_of(collection_id: str) -> Collection:
    """The collection with this id.

    Parameters
    ----------
    collection_id : str
        ``sites``, ``routes``, ``zones`` or ``borders``.

    Returns
    -------
    Collection

    Raises
    ------
    UnknownCollectionError
        For any other id.

    Examples
    --------
    >>> collection_of("borders").kind
    'area'
    """
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise UnknownCollectionError(collection_id, list(COLLECTIONS)) from None


def landing(base: str, root: str) -> dict[str, Any]:
    """The landing page at ``base`` (the API definition and its documentation at ``root``).

    Parameters
    ----------
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.
    root : str
        The absolute URL the OpenAPI documents are served under.

    Returns
    -------
    dict
        ``title``, ``description`` and ``links`` (``self``, ``service-desc`` in JSON and
        YAML, ``service-doc``, ``conformance`` and ``data``).
    """
    return {
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


def conformance() -> dict[str, Any]:
    """The conformance classes declared (those QGIS and GDAL look for among them).

    Returns
    -------
    dict
        ``conformsTo``: the class URIs of Part 1 (core, GeoJSON), Part 3 and CQL2.
    """
    return {"conformsTo": CONFORMANCE}


def geometry_bbox(geometry: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    """Longitude/latitude bounds of a GeoJSON geometry's positions; None for no geometry.

    Parameters
    ----------
    geometry : dict or None
        A GeoJSON geometry, positions ``[lon, lat]`` in degrees.

    Returns
    -------
    tuple of float or None
        ``(west, south, east, north)`` in degrees: the least and greatest longitude and
        latitude of the positions (not split at the antimeridian).

    Examples
    --------
    >>> geometry_bbox({"type": "LineString", "coordinates": [[36.3, 33.5], [38.3, 34.6]]})
    (36.3, 33.5, 38.3, 34.6)
    >>> geometry_bbox(None) is None
    True
    """
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


def collection(
    reference: ReferenceSet, documents: FeatureDocuments, base: str, collection_id: str
) -> dict[str, Any]:
    """One collection's description: its extent (the bounds of what it serves, and its
    members' validity), item count, geometry type and links.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set to serve.
    documents : FeatureDocuments
        The memo the served GeoJSON is taken from.
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.
    collection_id : str
        The collection's id.

    Returns
    -------
    dict
        ``id``, ``title``, ``description``, ``itemType``, ``crs``, ``extent`` (``spatial``:
        one ``bbox`` ``[west, south, east, north]`` in CRS84 degrees; ``temporal``: one
        ``interval`` of RFC 3339 ends, null where open), ``itemCount``, ``geometryType`` and
        ``links`` (``self``, ``items``, queryables).

    Raises
    ------
    UnknownCollectionError
        For an id that is none of the collections.
    """
    about = collection_of(collection_id)
    members = reference.features(kind=about.kind)
    served = (documents.of(reference, f)["geometry"] for f in members)
    boxes = [b for b in (geometry_bbox(g) for g in served) if b]
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
    url = f"{base}/collections/{collection_id}"
    return {
        "id": collection_id,
        "title": about.title,
        "description": about.description,
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
        "geometryType": about.geometry_type,
        "links": [
            {"rel": "self", "type": "application/json", "title": about.title, "href": url},
            {
                "rel": "items",
                "type": GEOJSON,
                "title": f"{about.title} as GeoJSON",
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


def collections(reference: ReferenceSet, documents: FeatureDocuments, base: str) -> dict[str, Any]:
    """Every collection's description.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set to serve.
    documents : FeatureDocuments
        The memo the served GeoJSON is taken from.
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.

    Returns
    -------
    dict
        ``links`` (``self``) and ``collections`` (each as :func:`collection` describes it).
    """
    return {
        "links": [{"rel": "self", "type": "application/json", "href": f"{base}/collections"}],
        "collections": [collection(reference, documents, base, cid) for cid in COLLECTIONS],
    }


def collection_queryables(base: str, collection_id: str) -> dict[str, Any]:
    """The queryables document (JSON Schema) of one collection.

    Parameters
    ----------
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.
    collection_id : str
        The collection's id.

    Returns
    -------
    dict
        A JSON Schema: ``$schema``, ``$id``, ``type``, ``title``, ``description`` (the filter
        semantics), ``properties`` (the queryables) and ``additionalProperties``.

    Raises
    ------
    UnknownCollectionError
        For an id that is none of the collections.
    """
    about = collection_of(collection_id)
    url = f"{base}/collections/{collection_id}/queryables"
    return queryables(url, about.title, about.kind, about.geometry_type)


def _items_query(args: Mapping[str, str]) -> dict[str, Any]:
    refuse_unknown(args, ITEMS_PARAMETERS)
    core = {k: v for k, v in args.items() if k in _CORE_PARAMETERS}
    try:
        return items_query_schema.load(core)
    except ValidationError as err:
        errors = flatten_messages(err.messages)
        raise OgcParameterError(
            f"Invalid query parameter(s): {', '.join(errors)}.", errors
        ) from None


def items(
    reference: ReferenceSet,
    documents: FeatureDocuments,
    base: str,
    collection_id: str,
    args: Mapping[str, str],
) -> dict[str, Any]:
    """One page of a collection's features that an items request selects (``bbox``,
    ``datetime``, property parameters, ``filter``), with ``self``/``next``/``prev`` links
    that keep every parameter (GDAL follows ``next`` as given).

    Parameters
    ----------
    reference : ReferenceSet
        The reference set to serve.
    documents : FeatureDocuments
        The memo the served GeoJSON is taken from.
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.
    collection_id : str
        The collection's id.
    args : Mapping of str to str
        The query arguments as text, as received: ``bbox`` (``minlon,minlat,maxlon,maxlat``,
        degrees; ``minlon > maxlon`` crosses the antimeridian), ``datetime``, ``limit``,
        ``offset``, ``f``, ``filter``, ``filter-lang``, ``filter-crs`` and the property
        parameters.

    Returns
    -------
    dict
        A FeatureCollection: ``type``, ``features`` (the page), ``numberMatched``,
        ``numberReturned``, ``links`` and ``data_version``.

    Raises
    ------
    UnknownCollectionError
        For an id that is none of the collections.
    UnknownParametersError
        For a query argument items requests do not take.
    OgcParameterError
        For a Part 1 parameter that does not validate.
    FilterError
        For a filter, its language or CRS, or a property parameter that is invalid.
    """
    about = collection_of(collection_id)
    query = _items_query(args)
    tests = item_predicates(args)
    matched = []
    for feature in reference.features(kind=about.kind):
        served = documents.of(reference, feature)
        if "datetime" in query and not _valid_during(feature, *query["datetime"]):
            continue
        if "bbox" in query and not _intersects(geometry_bbox(served["geometry"]), query["bbox"]):
            continue
        matched.append(served)
    matched = select(matched, tests)
    offset, limit = query["offset"], query["limit"]
    page = matched[offset : offset + limit]
    url = f"{base}/collections/{collection_id}/items"
    kept = {k: v for k, v in args.items() if k not in ("offset", "limit")}

    def link(rel: str, new_offset: int) -> dict[str, str]:
        query_string = urlencode({**kept, "limit": limit, "offset": new_offset})
        return {"rel": rel, "type": GEOJSON, "href": f"{url}?{query_string}"}

    links = [
        link("self", offset),
        {
            "rel": "collection",
            "type": "application/json",
            "href": f"{base}/collections/{collection_id}",
        },
    ]
    if offset + limit < len(matched):
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return {
        "type": "FeatureCollection",
        "features": page,
        "numberMatched": len(matched),
        "numberReturned": len(page),
        "links": links,
        "data_version": reference.data_version,
    }


def item(
    reference: ReferenceSet,
    documents: FeatureDocuments,
    base: str,
    collection_id: str,
    feature_id: str,
    args: Mapping[str, str],
) -> dict[str, Any]:
    """One feature of a collection (by id or alias), with its links.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set to serve.
    documents : FeatureDocuments
        The memo the served GeoJSON is taken from.
    base : str
        The absolute URL of the OGC API (``http://host/ogc``) the links start from.
    collection_id : str
        The collection's id.
    feature_id : str
        The feature's id or alias.
    args : Mapping of str to str
        The query arguments as text, as received: only ``f`` (``json`` or ``geojson``).

    Returns
    -------
    dict
        The served GeoJSON Feature with ``links`` (``self``, ``collection``).

    Raises
    ------
    UnknownCollectionError
        For an id that is none of the collections.
    UnknownParametersError
        For a query argument other than ``f``.
    OgcParameterError
        For an ``f`` other than ``json`` or ``geojson``.
    UnknownFeatureError
        For a name no feature has (``feature_id``).
    NotInCollectionError
        For a feature of another kind.
    """
    about = collection_of(collection_id)
    refuse_unknown(args, ("f",))
    if args.get("f", "json") not in ("json", "geojson"):
        raise OgcParameterError("f must be json or geojson.", {"f": ["Must be json or geojson."]})
    feature = reference.resolve(feature_id, "feature_id")
    if feature.kind != about.kind:
        raise NotInCollectionError(feature.id, collection_id)
    served = dict(documents.of(reference, feature))
    url = f"{base}/collections/{collection_id}"
    served["links"] = [
        {"rel": "self", "type": GEOJSON, "href": f"{url}/items/{feature.id}"},
        {"rel": "collection", "type": "application/json", "href": url},
    ]
    return served
