"""Start-up cost of the ``geocheck`` command: one local answer, process start to exit.

Times ``geocheck distance Palmyra palmyra-damascus-highway --json`` against the local store
(a SQLite file in a temporary folder, created and seeded by one run before any timing)
and, as the baseline, ``python -c "import numpy, pyproj"``: the imports no geodesic answer
can do without. Runs are interleaved (baseline, command, baseline, …) so that the noise of
a shared machine falls on both alike; prints every run's seconds, the medians and their
ratio. The target is a ratio of at most 2.

    .venv/bin/python bench/cli_start.py [--runs N] [--geocheck PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = ["distance", "Palmyra", "palmyra-damascus-highway", "--json"]
BASELINE = [sys.executable, "-c", "import numpy, pyproj"]


def seconds(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument(
        "--geocheck",
        default=str(Path(sys.executable).with_name("geocheck")),
        help="the command to time (default: the one installed beside this Python)",
    )
    args = parser.parse_args()
    command = [args.geocheck, *QUESTION]
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            k: v for k, v in os.environ.items() if k not in ("GEOCHECK_SERVER", "GEOCHECK_TOKEN")
        }
        environment["GEOCHECK_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        seconds(command, environment)  # creates, migrates and seeds the store: not timed
        bare: list[float] = []
        cli: list[float] = []
        for _ in range(args.runs):
            bare.append(seconds(BASELINE, environment))
            cli.append(seconds(command, environment))
    base, ours = statistics.median(bare), statistics.median(cli)
    print(f"{' '.join(['python', *BASELINE[1:]])!s:<60} " + " ".join(f"{t:.3f}" for t in bare))
    print(f"{' '.join(['geocheck', *QUESTION]):<60} " + " ".join(f"{t:.3f}" for t in cli))
    print(f"median baseline {base:.3f} s, geocheck {ours:.3f} s: ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
