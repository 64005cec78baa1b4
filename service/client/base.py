"""The questions every client asks, whatever answers them."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class GeocheckError(Exception):
    """A refusal (4xx) or failure (5xx); ``problem`` is the RFC 9457 body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        detail = problem.get("detail") or problem.get("title") or f"HTTP {status}"
        super().__init__(detail)
        self.status = status
        self.problem = problem


def options(base: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``base`` with every optional member that is not None."""
    return {**base, **{k: v for k, v in optional.items() if v is not None}}


def columns_body(
    lat: npt.ArrayLike, lon: npt.ArrayLike, accuracy_m: npt.ArrayLike | None, ids: list[Any] | None
) -> dict[str, Any]:
    """Columns of points as a request carries them: lists of numbers (``accuracy_m`` may
    be one number for every point)."""
    lat_list = np.asarray(lat, dtype=np.float64).ravel().tolist()
    columns: dict[str, Any] = {
        "lat": lat_list,
        "lon": np.asarray(lon, dtype=np.float64).ravel().tolist(),
    }
    if accuracy_m is not None:
        accuracy = np.asarray(accuracy_m, dtype=np.float64).ravel()
        if accuracy.size == 1:
            accuracy = np.full(len(lat_list), accuracy[0])
        columns["accuracy_m"] = accuracy.tolist()
    if ids is not None:
        columns["id"] = list(ids)
    return columns


def check_columns_body(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    accuracy_m: npt.ArrayLike | None,
    ids: list[Any] | None,
    zones: list[str] | None,
    distances: bool,
) -> dict[str, Any]:
    """The ``/check-zone`` body of a columnar question."""
    body = {"points": columns_body(lat, lon, accuracy_m, ids), "distances": distances}
    return options(body, zones=zones)


class Snapshot:
    """Column questions asked at one data version and one instant (made by
    :meth:`Geocheck.snapshot`)."""

    #: Whether calls may run in several threads at once.
    parallel = False

    def __init__(self, data_version: int | None, at: str | None) -> None:
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
        body = check_columns_body(lat, lon, accuracy_m, ids, zones, distances)
        return self._ask("/check-zone", body)

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
        body = {"from": columns_body(lat, lon, accuracy_m, ids), "to": to}
        return self._ask("/distance", options(body, units=units))

    def _ask(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class Geocheck:
    """The questions geocheck answers; subclasses say where the answers come from.

    Every method takes and returns the API's JSON structures (points in any accepted
    form; ``at`` as RFC 3339 text; ``data_version`` to answer as the store stood then) and
    raises :class:`GeocheckError` with the API's problem when a question is refused.
    """

    def check(
        self,
        points: list[Any],
        *,
        zones: list[str] | None = None,
        at: str | None = None,
        data_version: int | None = None,
    ) -> dict[str, Any]:
        """Verdicts for points in any accepted form (``/check-zone``, object form)."""
        body = options({"points": points}, zones=zones, at=at, data_version=data_version)
        return self._post("/check-zone", body)

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
        """Verdicts for columns of points (degrees; ``accuracy_m`` in metres, one value or
        one per point); the answer comes in columns too."""
        body = check_columns_body(lat, lon, accuracy_m, ids, zones, distances)
        return self._post("/check-zone", options(body, at=at, data_version=data_version))

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
        body = options({"from": origin, "to": to}, units=units, at=at, data_version=data_version)
        return self._post("/distance", body)

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
        body = {"from": columns_body(lat, lon, accuracy_m, ids), "to": to}
        return self._post("/distance", options(body, units=units, at=at, data_version=data_version))

    def nearby(
        self,
        point: str,
        radius: str | float = "100km",
        *,
        kind: str | None = None,
        units: str | None = None,
        at: str | None = None,
    ) -> dict[str, Any]:
        """Features within ``radius`` (a length such as ``"50 km"``, or metres) of a point
        string or a site, nearest first."""
        params = options({"point": point, "radius": str(radius)}, kind=kind, units=units, at=at)
        return self._get("/nearby", params)

    def destination(self, origin: Any, azimuth: Any, distance: Any) -> dict[str, Any]:
        """Where the geodesic from ``origin`` along ``azimuth`` ends after ``distance``."""
        body = {"from": origin, "azimuth": azimuth, "distance": distance}
        return self._post("/destination", body)

    def features(self, kind: str | None = None, at: str | None = None) -> dict[str, Any]:
        """Every feature in force (of one kind) as a GeoJSON FeatureCollection."""
        return self._get("/features", options({}, kind=kind, at=at))

    def feature(self, feature_id: str) -> dict[str, Any]:
        """One feature by id or alias, as GeoJSON."""
        raise NotImplementedError

    def load(self, collection: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Import a FeatureCollection, all or nothing (needs a write token remotely)."""
        raise NotImplementedError

    def snapshot(self, at: str | None = None, data_version: int | None = None) -> Snapshot:
        """One data version (default: the current one) at one instant (default: now), for
        a run of column questions that must not see a write land halfway."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Geocheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError
