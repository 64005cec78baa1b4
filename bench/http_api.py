"""HTTP throughput of the served app (granian, started exactly as ``make run`` starts it)
against gunicorn sync workers (the server ``make run`` used before), on the same machine.

Runs alternate between the two servers (same app, same number of workers, each on its own
throw-away SQLite store) and the medians are compared, in one run:
  * ``GET /health`` (a route doing no geodesy) and single-point ``POST /check-zone``:
    requests/s, p50 and p99 latency;
  * one 100,000-point ``/check-zone`` batch, end to end (JSON bytes in, JSON bytes out), in
    columnar and object form, with distances, and columnar verdicts only, in points/s, with
    the columnar batch with distances also as a ratio to raw ``pyproj.Geod.inv`` on the
    same points (the exact distances need at least that inverse).

Load for the small requests comes from ``wrk`` when installed (``apt-get install wrk``),
otherwise from a multi-process keep-alive Python client (slower: the client then limits
the figures, and the ratios are the numbers to read). gunicorn comes with the ``bench``
extra (``pip install -e '.[bench]'``).

    .venv/bin/python bench/http_api.py [--seconds S] [--connections C] [--workers W]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import requests
from pyproj import Geod

# The test suite's server fixture lives in the repository, not in the installed package.
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.e2e_server import REPO, free_port, running_server

SINGLE = json.dumps({"point": {"lat": 33.9, "lon": 38.2, "id": "evt-1"}}).encode()


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int) -> Iterator[str]:
    """gunicorn sync workers serving the same app, as ``make run`` did before granian."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="geocheck-bench-") as folder:
        environment = {
            **os.environ,
            **env,
            "GEOCHECK_DATABASE_URL": f"sqlite:///{folder}/gunicorn.sqlite",
        }
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "service.cli:serving_app()"]
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if requests.get(f"{base}/health", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass  # still booting
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=60)


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


def raw_inverse_rate(lat: list[float], lon: list[float], repeats: int) -> float:
    """Median points/s of raw ``pyproj.Geod.inv`` from the al-Tanf garrison to the points."""
    geod = Geod(ellps="WGS84")
    lat_a, lon_a = np.asarray(lat), np.asarray(lon)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        geod.inv(np.full(lon_a.size, 38.6178), np.full(lat_a.size, 33.5058), lon_a, lat_a)
        times.append(time.perf_counter() - start)
    return lat_a.size / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds per server")
    args = parser.parse_args()
    rng = np.random.default_rng(6)
    lat = rng.uniform(32.9, 34.1, 100_000).round(6).tolist()
    lon = rng.uniform(37.9, 39.4, 100_000).round(6).tolist()
    bodies = {
        "columnar, with distances": json.dumps({"points": {"lat": lat, "lon": lon}}).encode(),
        "object form, with distances": json.dumps(
            {"points": [{"lat": a, "lon": b} for a, b in zip(lat, lon, strict=True)]}
        ).encode(),
        "columnar, verdicts only": json.dumps(
            {"points": {"lat": lat, "lon": lon}, "distances": False}
        ).encode(),
    }
    tool = "wrk" if shutil.which("wrk") else "python keep-alive client"
    env = {"GEOCHECK_MAX_BATCH_POINTS": "100000"}
    small: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    batches: dict[str, dict[str, list[float]]] = {}
    inverse: list[float] = []
    with running_server(env, args.workers) as granian, gunicorn_server(env, args.workers) as gun:
        servers = {"granian": granian, "gunicorn sync": gun}
        for base in servers.values():
            for _ in range(2 * args.workers):  # warm up every worker
                requests.post(
                    f"{base}/check-zone",
                    data=bodies["columnar, with distances"],
                    headers={"Content-Type": "application/json"},
                    timeout=300,
                )
        for _ in range(args.repeats):
            for name, base in servers.items():
                runs = small.setdefault(name, {})
                for label, path, body in (
                    ("GET /health", "/health", None),
                    ("POST /check-zone, one point", "/check-zone", SINGLE),
                ):
                    if tool == "wrk":
                        figure = run_wrk(f"{base}{path}", args.seconds, args.connections, body)
                    else:
                        figure = run_python(base, path, args.seconds, args.connections, body)
                    runs.setdefault(label, []).append(figure)
                rates = batches.setdefault(name, {})
                for label, body in bodies.items():
                    rates.setdefault(label, []).append(batch_rate(base, body, 3))
            inverse.append(raw_inverse_rate(lat, lon, 1))
    load = f"{tool}, {args.connections} connections, {args.seconds} s"
    print(f"{args.workers} workers each; load: {load}; medians of {args.repeats} alternating runs")
    print(f"{'request':<32}{'server':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× gunicorn':>12}")
    for label in small["granian"]:
        base_rate = statistics.median(r[0] for r in small["gunicorn sync"][label])
        for name in servers:
            figures = small[name][label]
            rate = statistics.median(f[0] for f in figures)
            p50 = statistics.median(f[1] for f in figures)
            p99 = statistics.median(f[2] for f in figures)
            print(
                f"{label:<32}{name:<15}{rate:>9,.0f}{p50:>9.2f}{p99:>9.2f}{rate / base_rate:>12.2f}"
            )
    raw = statistics.median(inverse)
    print("100,000-point /check-zone batch, JSON in to JSON out (points/s; 3 posts a round)")
    print(f"  raw pyproj.Geod.inv on the same points, in-process: {raw:,.0f} points/s")
    for label in bodies:
        base_rate = statistics.median(batches["gunicorn sync"][label])
        for name in servers:
            rate = statistics.median(batches[name][label])
            extra = f"  {rate / raw:.2f}× raw inverse" if "with distances" in label else ""
            print(f"  {label:<30}{name:<15}{rate:>12,.0f}  {rate / base_rate:.2f}× gunicorn{extra}")


if __name__ == "__main__":
    main()
