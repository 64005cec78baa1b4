"""A minute of mixed traffic at a fixed rate against ``make run`` (2 workers), with locust.

Starts the service exactly as ``make run`` does, on a throw-away SQLite store (or
``--database URL``) with a write token, and runs locust headless (``bench/locustfile.py``):
single checks, distances, 10,000-point batches, reads of ``/features`` and of OGC item
pages, POSTs and PATCHes of features. Prints, per route, requests, throughput, p50/p99 and
errors; then reads every acknowledged write back (each feature's current name and its
history) and counts lost writes; and the memory (RSS) of each worker before and after.
The bar: 0 errors, 0 lost writes, RSS flat. locust comes with the ``bench`` extra
(``pip install -e '.[bench]'``).

    .venv/bin/python bench/load.py [--seconds 60] [--users 20] [--user-rate 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

# The test suite's server fixture lives in the repository, not in the installed package.
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.e2e_server import REPO, ServiceProcess, service

TOKEN = "load-bench-secret"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def worker_pids(server: ServiceProcess) -> list[int]:
    """The server's worker processes: granian processes whose parent is granian's main
    process (under make and its shell)."""
    assert server.process is not None

    def granian(pid: int) -> bool:
        return b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes()

    workers, queue = [], [server.process.pid]
    while queue:
        pid = queue.pop()
        for child in _children(pid):
            queue.append(child)
            if granian(pid) and granian(child):
                workers.append(child)
    return sorted(workers)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def lost_writes(base: str, writes_file: Path) -> tuple[int, int, int]:
    """(features written, acknowledged writes, lost writes): a feature is read back with
    the name of its last acknowledged write, and its history holds a version for each."""
    acknowledged: dict[str, list[dict[str, str]]] = {}
    if writes_file.exists():
        for line in writes_file.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            acknowledged.setdefault(record["id"], []).append(record)
    lost = 0
    session = requests.Session()
    for feature_id, records in acknowledged.items():
        current = session.get(f"{base}/features/{feature_id}", timeout=60)
        history = session.get(f"{base}/features/{feature_id}/history", timeout=60)
        if current.status_code != 200 or history.status_code != 200:
            lost += len(records)
            continue
        if current.json()["properties"]["name"] != records[-1]["name"]:
            lost += 1
        names = [v["feature"]["properties"]["name"] for v in history.json()["versions"]]
        lost += sum(1 for r in records if r["name"] not in names)
    return len(acknowledged), sum(map(len, acknowledged.values())), lost


def warm_up(base: str, rounds: int) -> None:
    """Ask every kind of question the load asks, on new connections so that every worker
    answers some: the RSS measured next is a warm worker's, not a fresh one's."""
    batch = {"points": {"lat": [33.5] * 10_000, "lon": [38.5] * 10_000}}
    close = {"Connection": "close"}
    for _ in range(rounds):
        requests.post(
            f"{base}/check-zone", json={"point": {"lat": 33.9, "lon": 38.2}}, headers=close
        )
        requests.post(f"{base}/check-zone", json=batch, headers=close)
        requests.get(
            f"{base}/distance", params={"from": "33.9, 38.2", "to": "Palmyra"}, headers=close
        )
        requests.get(f"{base}/features", headers=close)
        for collection in ("sites", "zones", "routes", "borders"):
            requests.get(f"{base}/ogc/collections/{collection}/items", headers=close)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--user-rate", type=float, default=2.0, help="requests/s per user")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a throw-away SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="geocheck-load-") as folder:
        work = Path(folder)
        database = args.database or f"sqlite:///{work / 'load.sqlite'}"
        env = {"GEOCHECK_DATABASE_URL": database, "GEOCHECK_API_TOKENS": f"loader={TOKEN}"}
        with service(env, args.workers) as server:
            workers = worker_pids(server)
            warm_up(server.url, 4 * args.workers)
            before = {pid: rss_mib(pid) for pid in workers}
            writes = work / "writes.jsonl"
            command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py")]
            command += ["--headless", "--host", server.url, "--only-summary"]
            command += ["-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"]
            command += ["--csv", str(work / "stats"), "--loglevel", "WARNING"]
            environment = {
                **os.environ,
                "GEOCHECK_LOAD_TOKEN": TOKEN,
                "GEOCHECK_LOAD_WRITES": str(writes),
                "GEOCHECK_LOAD_USER_RATE": str(args.user_rate),
            }
            locust = subprocess.Popen(
                command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            samples = []  # (seconds, {pid: RSS}) every tenth of the run
            started = time.monotonic()
            while locust.poll() is None:
                time.sleep(min(1.0, args.seconds / 10))
                if time.monotonic() - started >= (len(samples) + 1) * args.seconds / 10:
                    elapsed = time.monotonic() - started
                    samples.append((elapsed, {pid: rss_mib(pid) for pid in workers}))
            after = {pid: rss_mib(pid) for pid in workers}
            features, acknowledged, lost = lost_writes(server.url, writes)
        with open(work / "stats_stats.csv", encoding="utf-8") as table:
            rows = list(csv.DictReader(table))
    rate = args.users * args.user_rate
    print(
        f"{args.seconds} s of mixed traffic, {args.users} locust users × {args.user_rate:g}"
        f" req/s (target {rate:g} req/s), {args.workers} workers, {database.split(':')[0]}"
    )
    print(f"{'route':<32}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all routes"
        print(
            f"{name:<32}{int(row['Request Count']):>9}{float(row['Requests/s']):>8.1f}"
            f"{float(row['50%']):>8.0f}{float(row['99%']):>8.0f}{int(row['Failure Count']):>8}"
        )
    print(f"writes: {acknowledged} acknowledged on {features} features, {lost} lost")
    for pid in workers:
        series = " ".join(f"{sample[pid]:.0f}" for _, sample in samples)
        print(
            f"worker {pid}: RSS {before[pid]:.0f} MiB before (warm), {after[pid]:.0f} MiB after;"
            f" every {args.seconds / 10:g} s: {series}"
        )


if __name__ == "__main__":
    main()
