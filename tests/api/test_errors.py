"""Every bad request gets a 4xx problem+json naming the field; never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpers import assert_problem

POINT = {"lat": 33.9, "lon": 38.2}

BAD_BODIES: list[tuple[str, Any, int, str]] = [
    ("/check-zone", {}, 422, "point"),
    ("/check-zone", {"point": POINT, "points": [POINT]}, 422, "point"),
    ("/check-zone", {"point": {"lat": 95.0, "lon": 38.0}}, 422, "point.lat"),
    ("/check-zone", {"point": {"lat": "x", "lon": 38.0}}, 422, "point.lat"),
    ("/check-zone", {"point": POINT, "extra": 1}, 422, "extra"),
    ("/check-zone", {"point": POINT, "at": "yesterday"}, 422, "at"),
    ("/check-zone", {"point": POINT, "distances": "no"}, 422, "distances"),
    ("/check-zone", {"points": []}, 422, "points"),
    ("/check-zone", {"points": {"lat": [1.0, "a"], "lon": [1.0, 2.0]}}, 422, "points.lat.1"),
    ("/check-zone", {"points": {"lat": [1.0], "lon": [1.0], "bogus": []}}, 422, "points.bogus"),
    (
        "/check-zone",
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None}]},
        422,
        "features.0.geometry",
    ),
    ("/check-zone", [1, 2], 422, "body"),
    ("/distance", {"from": "34, 37"}, 422, "to"),
    ("/distance", {"from": "34, 37", "to": "nowhere at all"}, 404, "to"),
    ("/distance", {"from": "here", "to": "palmyra"}, 422, "from"),
    ("/distance", {"from": "34, 37", "to": "palmyra", "units": "furlongs"}, 422, "units"),
    ("/destination", {"from": "34, 37", "azimuth": "up", "distance": 5}, 422, "azimuth"),
    ("/destination", {"from": "34, 37", "azimuth": 10, "distance": "-5 km"}, 422, "distance"),
    ("/destination", {"from": "34, 37", "azimuth": 10, "distance": "5 parsecs"}, 422, "distance"),
    ("/area", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, 422, "geometry"),
    ("/area", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}, 422, "geometry"),
    (
        "/area",
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]},
        422,
        "coordinates",
    ),
]


@pytest.mark.parametrize(("path", "body", "status", "field"), BAD_BODIES)
def test_bad_bodies(client: FlaskClient, path: str, body: Any, status: int, field: str) -> None:
    assert_problem(client.post(path, json=body), status, field)


def test_overflowing_numbers_are_not_infinity(client: FlaskClient) -> None:
    body = '{"points": [{"lat": 33.9, "lon": 38.2}, {"lat": 1e400, "lon": 0}]}'
    problem = assert_problem(
        client.post("/check-zone", data=body, content_type="application/json"), 400
    )
    assert "infinity" in problem["detail"]


POST_ROUTES = ["/check-zone", "/distance", "/destination", "/area"]


@pytest.mark.parametrize("path", POST_ROUTES)
@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{bad json", "application/json", 400),
        ('{"point": NaN}', "application/json", 400),
        ('{"point": Infinity}', "application/json", 400),
        ("", "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ('{"point": "1, 2"}', "text/plain", 415),
        ("point=1", "application/x-www-form-urlencoded", 415),
        (b"\xff\xfe\x00", "application/json", 400),
    ],
)
def test_malformed_bodies(
    client: FlaskClient, path: str, data: Any, content_type: str, status: int
) -> None:
    assert_problem(client.post(path, data=data, content_type=content_type), status)


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/distance?from=34,37", 422, "to"),
        ("/distance?from=34,37&to=palmyra&units=parsec", 422, "units"),
        ("/distance?from=34,37&to=palmyra&accuracy_m=-3", 422, "accuracy_m"),
        ("/distance?from=34,37&to=palmyra&accuracy_m=nan", 422, "accuracy_m"),
        ("/distance?from=34,37&to=palmyra&colour=red", 400, "colour"),
        ("/nearby", 422, "point"),
        ("/nearby?point=34,37&radius=far", 422, "radius"),
        ("/nearby?point=34,37&limit=0", 422, "limit"),
        ("/nearby?point=34,37&limit=x", 422, "limit"),
        ("/nearby?point=34,37&limit=%C2%B2", 422, "limit"),  # "²" is a digit to str.isdigit
        ("/distance?from=33.5,38.6&to=palmyra&data_version=%C2%B2", 422, "data_version"),
        ("/features?kind=mountain", 422, "kind"),
        ("/features?at=tomorrow", 422, "at"),
        ("/zones/al-tanf-deconfliction-zone/polygon?max_error_m=0", 422, "max_error_m"),
        ("/zones/al-tanf-deconfliction-zone/polygon?max_error_m=abc", 422, "max_error_m"),
    ],
)
def test_bad_queries_name_the_parameter(
    client: FlaskClient, url: str, status: int, field: str
) -> None:
    assert_problem(client.get(url), status, field)


def test_unknown_route_and_method(client: FlaskClient) -> None:
    assert_problem(client.get("/nowhere"), 404)
    response = client.delete("/check-zone")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_oversized_body_is_413(client: FlaskClient) -> None:
    from service import create_app

    small = create_app({"MAX_BODY_BYTES": 1000, "DATABASE_URL": "sqlite://"}).test_client()
    response = small.post(
        "/check-zone", data="[" + "1," * 2000 + "1]", content_type="application/json"
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "at", ["0001-01-01T01:00:00.0+23:51", "9999-12-31T23:00:00-05:00", "2017-13-01", "now"]
)
def test_instants_out_of_range_are_422(client: FlaskClient, at: str) -> None:
    from urllib.parse import quote

    assert_problem(client.get(f"/features?at={quote(at)}"), 422, "at")
