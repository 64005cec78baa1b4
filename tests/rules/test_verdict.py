"""Verdicts: the three-valued rule, and the fast path agreeing with the exact one."""

from __future__ import annotations

import numpy as np
import pytest

from service.geodesy import Circle, GeodesicPolygon
from service.rules.shapes import CircleShape, CorridorShape, RouteShape
from service.rules.verdict import INSIDE, OUTSIDE, UNCERTAIN, fast_verdicts, verdict_codes
from tests.geodesy.shapes import AL_TANF, HIGHWAY


@pytest.mark.parametrize(
    ("b", "margin", "expected"),
    [
        (-10.0, 0.0, INSIDE),
        (0.0, 0.0, INSIDE),  # closed zone
        (1e-9, 0.0, OUTSIDE),
        (-10.0, 5.0, INSIDE),
        (-5.0, 5.0, UNCERTAIN),
        (5.0, 5.0, UNCERTAIN),
        (5.1, 5.0, OUTSIDE),
    ],
)
def test_verdict_rule(b: float, margin: float, expected: int) -> None:
    assert verdict_codes([b], [margin])[0] == expected


def _shapes() -> list[object]:
    route = {"type": "LineString", "coordinates": HIGHWAY}
    return [
        Circle(*AL_TANF, 55_000.0),
        CorridorShape(RouteShape(route), 5_000.0),
        GeodesicPolygon([np.array([(37.0, 33.0), (39.0, 33.0), (38.0, 35.0)]).T]),
    ]


@pytest.mark.parametrize("shape", _shapes(), ids=["circle", "corridor", "polygon"])
@pytest.mark.parametrize("margin", [0.0, 2_000.0])
def test_fast_path_equals_exact(shape: object, margin: float) -> None:
    rng = np.random.default_rng(9)
    lon, lat = rng.uniform(35.5, 40.0, 20_000), rng.uniform(32.0, 35.5, 20_000)
    exact = verdict_codes(shape.signed_distance(lon, lat), margin)  # type: ignore[attr-defined]
    fast = fast_verdicts(shape, lon, lat, margin)  # type: ignore[arg-type]
    assert np.array_equal(exact, fast)


def test_fast_path_near_the_circle_boundary() -> None:
    circle = Circle(*AL_TANF, 55_000.0)
    from service.geodesy import direct

    az = np.linspace(0, 360, 3600, endpoint=False)
    for offset in (-0.05, -0.001, 0.0, 0.001, 0.05):
        p = direct(
            np.full(az.size, AL_TANF[0]), np.full(az.size, AL_TANF[1]), az, 55_000.0 + offset
        )
        exact = verdict_codes(circle.signed_distance(p.lon, p.lat), 0.0)
        assert np.array_equal(fast_verdicts(circle, p.lon, p.lat, 0.0), exact)
        assert np.array_equal(fast_verdicts(CircleShape(circle), p.lon, p.lat, 0.0), exact)
