"""The mixed traffic of ``bench/load.py``, for locust (run headless by load.py).

Each user asks at a fixed rate (``constant_throughput``): single checks, distances, 10,000-
point columnar batches, reads of ``/features`` and of OGC item pages, and writes with a
token — POST of new sites and merge-PATCHes of the sites this user created. Every
acknowledged write is appended to ``GEOCHECK_LOAD_WRITES`` (one JSON line: feature id, the
name it was given, the version acknowledged) so that load.py can read them back afterwards.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from typing import Any

from locust import HttpUser, constant_throughput, task

TOKEN = os.environ.get("GEOCHECK_LOAD_TOKEN", "")
WRITES = os.environ.get("GEOCHECK_LOAD_WRITES", "")
RATE = float(os.environ.get("GEOCHECK_LOAD_USER_RATE", "2"))
RNG = random.Random(11)
BATCH = json.dumps(
    {
        "points": {
            "lat": [round(RNG.uniform(32.9, 34.1), 6) for _ in range(10_000)],
            "lon": [round(RNG.uniform(37.9, 39.4), 6) for _ in range(10_000)],
        }
    }
)
COLLECTIONS = ("sites", "zones", "routes", "borders")


def _acknowledged(record: dict[str, Any]) -> None:
    with open(WRITES, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


class Analyst(HttpUser):
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.mine: list[str] = []
        self.auth = {"Authorization": f"Bearer {TOKEN}"}

    def _point(self) -> dict[str, float]:
        return {"lat": round(self.rng.uniform(32.9, 34.1), 6), "lon": self.rng.uniform(37.9, 39.4)}

    @task(40)
    def single_check(self) -> None:
        self.client.post("/check-zone", json={"point": self._point()}, name="POST /check-zone (1)")

    @task(15)
    def distance(self) -> None:
        p = self._point()
        self.client.get(
            "/distance",
            params={"from": f"{p['lat']}, {p['lon']}", "to": "palmyra-damascus-highway"},
            name="GET /distance",
        )

    @task(3)
    def batch(self) -> None:
        self.client.post(
            "/check-zone",
            data=BATCH,
            headers={"Content-Type": "application/json"},
            name="POST /check-zone (10k)",
        )

    @task(12)
    def features(self) -> None:
        self.client.get("/features", name="GET /features")

    @task(12)
    def ogc_items(self) -> None:
        collection = self.rng.choice(COLLECTIONS)
        self.client.get(
            f"/ogc/collections/{collection}/items",
            params={"limit": 5},
            name="GET /ogc/collections/*/items",
        )

    @task(4)
    def create(self) -> None:
        feature_id = f"load-{uuid.uuid4().hex[:12]}"
        p = self._point()
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {"id": feature_id, "name": f"{feature_id} v1", "kind": "site"},
        }
        with self.client.post(
            "/features", json=feature, headers=self.auth, name="POST /features", catch_response=True
        ) as response:
            if response.status_code == 201:
                self.mine.append(feature_id)
                _acknowledged({"id": feature_id, "name": f"{feature_id} v1", "version": 1})

    @task(4)
    def patch(self) -> None:
        if not self.mine:
            return self.create()
        feature_id = self.rng.choice(self.mine)
        name = f"{feature_id} {uuid.uuid4().hex[:6]}"
        with self.client.patch(
            f"/features/{feature_id}",
            data=json.dumps({"properties": {"name": name}}),
            headers={**self.auth, "Content-Type": "application/merge-patch+json"},
            name="PATCH /features/*",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                _acknowledged({"id": feature_id, "name": name, "etag": response.headers["ETag"]})
        return None
