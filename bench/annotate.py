"""``geocheck annotate`` on a generated event file: rows/s and peak memory.

Generates a CSV of ROWS events (default 1,000,000) spread over the Badia, with a few rotten
rows, annotates it offline against every zone plus distances to Palmyra and the highway,
and prints rows/s and the annotating process's peak resident memory, with the default
threads (one per CPU) and with one. For scale, the same run times merely copying the CSV
with Python's csv module: an upper bound on the rate no annotation can pass.

    .venv/bin/python bench/annotate.py [--rows N] [--multiline-every N]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def generate(path: Path, rows: int, multiline_every: int = 0) -> None:
    """Events with a missing latitude every 100,000 rows and, if asked, a note over two
    lines (a quoted field with a line break) every ``multiline_every`` rows."""
    rng = np.random.default_rng(2017)
    lat = rng.uniform(32.8, 35.0, rows)
    lon = rng.uniform(36.0, 39.5, rows)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event_id", "event_date", "latitude", "longitude", "notes"])
        for i in range(rows):
            notes = "reported"
            if multiline_every and i % multiline_every == 0:
                notes = "reported\nby two sources"
            if i % 100_000 == 99:
                writer.writerow([f"ev{i}", "2017-06-01", "", f"{lon[i]:.5f}", "missing latitude"])
            else:
                writer.writerow([f"ev{i}", "2017-06-01", f"{lat[i]:.5f}", f"{lon[i]:.5f}", notes])


def copy_rate(source: Path, target: Path) -> float:
    start = time.perf_counter()
    with source.open(newline="") as src, target.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerows(csv.reader(src))
    return time.perf_counter() - start


#: Runs a command and prints its peak resident memory (KiB): each variant is measured in
#: its own wrapper, since RUSAGE_CHILDREN keeps the largest child of the whole bench.
PEAK = (
    "import resource, subprocess, sys;"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run_measured(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """(seconds from process start to exit, peak resident memory in MB) of one run."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *command],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, int(done.stdout) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--multiline-every",
        type=int,
        default=0,
        metavar="N",
        help="give every Nth event a note over two lines (default: none)",
    )
    args = parser.parse_args()
    geocheck = Path(sys.executable).with_name("geocheck")
    with tempfile.TemporaryDirectory(prefix="geocheck-bench-") as folder:
        source, target = Path(folder) / "events.csv", Path(folder) / "annotated.csv"
        generate(source, args.rows, args.multiline_every)
        environment = {**os.environ, "GEOCHECK_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite"}
        # First run builds the store; the timed ones start from an existing store.
        subprocess.run(
            [str(geocheck), "features"], env=environment, check=True, capture_output=True
        )
        command = [
            str(geocheck),
            "annotate",
            str(source),
            "-o",
            str(target),
            "--distance-to",
            "palmyra,palmyra-damascus-highway",
        ]
        runs = {
            "default threads": run_measured(command, environment),
            "--jobs 1 (one computing thread)": run_measured([*command, "--jobs", "1"], environment),
        }
        copied = copy_rate(source, Path(folder) / "copy.csv")
        size_mb = source.stat().st_size / 1e6
    what = "every zone + distance to Palmyra and the highway"
    print(f"annotate {args.rows:,} CSV rows ({size_mb:.0f} MB) on {os.cpu_count()} CPUs: {what}")
    if args.multiline_every:
        print(f"  (every {args.multiline_every:,}th note is quoted over two lines)")
    print("  end to end, process start to exit:")
    for name, (elapsed, peak_mb) in runs.items():
        print(
            f"    {name:<32} {args.rows / elapsed:>10,.0f} rows/s  ({elapsed:.1f} s), "
            f"peak {peak_mb:,.0f} MB"
        )
    print(
        f"  csv copy only, same file (ceiling)   {args.rows / copied:>10,.0f} rows/s  "
        f"(default annotation at {copied / runs['default threads'][0]:.2f}x)"
    )


if __name__ == "__main__":
    main()
