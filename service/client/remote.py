"""Answers from a running geocheck service over HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson
import requests

from service.client.base import Geocheck, GeocheckError, Snapshot, options


class RemoteSnapshot(Snapshot):
    """Column questions sent to the server pinned at one data version and instant."""

    def __init__(self, client: RemoteGeocheck, data_version: int | None, at: str | None) -> None:
        super().__init__(data_version, at)
        self.client = client

    def _ask(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        pinned = options(body, at=self.at, data_version=self.data_version)
        return self.client._call("POST", path, json=pinned)


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

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, json=body)

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def feature(self, feature_id: str) -> dict[str, Any]:
        """One feature by id or alias, as GeoJSON."""
        return self._call("GET", f"/features/{quote(feature_id, safe='')}")

    def load(self, collection: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Import a FeatureCollection, all or nothing, with a write token."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return self._call("POST", "/features:import", json=collection, headers=headers)

    def snapshot(self, at: str | None = None, data_version: int | None = None) -> RemoteSnapshot:
        """The server's current data version (or ``data_version``) at ``at`` (default:
        now, by this machine's clock)."""
        if data_version is None:
            data_version = int(self._call("GET", "/health")["data_version"])
        if at is None:
            at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return RemoteSnapshot(self, data_version, at)

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
