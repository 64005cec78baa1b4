"""geocheck from Python scripts: the same questions locally or against a server.

>>> from service.client import LocalGeocheck
>>> with LocalGeocheck() as gc:                        # no server: the local store
...     answer = gc.check(["33.9, 38.2", {"lat": 33.5, "lon": 38.6}])
...     answer["results"][1]["verdict"]
'inside'

``RemoteGeocheck("http://127.0.0.1:8000")`` asks a running service instead and returns the
same JSON structures. Both run the same application code: the local client runs the Flask
app in this process. For bulk work, :meth:`Geocheck.check_columns` and
:meth:`Geocheck.distance_columns` take columns (lists or numpy arrays of lat, lon), and
:meth:`Geocheck.snapshot` pins one data version and instant for a run of such questions
(locally it holds the reference set in memory and may be shared between threads).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
import orjson
import requests


class GeocheckError(Exception):
    """A 4xx/5xx answer; ``problem`` is the RFC 9457 body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        detail = problem.get("detail") or problem.get("title") or f"HTTP {status}"
        super().__init__(detail)
        self.status = status
        self.problem = problem


def _plain(value: Any) -> Any:
    """JSON-shaped Python values (numpy arrays become lists), as a server would send."""
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))


def _columns(
    lat: npt.ArrayLike, lon: npt.ArrayLike, accuracy_m: npt.ArrayLike | None, ids: list[Any] | None
) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "lat": np.asarray(lat, dtype=np.float64),
        "lon": np.asarray(lon, dtype=np.float64),
    }
    if accuracy_m is not None:
        columns["accuracy_m"] = np.broadcast_to(
            np.asarray(accuracy_m, dtype=np.float64), columns["lat"].shape
        )
    if ids is not None:
        columns["id"] = list(ids)
    return _plain(columns)


class Geocheck:
    """The questions geocheck answers; subclasses say where the answers come from."""

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        raise NotImplementedError

    def check(
        self,
        points: list[Any],
        *,
        zones: list[str] | None = None,
        at: str | None = None,
        data_version: int | None = None,
    ) -> dict[str, Any]:
        """Verdicts for points in any accepted form (``/check-zone``, object form)."""
        body: dict[str, Any] = {"points": points}
        return self._call(
            "POST",
            "/check-zone",
            json=_options(body, zones=zones, at=at, data_version=data_version),
        )

    def check_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        zones: list[str] | None = None,
        at: str | None = None,
        data_version: int | None = None,
        distances: bool = True,
    ) -> dict[str, Any]:
        """Verdicts for columns of points; the answer comes in columns too."""
        return self._view(at, data_version).check_columns(
            lat, lon, accuracy_m=accuracy_m, ids=ids, zones=zones, distances=distances
        )

    def distance(
        self,
        origin: Any,
        to: Any,
        *,
        units: str | None = None,
        at: str | None = None,
        data_version: int | None = None,
    ) -> dict[str, Any]:
        """Distance from one point (any form, or a site) to a feature or a point."""
        body = {"from": origin, "to": to}
        return self._call(
            "POST", "/distance", json=_options(body, units=units, at=at, data_version=data_version)
        )

    def distance_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        to: Any,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        units: str | None = None,
        at: str | None = None,
        data_version: int | None = None,
    ) -> dict[str, Any]:
        """Distances from columns of points to a feature or a point, in columns."""
        return self._view(at, data_version).distance_columns(
            lat, lon, to, accuracy_m=accuracy_m, ids=ids, units=units
        )

    def nearby(
        self,
        point: str,
        radius: str | float = "100km",
        *,
        kind: str | None = None,
        units: str | None = None,
        at: str | None = None,
    ) -> dict[str, Any]:
        params = _options({"point": point, "radius": str(radius)}, kind=kind, units=units, at=at)
        return self._call("GET", "/nearby", params=params)

    def destination(self, origin: Any, azimuth: Any, distance: Any) -> dict[str, Any]:
        return self._call(
            "POST", "/destination", json={"from": origin, "azimuth": azimuth, "distance": distance}
        )

    def features(self, kind: str | None = None, at: str | None = None) -> dict[str, Any]:
        return self._call("GET", "/features", params=_options({}, kind=kind, at=at))

    def feature(self, feature_id: str) -> dict[str, Any]:
        return self._call("GET", f"/features/{quote(feature_id, safe='')}")

    def load(self, collection: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Import a FeatureCollection, all or nothing (needs a write token remotely)."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return self._call("POST", "/features:import", json=collection, headers=headers)

    def snapshot(self, at: str | None = None, data_version: int | None = None) -> Snapshot:
        """One data version (default: the current one) at one instant (default: now), for
        a run of column questions that must not see a write land halfway."""
        probe = self.check_columns([0.0], [0.0], at=at, data_version=data_version, distances=False)
        return self._view(probe["at"], probe["data_version"])

    def _view(self, at: str | None, data_version: int | None) -> Snapshot:
        """Where column questions go: the server, asked at ``at`` and ``data_version``
        (its own defaults where None)."""
        return Snapshot(self, data_version, at)


class Snapshot:
    """Column questions asked at one data version and one instant.

    Made by :meth:`Geocheck.snapshot` (which pins both). This one asks its client's server;
    :class:`LocalSnapshot` computes in-process.
    """

    #: Whether calls may run in several threads at once (a requests session may not).
    parallel = False

    def __init__(self, client: Geocheck | None, data_version: int | None, at: str | None) -> None:
        self.client = client
        self.data_version = data_version
        self.at = at

    def check_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        zones: list[str] | None = None,
        distances: bool = True,
    ) -> dict[str, Any]:
        """As :meth:`Geocheck.check_columns` at this snapshot's version and instant."""
        body = {"points": _columns(lat, lon, accuracy_m, ids), "distances": distances}
        return self._post("/check-zone", _options(body, zones=zones))

    def distance_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        to: Any,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        units: str | None = None,
    ) -> dict[str, Any]:
        """As :meth:`Geocheck.distance_columns` at this snapshot's version and instant."""
        body = {"from": _columns(lat, lon, accuracy_m, ids), "to": to}
        return self._post("/distance", _options(body, units=units))

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        assert self.client is not None
        pinned = _options(body, at=self.at, data_version=self.data_version)
        return self.client._call("POST", path, json=pinned)


