"""Geodesy core throughput against raw pyproj, measured in one run.

Prints, for 1,000,000 points:
  * exact verdicts against the 55 km al-Tanf circle (proven-bound fast path);
  * exact signed distances to that circle (one inverse per point);
  * exact distance to the Palmyra–Damascus highway (63 vertices);
each in points/s and as a ratio to raw ``pyproj.Geod.inv`` on the same points in the same
run. Medians of repeated runs; the machine is noisy, so read the ratios.

    .venv/bin/python bench/geodesy.py [--points N] [--repeats K]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from pyproj import Geod

from service.rules.reference import ReferenceSet
from service.rules.verdict import fast_verdicts, verdict_codes
from service.store.seed import load_reference_data


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(label: str, rate: float, ratio: float) -> None:
    print(f"{label:<52}{rate:>14,.0f}{ratio:>11.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = args.points
    reference = ReferenceSet(load_reference_data(), 1)
    zone = reference.shape(reference.resolve("al-tanf-deconfliction-zone"))
    highway = reference.shape(reference.resolve("palmyra-damascus-highway"))
    geod = Geod(ellps="WGS84")
    rng = np.random.default_rng(2017)

    # Points around the zone: a box reaching ~75 km from the centre, so that many lie
    # within a kilometre of the 55 km boundary.
    lon = rng.uniform(37.8, 39.45, n)
    lat = rng.uniform(32.85, 34.15, n)
    centre_lon = np.full(n, 38.6178)
    centre_lat = np.full(n, 33.5058)
    raw = median_seconds(lambda: geod.inv(lon, lat, centre_lon, centre_lat), args.repeats)
    verdicts = median_seconds(lambda: fast_verdicts(zone, lon, lat, 0.0), args.repeats)
    signed = median_seconds(
        lambda: verdict_codes(zone.signed_distance(lon, lat), 0.0), args.repeats
    )
    assert np.array_equal(
        fast_verdicts(zone, lon, lat, 0.0), verdict_codes(zone.signed_distance(lon, lat), 0.0)
    )
    low, high = zone.boundary_bounds(lon, lat)
    undecided = int(np.count_nonzero((low <= 0) & (high > 0)))

    print(f"geodesy core, {n:,} points, median of {args.repeats} runs")
    print(f"{'task':<52}{'points/s':>14}{'× raw inv':>11}")
    row("raw pyproj Geod.inv to the zone centre (baseline)", n / raw, 1.0)
    row("circle verdicts, exact (proven-bound fast path)", n / verdicts, raw / verdicts)
    row("circle signed distances + verdicts (exact inverse)", n / signed, raw / signed)
    print(f"  points the bounds left to the exact test: {undecided:,} of {n:,}")

    # Points around the highway: its bounding box grown by ~50 km.
    lon = rng.uniform(35.8, 38.8, n)
    lat = rng.uniform(33.0, 35.0, n)
    mid_lon = np.full(n, 37.3)
    mid_lat = np.full(n, 34.0)
    raw = median_seconds(lambda: geod.inv(lon, lat, mid_lon, mid_lat), args.repeats)
    route = median_seconds(lambda: highway.distance(lon, lat), max(1, args.repeats // 2))  # type: ignore[attr-defined]
    row("raw pyproj Geod.inv, highway box (baseline)", n / raw, 1.0)
    row("distance to the highway (63 vertices, exact)", n / route, raw / route)


if __name__ == "__main__":
    main()
