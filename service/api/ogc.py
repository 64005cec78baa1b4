"""OGC API – Features under ``/ogc``, so QGIS, GDAL, OWSLib and web maps can add the
reference set as layers without glue code; answered by :mod:`service.answers.ogc`."""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.answers import ogc
from service.api.context import answers
from service.api.health import openapi_response, wanted
from service.api.responses import GEOJSON_MIME, json_response

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _root() -> str:
    return request.host_url.rstrip("/")


def _base() -> str:
    return _root() + "/ogc"


@bp.get("", strict_slashes=False)
def landing() -> Response:
    """The landing page: links to the API definition, conformance and collections."""
    return json_response(ogc.landing(_base(), _root()))


@bp.get("/api")
def api() -> Response:
    """The API definition where OGC clients look for it: JSON unless YAML (or, for a
    browser, HTML) is asked for."""
    return openapi_response(wanted(request, "json", ("json", "yaml", "html")))


@bp.get("/conformance")
def conformance() -> Response:
    """The conformance classes."""
    return json_response(ogc.conformance())


@bp.get("/collections")
def collections() -> Response:
    """Every collection."""
    layer = answers()
    return json_response(ogc.collections(layer.reference(), layer.documents, _base()))


@bp.get("/collections/<string:collection_id>")
def collection(collection_id: str) -> Response:
    """One collection."""
    layer = answers()
    return json_response(ogc.collection(layer.reference(), layer.documents, _base(), collection_id))


@bp.get("/collections/<string:collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    """What a filter on the collection may name."""
    schema = ogc.collection_queryables(_base(), collection_id)
    return json_response(schema, mimetype="application/schema+json")


@bp.get("/collections/<string:collection_id>/items")
def items(collection_id: str) -> Response:
    """A page of the collection's features, filtered."""
    layer = answers()
    page = ogc.items(layer.reference(), layer.documents, _base(), collection_id, request.args)
    return json_response(page, mimetype=GEOJSON_MIME)


@bp.get("/collections/<string:collection_id>/items/<string:feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature of the collection."""
    layer = answers()
    served = ogc.item(
        layer.reference(), layer.documents, _base(), collection_id, feature_id, request.args
    )
    return json_response(served, mimetype=GEOJSON_MIME)