def _options(base: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {**base, **{k: v for k, v in optional.items() if v is not None}}


class RemoteGeocheck(Geocheck):
    """Answers from a running geocheck service over HTTP.

    Connection failures (not HTTP errors) are retried ``retries`` times with exponential
    back-off; every request has a ``timeout`` in seconds.
    """

    def __init__(
        self, base_url: str, *, token: str | None = None, timeout: float = 30.0, retries: int = 3
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        data = None
        if json is not None:
            data = orjson.dumps(json, option=orjson.OPT_SERIALIZE_NUMPY)
            all_headers["Content-Type"] = "application/json"
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    data=data,
                    params=params,
                    headers=all_headers,
                    timeout=self.timeout,
                )
                break
            except (requests.ConnectionError, requests.Timeout):
                if attempt == self.retries:
                    raise
                time.sleep(min(4.0, 0.25 * 2**attempt))
        body = orjson.loads(response.content) if response.content else None
        if response.status_code >= 400:
            raise GeocheckError(response.status_code, body if isinstance(body, dict) else {})
        return body

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RemoteGeocheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalGeocheck(Geocheck):
    """Answers from the local store (the same SQLite file ``make run`` serves, unless
    ``database_url`` says otherwise), computed in this process: no server needed."""

    def __init__(self, database_url: str | None = None) -> None:
        from service.api.app import create_app  # imported here: Flask only when used

        config: dict[str, Any] = {"MAX_BATCH_POINTS": 10_000_000}
        if database_url:
            config["DATABASE_URL"] = database_url
        self.app = create_app(config)
        self._client = self.app.test_client()

    @property
    def store(self) -> Any:
        return self.app.extensions["geocheck.store"]

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = orjson.dumps(json, option=orjson.OPT_SERIALIZE_NUMPY) if json is not None else None
        response = self._client.open(
            path,
            method=method,
            data=data,
            query_string=params,
            headers=headers,
            content_type="application/json" if data else None,
        )
        body = orjson.loads(response.data) if response.data else None
        if response.status_code >= 400:
            raise GeocheckError(response.status_code, body if isinstance(body, dict) else {})
        return body

    def snapshot(self, at: str | None = None, data_version: int | None = None) -> LocalSnapshot:
        """The store at ``data_version`` (default: now), answering at ``at``, in-process."""
        return self._view(at, data_version)

    def _view(self, at: str | None, data_version: int | None) -> LocalSnapshot:
        # Column questions skip the HTTP layer: computed straight on arrays.
        return LocalSnapshot(self._reference(data_version), _instant(at))

    def _reference(self, data_version: int | None) -> Any:
        if data_version is None:
            return self.store.snapshot()
        return self.store.snapshot_at(data_version)

    def load(
        self, collection: dict[str, Any], token: str | None = None, written_by: str = "local"
    ) -> dict[str, Any]:
        """Import into the local store directly (no token: the file is yours)."""
        from service.store.seed import documents_from_collection
        from service.store.sql import Change

        documents, problems = documents_from_collection(collection, "import")
        if problems:
            raise GeocheckError(
                422,
                {
                    "detail": f"{len(problems)} problem(s); nothing was written",
                    "errors": {"import": problems},
                },
            )
        batch = [Change(d["properties"]["id"], d, "upsert") for d in documents]
        version, versions = self.store.write(batch, written_by, f"load {len(batch)} features")
        return {"data_version": version, "written": versions}

    def export(self) -> dict[str, Any]:
        """Every feature in force as stored (a FeatureCollection that ``load`` accepts)."""
        from service.store.sql import SqlStore

        store: SqlStore = self.store
        reference = store.snapshot()
        documents = [store.history(f.id)[-1].document for f in reference.features()]
        return {
            "type": "FeatureCollection",
            "data_version": reference.data_version,
            "features": documents,
        }

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> LocalGeocheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalSnapshot(Snapshot):
    """A :class:`Snapshot` computed in this process from one in-memory reference set: no
    connection, no JSON, so calls may run in parallel threads (the geodesy releases the
    GIL). Columns come back as numpy arrays holding the API's values."""

    parallel = True

    def __init__(self, reference: Any, moment: Any) -> None:
        from schemas.base import format_instant

        super().__init__(None, reference.data_version, format_instant(moment))
        self.reference = reference
        self.moment = moment

    def check_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        zones: list[str] | None = None,
        distances: bool = True,
    ) -> dict[str, Any]:
        from service.answers import check_columns, zones_at

        with _refusals():
            lat_a, lon_a, acc = _arrays(lat, lon, accuracy_m)
            zone_list = zones_at(self.reference, self.moment, zones)
        point_ids = ids if ids is not None else [None] * lat_a.size
        return check_columns(
            self.reference, zone_list, lon_a, lat_a, acc, point_ids, self.moment, distances
        )

    def distance_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        to: Any,
        *,
        accuracy_m: npt.ArrayLike | None = None,
        ids: list[Any] | None = None,
        units: str | None = None,
    ) -> dict[str, Any]:
        from service.answers import distance_columns, envelope, resolve_target

        with _refusals():
            lat_a, lon_a, acc = _arrays(lat, lon, accuracy_m)
            resolved = resolve_target(self.reference, to, self.moment)
        columns, target = distance_columns(self.reference, resolved, lon_a, lat_a, acc, units)
        columns["id"] = ids if ids is not None else [None] * lat_a.size
        return {"to": target, "results": columns, **envelope(self.reference, self.moment)}


@contextmanager
def _refusals() -> Iterator[None]:
    """Refusals raised as :class:`GeocheckError` holding the problem the server would
    answer with, so local and remote callers handle one kind of error."""
    from service.problems import refusal

    try:
        yield
    except Exception as err:
        problem = refusal(err)
        if problem is None:
            raise
        raise GeocheckError(problem.status, problem.body()) from None


def _instant(at: str | None) -> Any:
    from datetime import UTC, datetime

    from schemas.base import parse_instant

    return datetime.now(UTC) if at is None else parse_instant(at)


def _arrays(
    lat: npt.ArrayLike, lon: npt.ArrayLike, accuracy_m: npt.ArrayLike | None
) -> tuple[Any, Any, Any]:
    from service.geodesy.ellipsoid import as_lonlat

    lon_a, lat_a = as_lonlat(np.ravel(lon), np.ravel(lat))
    if accuracy_m is None:
        return lat_a, lon_a, np.zeros(lat_a.size)
    accuracy = np.broadcast_to(np.asarray(accuracy_m, dtype=np.float64), lat_a.shape)
    return lat_a, lon_a, accuracy
