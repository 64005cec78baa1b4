"""Corridors and display polygons: the stated error is the real error."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from shapely.geometry import shape

from service.geodesy import (
    Circle,
    Corridor,
    GeodesyError,
    Polyline,
    circle_polygon,
    corridor_polygon,
)
from tests.geodesy import oracle
from tests.geodesy.shapes import AL_TANF, HIGHWAY


def _edge_points(geometry: dict, per_edge: int = 24) -> list[tuple[float, float]]:
    points = []
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    for polygon in polygons:
        for ring in polygon:
            ring = np.array(ring)
            for a, b in itertools.pairwise(ring):
                if abs(a[0]) == 180.0 and a[0] == b[0]:
                    continue  # the cut along the antimeridian is not part of the boundary
                if abs(a[1]) == 90.0 or abs(b[1]) == 90.0:
                    continue  # closing edges along a pole
                for t in np.linspace(0, 1, per_edge, endpoint=False):
                    points.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return points


@pytest.mark.parametrize(
    ("centre", "radius", "max_error"),
    [
        (AL_TANF, 55_000.0, 10.0),
        (AL_TANF, 55_000.0, 1.0),
        ((179.9, 10.0), 100_000.0, 5.0),
        ((30.0, 89.0), 300_000.0, 50.0),
    ],
)
def test_circle_display_error_is_what_it_says(
    centre: tuple[float, float], radius: float, max_error: float
) -> None:
    result = circle_polygon(Circle(*centre, radius), max_error)
    assert result.max_error_m <= max_error
    worst = max(
        abs(oracle.distance(lon, lat, *centre) - radius)
        for lon, lat in _edge_points(result.geometry)
    )
    assert worst <= result.max_error_m * 1.05 + 1e-6
    assert shape(result.geometry).is_valid


def test_circle_across_the_antimeridian_is_split() -> None:
    result = circle_polygon(Circle(179.9, 10.0, 100_000.0), 5.0)
    assert result.geometry["type"] == "MultiPolygon"
    for polygon in result.geometry["coordinates"]:
        lons = np.array(polygon[0])[:, 0]
        assert lons.min() >= -180.0 and lons.max() <= 180.0


def test_corridor_verdicts_and_display() -> None:
    line = Polyline(*np.array(HIGHWAY).T)
    corridor = Corridor(line, 5_000.0)
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(36.5, 38.5, 8), rng.uniform(33.4, 34.6, 8)
    got = corridor.signed_distance(lon, lat)
    for i in range(lon.size):
        assert got[i] == pytest.approx(
            oracle.polyline_distance(lon[i], lat[i], HIGHWAY) - 5_000.0, abs=1e-3
        )
    low, _ = corridor.boundary_bounds(lon, lat)
    assert np.all(low <= got)
    result = corridor_polygon(corridor, 20.0)
    assert result.max_error_m <= 20.0
    sample = _edge_points(result.geometry, per_edge=3)[::25]
    worst = max(abs(oracle.polyline_distance(x, y, HIGHWAY) - 5_000.0) for x, y in sample)
    assert worst <= result.max_error_m * 1.05 + 1e-6


def test_bad_widths_and_errors() -> None:
    line = Polyline([38.0, 38.5], [34.0, 34.2])
    with pytest.raises(GeodesyError, match="half_width_m"):
        Corridor(line, 0.0)
    with pytest.raises(GeodesyError, match="max_error_m"):
        circle_polygon(Circle(38.0, 34.0, 1000.0), 0.0)
