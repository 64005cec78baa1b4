"""``geocheck annotate`` on a generated event file: rows/s and peak memory.

Generates a CSV of ROWS events (default 1,000,000) spread over the Badia, with a few rotten
rows, annotates it offline against every zone plus distances to Palmyra and the highway,
and prints rows/s and the annotating process's peak resident memory. For scale, the same
run reports the rate of merely copying the CSV with Python's csv module (a floor no
annotation can beat).

    .venv/bin/python bench/annotate.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def generate(path: Path, rows: int) -> None:
    rng = np.random.default_rng(2017)
    lat = rng.uniform(32.8, 35.0, rows)
    lon = rng.uniform(36.0, 39.5, rows)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event_id", "event_date", "latitude", "longitude", "notes"])
        for i in range(rows):
            if i % 100_000 == 99:
                writer.writerow([f"ev{i}", "2017-06-01", "", f"{lon[i]:.5f}", "missing latitude"])
            else:
                writer.writerow(
                    [f"ev{i}", "2017-06-01", f"{lat[i]:.5f}", f"{lon[i]:.5f}", "reported"]
                )


def copy_rate(source: Path, target: Path) -> float:
    start = time.perf_counter()
    with source.open(newline="") as src, target.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerows(csv.reader(src))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    geocheck = Path(sys.executable).with_name("geocheck")
    with tempfile.TemporaryDirectory(prefix="geocheck-bench-") as folder:
        source, target = Path(folder) / "events.csv", Path(folder) / "annotated.csv"
        generate(source, args.rows)
        environment = {**os.environ, "GEOCHECK_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite"}
        # First run builds the store; the timed one starts from an existing store.
        subprocess.run(
            [str(geocheck), "features"], env=environment, check=True, capture_output=True
        )
        start = time.perf_counter()
        subprocess.run(
            [
                str(geocheck),
                "annotate",
                str(source),
                "-o",
                str(target),
                "--distance-to",
                "palmyra,palmyra-damascus-highway",
            ],
            env=environment,
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        copied = copy_rate(source, Path(folder) / "copy.csv")
        size_mb = source.stat().st_size / 1e6
    what = "every zone + distance to Palmyra and the highway"
    print(f"annotate {args.rows:,} CSV rows ({size_mb:.0f} MB): {what}")
    rate = args.rows / elapsed
    print(f"  end to end (process start to exit)  {rate:>10,.0f} rows/s  ({elapsed:.1f} s)")
    print(f"  peak resident memory                {peak_mb:>10,.0f} MB")
    print(
        f"  csv copy only, same file (floor)    {args.rows / copied:>10,.0f} rows/s  "
        f"(annotation at {copied / elapsed:.2f}x the copy rate)"
    )


if __name__ == "__main__":
    main()
