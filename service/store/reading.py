"""Reading the store's current state cheaply: plain driver connections and trusted rows.

Every request reads the data version, and every process that answers locally (the
``geocheck`` command, say) reads the current rows once; neither needs SQLAlchemy, Alembic
or marshmallow, whose imports alone cost more than the answer. So this module imports
none of them:

* :class:`DriverReader` runs the two read queries on one plain DBAPI connection (for a
  SQLite file, one opened by :mod:`sqlite3` without SQLAlchemy at all);
* :func:`feature_from_stored` builds the domain object of a stored row without
  validating it again: every row was validated by ``schemas.feature`` when it was
  written (see :meth:`service.store.sql.SqlStore.write`), and the store is append-only.
  It gives exactly what ``feature_from_document`` gives for any valid document
  (``tests/store/test_reading.py`` checks that). The trust is in the store's own rows:
  a row changed by hand outside the service is not checked again, and a change to how
  the schemas load a stored document needs a migration that rewrites the stored rows.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.rules.model import Feature, zone_rule

#: The store's data version: the newest change.
DATA_VERSION = "SELECT max(data_version) FROM changes"
#: The newest version of every feature at a data version (``{0}`` is the parameter
#: marker), retired ones included: columns feature_id, version, retired, body.
ROWS_AT = (
    "SELECT fv.feature_id, fv.version, fv.retired, fv.body FROM feature_versions fv"
    " JOIN (SELECT feature_id, max(data_version) AS dv FROM feature_versions"
    " WHERE data_version <= {0} GROUP BY feature_id) latest"
    " ON fv.feature_id = latest.feature_id AND fv.data_version = latest.dv"
)
#: Seconds a connection attempt to a database server may take (an unreachable host must
#: not hold a request for the operating system's minutes).
CONNECT_TIMEOUT_S = 5
#: Parameter markers of the DBAPI paramstyles geocheck's drivers use.
MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def sqlite_file(url: str) -> str | None:
    """The file of a plain SQLite URL (``sqlite:///relative.db``, ``sqlite:////abs.db``),
    as SQLAlchemy would open it; None for anything else (in memory, query options,
    escapes, other databases), which is left to SQLAlchemy."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            path = url[len(prefix) :]
            if not path or path == ":memory:" or any(c in path for c in "?%#"):
                return None
            return path
    return None


class SqliteFile:
    """A SQLite file as the store's readers open it: never created by a read (a file
    moved away must fail, not be replaced by an empty database), and watched so that a
    connection to a file no longer at its path is noticed.

    An open connection keeps reading a file that was moved, deleted or replaced (and as
    root, ``chmod 000`` stops nothing), so each read first compares the path's
    ``(st_dev, st_ino)`` with the connected file's: missing raises, different reconnects.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def current(self) -> tuple[int, int]:
        """The identity of the file at the path now (raises ``FileNotFoundError``)."""
        stat = os.stat(self.path)
        return (stat.st_dev, stat.st_ino)

    def connect(self) -> sqlite3.Connection:
        identity = self.current()
        uri = "file:" + self.path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")
        connection = sqlite3.connect(
            uri + "?mode=rw", uri=True, timeout=30, check_same_thread=False
        )
        self.identity = identity
        return connection

    def changed(self) -> bool:
        """Whether the path now holds another file than the one connected to."""
        return self.current() != self.identity


class DriverReader:
    """Reads on one plain driver connection (outside any pool, each read seeing the
    latest commit), shared under a lock and reopened after any error (or when
    ``changed()`` says the connection no longer reaches the store).

    Through SQLAlchemy reading the data version costs ~70 µs; here ~2 µs.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        paramstyle: str,
        changed: Callable[[], bool] | None = None,
    ) -> None:
        self._connect = connect
        self._marker = MARKERS[paramstyle]
        self._changed = changed
        self._lock = threading.Lock()
        self._connection: Any = None

    def _fetch(self, query: str, parameters: tuple[Any, ...] = (), retry: bool = True) -> list[Any]:
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is not None and self._changed and self._changed():
                        self._close_locked()
                    if self._connection is None:
                        self._connection = self._connect()
                    cursor = self._connection.cursor()
                    try:
                        cursor.execute(query, parameters)
                        return list(cursor.fetchall())
                    finally:
                        cursor.close()
                except Exception:
                    self._close_locked()
                    if attempt == 2 or not retry:
                        raise
        raise AssertionError("unreachable")

    def data_version(self) -> int:
        return int(self._fetch(DATA_VERSION)[0][0] or 0)

    def rows_at(self, data_version: int) -> list[tuple[str, int, bool, str]]:
        """(feature_id, version, retired, body) of every feature's newest version at
        ``data_version``."""
        rows = self._fetch(ROWS_AT.format(self._marker), (data_version,))
        return [(r[0], int(r[1]), bool(r[2]), r[3]) for r in rows]

    def ready(self, revision: str) -> bool:
        """Whether the schema is at ``revision`` (as Alembic recorded it) and the store
        holds data: then there is nothing to migrate or seed. False on any error (no
        such table, say): the caller then prepares the store properly."""
        try:
            stored = self._fetch("SELECT version_num FROM alembic_version", retry=False)
            return [tuple(r) for r in stored] == [(revision,)] and bool(
                self._fetch("SELECT data_version FROM changes LIMIT 1", retry=False)
            )
        except Exception:
            return False

    def _close_locked(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        with self._lock:
            self._close_locked()


def feature_from_stored(document: dict[str, Any], version: int) -> Feature:
    """The domain object of a stored document, trusted: what
    ``service.store.seed.feature_from_document`` returns for it, without validating it
    again. Only for rows the store validated when they were written."""
    props = document["properties"]
    rule = props.get("zone")
    zone = None
    if rule is not None:
        # As the schema loads it: lengths and a {lat, lon} centre as floats.
        loaded = dict(rule)
        for key in ("radius_m", "half_width_m"):
            if loaded.get(key) is not None:
                loaded[key] = float(loaded[key])
        centre = loaded.get("centre")
        if isinstance(centre, dict):
            loaded["centre"] = {"lon": float(centre["lon"]), "lat": float(centre["lat"])}
        zone = zone_rule(loaded)
    return Feature(
        id=props["id"],
        name=props["name"],
        kind=props["kind"],
        geometry=_geometry(document.get("geometry")),
        uncertainty_m=float(props.get("uncertainty_m") or 0.0),
        aliases=tuple(props.get("aliases") or ()),
        sources=tuple(
            {
                "title": s["title"],
                "url": s.get("url"),
                "date": s.get("date"),
                "quote": s.get("quote"),
            }
            for s in props.get("sources") or ()
        ),
        valid_from=_instant(props.get("valid_from")),
        valid_to=_instant(props.get("valid_to")),
        notes=props.get("notes"),
        properties=dict(props.get("properties") or {}),
        zone=zone,
        version=version,
    )


def _geometry(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """As ``schemas.geometry.validate_geometry`` returns a valid geometry: positions as
    ``[lon, lat]`` floats (altitude dropped), members other than type and coordinates
    dropped."""
    if value is None:
        return None
    depth = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
    return {
        "type": value["type"],
        "coordinates": _positions(value["coordinates"], depth[value["type"]]),
    }


def _positions(value: Any, depth: int) -> Any:
    if depth == 0:
        return [float(value[0]), float(value[1])]
    return [_positions(item, depth - 1) for item in value]


def _instant(value: str | None) -> datetime | None:
    """As ``schemas.base.parse_instant`` reads a valid RFC 3339 date-time or date."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return parsed.astimezone(UTC)
