"""HTTP throughput of one gunicorn server, started exactly as ``make run`` starts it.

Prints, in one run against the same server:
  * single-point ``POST /check-zone``: requests/s, p50 and p99 latency, and the ratio to
    ``GET /health`` (a route doing no geodesy) on the same server;
  * one 100,000-point ``/check-zone`` batch, end to end (JSON bytes in, JSON bytes out), in
    columnar and object form, with distances, and columnar verdicts only, in points/s.

Load for the single-point test comes from ``wrk`` when installed (``apt-get install
wrk``), otherwise from a multi-process keep-alive Python client (slower: the client then
limits the figures, and the ratio is the number to read).

    .venv/bin/python bench/http_api.py [--seconds S] [--connections C] [--workers W]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import requests

# The test suite's server fixture lives in the repository, not in the installed package.
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.e2e_server import running_server

SINGLE = json.dumps({"point": {"lat": 33.9, "lon": 38.2, "id": "evt-1"}}).encode()


def run_wrk(
    url: str, seconds: int, connections: int, body: bytes | None
) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write('wrk.method = "POST"\n')
            script.write(f"wrk.body = {json.dumps(body.decode())}\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    return rate, percentile("50"), percentile("99")


def _client(args: tuple[str, str, bytes | None, float]) -> list[float]:
    base, path, body, seconds = args
    parsed = urlparse(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    latencies = []
    headers = {"Content-Type": "application/json"} if body is not None else {}
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        latencies.append(time.perf_counter() - start)
    conn.close()
    return latencies


def run_python(
    base: str, path: str, seconds: int, connections: int, body: bytes | None
) -> tuple[float, float, float]:
    with multiprocessing.Pool(connections) as pool:
        results = pool.map(_client, [(base, path, body, float(seconds))] * connections)
    latencies = np.concatenate([np.array(r) for r in results]) * 1000
    return (
        latencies.size / seconds,
        float(np.percentile(latencies, 50)),
        float(np.percentile(latencies, 99)),
    )


def batch_rate(base: str, body: bytes, repeats: int) -> float:
    """Median points/s for posting ``body`` (100,000 points) and reading the whole answer."""
    session = requests.Session()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = session.post(
            f"{base}/check-zone",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=300,
        )
        response.content  # noqa: B018 - read the whole body
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"batch: HTTP {response.status_code}: {response.text[:300]}")
    return 100_000 / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(6)
    lat = rng.uniform(32.9, 34.1, 100_000).round(6).tolist()
    lon = rng.uniform(37.9, 39.4, 100_000).round(6).tolist()
    columns = json.dumps({"points": {"lat": lat, "lon": lon}}).encode()
    objects = json.dumps(
        {"points": [{"lat": a, "lon": b} for a, b in zip(lat, lon, strict=True)]}
    ).encode()
    verdicts_only = json.dumps({"points": {"lat": lat, "lon": lon}, "distances": False}).encode()
    tool = "wrk" if shutil.which("wrk") else "python keep-alive client"
    env = {"GEOCHECK_MAX_BATCH_POINTS": "100000"}
    with running_server(env, workers=args.workers) as base:
        for _ in range(2):  # warm up every worker
            requests.post(
                f"{base}/check-zone",
                data=columns,
                headers={"Content-Type": "application/json"},
                timeout=300,
            )
        if tool == "wrk":
            health = run_wrk(f"{base}/health", args.seconds, args.connections, None)
            single = run_wrk(f"{base}/check-zone", args.seconds, args.connections, SINGLE)
        else:
            health = run_python(base, "/health", args.seconds, args.connections, None)
            single = run_python(base, "/check-zone", args.seconds, args.connections, SINGLE)
        rates = {
            "columnar, with distances": batch_rate(base, columns, args.repeats),
            "object form, with distances": batch_rate(base, objects, args.repeats),
            "columnar, verdicts only": batch_rate(base, verdicts_only, args.repeats),
        }
    load = f"{tool}, {args.connections} connections, {args.seconds} s"
    print(f"one gunicorn server, {args.workers} sync workers; load: {load}")
    print(f"{'request':<40}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'× /health':>11}")
    for label, (rate, p50, p99) in (
        ("GET /health (baseline)", health),
        ("POST /check-zone, one point", single),
    ):
        print(f"{label:<40}{rate:>10,.0f}{p50:>9.2f}{p99:>9.2f}{rate / health[0]:>11.2f}")
    print(f"100,000-point /check-zone batch, JSON in to JSON out, median of {args.repeats}")
    for label, rate in rates.items():
        print(f"  {label:<38}{rate:>12,.0f} points/s")


if __name__ == "__main__":
    main()
