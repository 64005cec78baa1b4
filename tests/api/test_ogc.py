"""OGC API – Features: the requirements implemented (conformance classes, link relations,
media types, paging, bbox, datetime), and OWSLib's client reading it over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from tests.e2e_server import running_server
from tests.geodesy import oracle

GEOJSON = "application/geo+json"


def test_landing_page_and_conformance(client: FlaskClient) -> None:
    landing = client.get("/ogc")
    assert landing.status_code == 200 and landing.mimetype == "application/json"
    rels = {link["rel"]: link for link in landing.get_json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert (
        client.get(rels["service-desc"]["href"].replace("http://localhost", "")).status_code == 200
    )
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes


def test_collections_describe_themselves(client: FlaskClient) -> None:
    collections = {c["id"]: c for c in client.get("/ogc/collections").get_json()["collections"]}
    assert set(collections) == {"sites", "routes", "zones", "borders"}
    sites = collections["sites"]
    assert sites["itemCount"] == 13 and sites["geometryType"] == "point"
    west, south, east, north = sites["extent"]["spatial"]["bbox"][0]
    assert (west, south, east, north) == (36.2913, 33.3747, 40.9367, 35.3359)
    assert sites["extent"]["temporal"]["interval"][0][0] == "2017-01-01T00:00:00Z" or sites[
        "extent"
    ]["temporal"]["interval"][0][0].startswith("2017")
    items = next(link for link in sites["links"] if link["rel"] == "items")
    assert items["type"] == GEOJSON


def test_items_page_filter_and_link(client: FlaskClient) -> None:
    first = client.get("/ogc/collections/sites/items?limit=5")
    assert first.mimetype == GEOJSON
    body = first.get_json()
    assert body["numberMatched"] == 13 and body["numberReturned"] == 5
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "next" in links and "prev" not in links
    ids = [f["id"] for f in body["features"]]
    second = client.get(links["next"].replace("http://localhost", "")).get_json()
    assert not set(ids) & {f["id"] for f in second["features"]}
    assert "prev" in {link["rel"] for link in second["links"]}
    near_tanf = client.get("/ogc/collections/sites/items?bbox=38.5,33.3,39.0,33.6").get_json()
    assert {f["id"] for f in near_tanf["features"]} == {
        "al-tanf-garrison",
        "al-tanf-crossing",
        "al-walid-crossing",
        "syria-jordan-iraq-tripoint",
    }
    across = client.get("/ogc/collections/sites/items?bbox=179,-10,-179,10").get_json()
    assert across["numberMatched"] == 0
    assert (
        client.get("/ogc/collections/sites/items?bbox=40,30,-170,40").get_json()["numberMatched"]
        == 2
    )
    before = client.get("/ogc/collections/zones/items?datetime=../2017-05-31T00:00:00Z").get_json()
    during = client.get("/ogc/collections/zones/items?datetime=2017-06-15T00:00:00Z").get_json()
    assert before["numberMatched"] == 0 and during["numberMatched"] == 1


def test_zone_items_are_exact_circles_drawn_as_polygons(client: FlaskClient) -> None:
    zone = client.get("/ogc/collections/zones/items/al-tanf-deconfliction-zone").get_json()
    rule = zone["properties"]["zone"]
    assert rule["radius_m"] == 55_000.0 and zone["properties"]["effective_uncertainty_m"] == 2_000.0
    for lon, lat in zone["geometry"]["coordinates"][0][::7]:
        assert abs(oracle.distance(lon, lat, 38.6178, 33.5058) - 55_000.0) < 1e-3
    assert {link["rel"] for link in zone["links"]} == {"self", "collection"}


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/nowhere",
        "/ogc/collections/sites/items/al-tanf-deconfliction-zone",
        "/ogc/collections/sites/items/nowhere",
    ],
)
def test_unknown_things_are_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=0,10,5,5",
        "limit=0",
        "limit=5000",
        "offset=-1",
        "datetime=soon",
        "colour=red",
    ],
)
def test_bad_parameters_are_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/ogc/collections/sites/items?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_browser_friendliness(client: FlaskClient) -> None:
    response = client.get("/ogc/collections", headers={"Origin": "https://maps.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://maps.example.org")
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/ogc/collections", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    preflight = client.options(
        "/check-zone",
        headers={
            "Origin": "https://maps.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert (
        preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server(workers=1) as url:
        yield url


@pytest.mark.e2e
def test_owslib_reads_everything(server: str) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc")
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in api.conformance()["conformsTo"]
    )
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == ["sites", "routes", "zones", "borders"]
    assert api.collection("routes")["itemCount"] == 1
    page = api.collection_items("sites", limit=3)
    assert page["numberReturned"] == 3 and page["numberMatched"] == 13
    boxed = api.collection_items("sites", bbox=[38.0, 34.3, 38.5, 34.7])
    assert {f["id"] for f in boxed["features"]} == {"palmyra", "palmyra-ancient-site"}
    palmyra = api.collection_item("sites", "palmyra")
    assert palmyra["geometry"]["coordinates"] == [38.2672, 34.56]
    queryables = api.collection_queryables("sites")
    assert "uncertainty_m" in queryables["properties"]
