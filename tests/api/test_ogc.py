"""OGC API – Features: the requirements implemented (conformance classes, link relations,
media types, paging, bbox, datetime), and OWSLib's client reading it over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

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


FILTERED = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf"


def test_filter_conformance_is_declared(client: FlaskClient) -> None:
    classes = set(client.get("/ogc/conformance").get_json()["conformsTo"])
    # What QGIS (3.32 and later) requires before it sends a filter to the server.
    assert {f"{FILTERED}/filter", f"{FILTERED}/features-filter"} <= classes
    assert {f"{CQL2}/{name}" for name in ("cql2-text", "cql2-json", "basic-cql2")} <= classes
    assert {f"{CQL2}/basic-spatial-functions", f"{CQL2}/temporal-functions"} <= classes


def test_queryables_are_what_filters_may_name(client: FlaskClient) -> None:
    routes = client.get("/ogc/collections/routes/queryables")
    assert routes.mimetype == "application/schema+json"
    schema = routes.get_json()
    assert set(schema["properties"]) == {
        "geometry",
        "id",
        "name",
        "kind",
        "uncertainty_m",
        "valid_from",
        "valid_to",
    }
    assert schema["properties"]["geometry"]["$ref"].endswith("/LineString.json")
    assert schema["properties"]["valid_to"]["format"] == "date-time"
    assert "longitude/latitude" in schema["description"] and "geodesic" in schema["description"]
    assert schema["additionalProperties"] is False


def _ids(client: FlaskClient, cid: str, **params: str) -> tuple[int, list[str]]:
    body = client.get(f"/ogc/collections/{cid}/items", query_string=params).get_json()
    return body["numberMatched"], [f["id"] for f in body["features"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"filter": "uncertainty_m <= 500"},
            {"ad-dumayr", "khan-abu-shamat", "palmyra-ancient-site", "syria-jordan-iraq-tripoint"},
        ),
        ({"filter": "name LIKE 'al-Tanf%'"}, {"al-tanf-garrison", "al-tanf-crossing"}),
        (
            {"filter": "name LIKE 'al-Tanf%'", "filter-lang": "cql-text"},
            {"al-tanf-garrison", "al-tanf-crossing"},
        ),
        (
            {"filter": "S_INTERSECTS(geometry, BBOX(38.5, 33.3, 39.0, 33.6))"},
            {
                "al-tanf-garrison",
                "al-tanf-crossing",
                "al-walid-crossing",
                "syria-jordan-iraq-tripoint",
            },
        ),
        (
            {
                "filter": "S_WITHIN(geometry, "
                "POLYGON((38 34.3, 38.5 34.3, 38.5 34.7, 38 34.7, 38 34.3)))"
            },
            {"palmyra", "palmyra-ancient-site"},
        ),
        (
            {
                "filter": json.dumps(
                    {
                        "op": "and",
                        "args": [
                            {
                                "op": "s_intersects",
                                "args": [
                                    {"property": "geometry"},
                                    {"bbox": [38.5, 33.3, 39, 33.6]},
                                ],
                            },
                            {"op": ">=", "args": [{"property": "uncertainty_m"}, 2000]},
                        ],
                    }
                ),
                "filter-lang": "cql2-json",
            },
            {"al-tanf-garrison", "al-tanf-crossing"},
        ),
        ({"filter": "T_BEFORE(valid_from, TIMESTAMP('2017-05-02T00:00:00Z'))"}, "all"),
        (
            {
                "filter": "uncertainty_m > 100",
                "bbox": "38.5,33.3,39.0,33.6",
                "name": "al-Tanf garrison",
            },
            {"al-tanf-garrison"},
        ),
        ({"kind": "site", "uncertainty_m": "15000"}, {"khunayfis-mines", "sharqiyah-mines"}),
    ],
)
def test_good_filters(client: FlaskClient, params: dict[str, str], expected: Any) -> None:
    everything = {
        f["id"] for f in client.get("/ogc/collections/sites/items").get_json()["features"]
    }
    matched, found = _ids(client, "sites", **params)
    assert set(found) == (everything if expected == "all" else expected)
    assert matched == len(found)


def test_zones_filter_in_time(client: FlaskClient) -> None:
    during = "T_INTERSECTS(valid_from, INTERVAL('2017-05-01T00:00:00Z', '2017-07-01T00:00:00Z'))"
    assert _ids(client, "zones", filter=during)[1] == ["al-tanf-deconfliction-zone"]
    assert _ids(client, "zones", filter="valid_from > '2017-06-01T00:00:00Z'")[0] == 0
    assert _ids(client, "zones", filter="valid_to IS NULL")[0] == 1
    # A border polygon contains the garrison: S_INTERSECTS with a point.
    assert _ids(client, "borders", filter="S_INTERSECTS(geometry, POINT(38.62 33.51))")[1] == [
        "syria"
    ]


def test_paging_keeps_the_filter(client: FlaskClient) -> None:
    query = {"filter": "uncertainty_m >= 1000", "filter-lang": "cql2-text", "limit": "3"}
    seen: list[str] = []
    url = "/ogc/collections/sites/items"
    body = client.get(url, query_string=query).get_json()
    while True:
        assert body["numberMatched"] == 9
        seen += [f["id"] for f in body["features"]]
        links = {link["rel"]: link["href"] for link in body["links"]}
        assert "filter=" in links["self"] and "filter-lang=cql2-text" in links["self"]
        if "next" not in links:
            break
        body = client.get(links["next"].replace("http://localhost", "")).get_json()
    assert len(seen) == len(set(seen)) == 9
    every = client.get(url, query_string={"limit": "100"}).get_json()["features"]
    assert set(seen) == {f["id"] for f in every if f["properties"]["uncertainty_m"] >= 1000}


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"filter": "name = "}, "filter", "does not parse as cql2-text"),
        ({"filter": "colour = 'red'"}, "filter", "Unknown property 'colour'"),
        ({"filter": "{", "filter-lang": "cql2-json"}, "filter", "not JSON"),
        ({"filter": "name = 'x'", "filter-lang": "cql3"}, "filter-lang", "must be one of"),
        ({"filter": "name = 'x'", "filter-crs": "EPSG:3857"}, "filter-crs", "CRS84"),
        ({"filter": "S_INTERSECTS(geometry, POINT(200 0))"}, "filter", "out of range"),
        ({"uncertainty_m": "lots"}, "uncertainty_m", "number"),
    ],
)
def test_bad_filters_are_400_problems(
    client: FlaskClient, params: dict[str, str], field: str, says: str
) -> None:
    response = client.get("/ogc/collections/sites/items", query_string=params)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert says in problem["detail"] and list(problem["errors"]) == [field]


@pytest.mark.parametrize(
    "url", ["/ogc/api", "/ogc/conformance", "/ogc/collections", "/ogc/collections/sites/items"]
)
def test_undeclared_methods_are_405(client: FlaskClient, url: str) -> None:
    assert client.open(url, method="TRACE").status_code == 405


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
