"""End to end: the service as ``make run`` starts it (granian), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.e2e_server import running_server
from tests.geodesy import oracle
from tests.helpers import BATCH_TIMEOUT, REQUEST_TIMEOUT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server({"GEOCHECK_MAX_BATCH_POINTS": "200000"}) as url:
        yield url


def test_health_and_contract(base: str) -> None:
    assert requests.get(f"{base}/health", timeout=REQUEST_TIMEOUT).json()["status"] == "ok"
    response = requests.get(f"{base}/openapi.yaml", timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200 and "openapi: 3.1.0" in response.text


def test_point_a_metre_inside_and_outside_the_boundary(base: str) -> None:
    centre = (38.6178, 33.5058)
    for offset, verdict in ((-1.0, "inside"), (1.0, "outside")):
        p = oracle.WGS84.Direct(centre[1], centre[0], 200.0, 55_000.0 + offset)
        body = {
            "point": {"lat": p["lat2"], "lon": p["lon2"]},
            "zones": ["al-tanf-deconfliction-zone"],
        }
        # A point with no accuracy still gets the garrison's 2 km: ask for the raw distance.
        answer = requests.post(f"{base}/check-zone", json=body, timeout=REQUEST_TIMEOUT).json()
        zone = answer["results"][0]["zones"][0]
        assert zone["distance_to_boundary_m"] == pytest.approx(offset, abs=1e-6)
        assert zone["verdict"] == "uncertain"
        distance = requests.get(
            f"{base}/distance",
            params={"from": f"{p['lat2']!r}, {p['lon2']!r}", "to": "al-tanf-deconfliction-zone"},
            timeout=REQUEST_TIMEOUT,
        ).json()
        assert distance["inside"] is (verdict == "inside")


def test_big_columnar_batch(base: str) -> None:
    n = 100_000
    lats = [33.0 + (i % 1000) / 500.0 for i in range(n)]
    lons = [37.6 + (i // 1000) / 50.0 for i in range(n)]
    response = requests.post(
        f"{base}/check-zone", json={"points": {"lat": lats, "lon": lons}}, timeout=BATCH_TIMEOUT
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results["verdict"]) == n
    assert set(results["verdict"]) == {"inside", "outside", "uncertain"}


def test_errors_over_the_wire(base: str) -> None:
    response = requests.post(
        f"{base}/check-zone",
        data="{nope",
        headers={"Content-Type": "application/json"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    response = requests.put(f"{base}/check-zone", json={}, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    response = requests.post(
        f"{base}/check-zone",
        json={"points": {"lat": [1.0] * 200_001, "lon": [1.0] * 200_001}},
        timeout=BATCH_TIMEOUT,
    )
    assert response.status_code == 413
