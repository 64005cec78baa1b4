"""The versioned reference store on SQLite or PostgreSQL.

Every write is one transaction that appends a ``changes`` row (its id is the new
``data_version``) and one ``feature_versions`` row per feature touched; nothing is
overwritten, so every earlier state can be rebuilt and audited. Before committing, the
whole prospective reference set is validated (a zone may not name a missing site), so the
store never holds an inconsistent state.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from service.rules.reference import ReferenceSet
from service.store.database import make_engine, prepare
from service.store.seed import feature_from_document, load_reference_documents
from service.store.tables import changes, feature_versions, write_lock


class StoreError(Exception):
    """A write the store refuses; ``status`` is the HTTP status that fits."""

    status = 409

    def __init__(self, message: str, field: str = "id") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(StoreError):
    status = 404


class ConflictError(StoreError):
    status = 409


class PreconditionFailedError(StoreError):
    status = 412


class UnknownVersionError(StoreError):
    status = 422


@dataclass(frozen=True)
class Change:
    """One feature to write: ``document`` (validated, storable) or ``None`` to retire it.

    ``mode`` is ``"create"`` (must not exist), ``"replace"`` (must exist) or ``"upsert"``.
    ``expected_version``, when set, must be the feature's current version (If-Match).
    """

    feature_id: str
    document: dict[str, Any] | None
    mode: str = "replace"
    expected_version: int | None = None


@dataclass(frozen=True)
class VersionRecord:
    feature_id: str
    version: int
    data_version: int
    retired: bool
    written_by: str
    written_at: datetime
    document: dict[str, Any]


class VersionProbe:
    """Reads the store's data version on every request, cheaply.

    Every request must see a write made a moment ago by any process, so the version is
    read from the database each time; through SQLAlchemy that costs ~70 µs, on a plain
    driver connection ~2 µs. This keeps one such connection (outside the pool, in
    autocommit mode so each read sees the latest commit), shared under a lock and
    reopened after any error.
    """

    QUERY = "SELECT max(data_version) FROM changes"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None
        database = engine.url.database
        # An in-memory SQLite database exists only in the pool's one connection.
        self._pooled_only = engine.dialect.name == "sqlite" and database in (None, "", ":memory:")

    def _connect(self) -> Any:
        dialect = self.engine.dialect
        cargs, cparams = dialect.create_connect_args(self.engine.url)
        connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        if self.engine.dialect.name != "sqlite":
            connection.autocommit = True
        return connection

    def read(self) -> int:
        if self._pooled_only:
            with self.engine.connect() as conn:
                return int(conn.execute(select(func.max(changes.c.data_version))).scalar_one() or 0)
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is None:
                        self._connection = self._connect()
                    cursor = self._connection.cursor()
                    try:
                        cursor.execute(self.QUERY)
                        row = cursor.fetchone()
                    finally:
                        cursor.close()
                    return int(row[0] or 0)
                except Exception:
                    self.close_locked()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def close_locked(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        with self._lock:
            self.close_locked()


def etag(feature_id: str, version: int, data_version: int) -> str:
    """Strong entity tag of a feature as served: its own version (what ``If-Match``
    compares) and the store's data version (a zone's served shape also changes when the
    site it follows moves, so caches must see a new tag then too)."""
    return f'"{feature_id}.{version}.{data_version}"'


class SqlStore:
    """Reference features in a SQL database, versioned.

    Parameters
    ----------
    url : str
        SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``).
    seed_dir : Path, optional
        Folder of GeoJSON loaded as data version 1 when the database is empty (default: the
        shipped ``geodata/``); read only then.
    """

    def __init__(self, url: str, seed_dir: Path | None = None) -> None:
        self.engine = make_engine(url)
        prepare(self.engine, lambda: load_reference_documents(seed_dir))
        self._lock = threading.Lock()
        self._latest: ReferenceSet | None = None
        self._history_cache: OrderedDict[int, ReferenceSet] = OrderedDict()
        self._probe = VersionProbe(self.engine)

    def close(self) -> None:
        """Close every connection."""
        self._probe.close()
        self.engine.dispose()

    # -- reads --------------------------------------------------------------------------

    def data_version(self) -> int:
        """The newest data version, as committed by any process."""
        return self._probe.read()

    def snapshot(self) -> ReferenceSet:
        """The reference set as it stands now (rebuilt only when another write landed,
        in this process or any other)."""
        version = self.data_version()
        latest = self._latest
        if latest is not None and latest.data_version == version:
            return latest
        with self._lock:
            if self._latest is None or self._latest.data_version != version:
                self._latest = self._build(version)
            return self._latest

    def snapshot_at(self, data_version: int) -> ReferenceSet:
        """The reference set as the store stood at ``data_version`` (for audits)."""
        current = self.data_version()
        if not 1 <= data_version <= current:
            raise UnknownVersionError(
                f"data_version {data_version} does not exist (the store is at {current})",
                "data_version",
            )
        if data_version == current:
            return self.snapshot()
        with self._lock:
            cached = self._history_cache.get(data_version)
            if cached is None:
                cached = self._build(data_version)
                self._history_cache[data_version] = cached
                while len(self._history_cache) > 8:
                    self._history_cache.popitem(last=False)
            return cached

    def _rows_at(self, conn: Connection, data_version: int) -> list[Any]:
        latest = (
            select(
                feature_versions.c.feature_id,
                func.max(feature_versions.c.data_version).label("dv"),
            )
            .where(feature_versions.c.data_version <= data_version)
            .group_by(feature_versions.c.feature_id)
            .subquery()
        )
        query = select(feature_versions).join(
            latest,
            and_(
                feature_versions.c.feature_id == latest.c.feature_id,
                feature_versions.c.data_version == latest.c.dv,
            ),
        )
        return list(conn.execute(query))

    def _build(self, data_version: int) -> ReferenceSet:
        with self.engine.connect() as conn:
            rows = self._rows_at(conn, data_version)
        features = [
            feature_from_document(json.loads(row.body), row.version)
            for row in rows
            if not row.retired
        ]
        return ReferenceSet(features, data_version)

    def history(self, feature_id: str) -> list[VersionRecord]:
        """Every version of one feature, oldest first (empty if it never existed)."""
        query = (
            select(feature_versions, changes.c.written_by, changes.c.written_at)
            .join(changes, changes.c.data_version == feature_versions.c.data_version)
            .where(feature_versions.c.feature_id == feature_id)
            .order_by(feature_versions.c.version)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            VersionRecord(
                row.feature_id,
                row.version,
                row.data_version,
                row.retired,
                row.written_by,
                _aware(row.written_at),
                json.loads(row.body),
            )
            for row in rows
        ]

    @staticmethod
    def _current_versions(conn: Connection, feature_ids: list[str]) -> dict[str, tuple[int, bool]]:
        if not feature_ids:
            return {}
        latest = (
            select(feature_versions.c.feature_id, func.max(feature_versions.c.version).label("v"))
            .where(feature_versions.c.feature_id.in_(feature_ids))
            .group_by(feature_versions.c.feature_id)
            .subquery()
        )
        query = select(
            feature_versions.c.feature_id, feature_versions.c.version, feature_versions.c.retired
        ).join(
            latest,
            and_(
                feature_versions.c.feature_id == latest.c.feature_id,
                feature_versions.c.version == latest.c.v,
            ),
        )
        return {row.feature_id: (row.version, row.retired) for row in conn.execute(query)}

    # -- writes -------------------------------------------------------------------------

    def write(
        self, batch: list[Change], written_by: str, summary: str
    ) -> tuple[int, dict[str, int]]:
        """Apply every change in one transaction, or none.

        Returns the new data version and the new version of each feature written.
        Raises :class:`StoreError` subclasses, or
        :class:`~service.rules.reference.ReferenceDataError` if the result would be
        inconsistent.
        """
        ids = [c.feature_id for c in batch]
        if len(set(ids)) != len(ids):
            raise ConflictError("the same feature id appears twice in one write")
        with self.engine.begin() as conn:
            # First statement: take the write lock (serialises writers everywhere).
            conn.execute(update(write_lock).values(counter=write_lock.c.counter + 1))
            current = self._current_versions(conn, ids)
            for change in batch:
                self._check(change, current.get(change.feature_id))
            base_version = int(
                conn.execute(select(func.max(changes.c.data_version))).scalar_one() or 0
            )
            features = {
                f.id: f
                for f in (
                    feature_from_document(json.loads(row.body), row.version)
                    for row in self._rows_at(conn, base_version)
                    if not row.retired
                )
            }
            versions: dict[str, int] = {}
            for change in batch:
                version = current.get(change.feature_id, (0, True))[0] + 1
                versions[change.feature_id] = version
                if change.document is None:
                    features.pop(change.feature_id, None)
                else:
                    features[change.feature_id] = feature_from_document(change.document, version)
            ReferenceSet(features.values(), base_version + 1)  # raises if inconsistent
            result = conn.execute(
                insert(changes).values(
                    written_by=written_by, written_at=datetime.now(UTC), summary=summary[:500]
                )
            )
            data_version = int(result.inserted_primary_key[0])  # type: ignore[index]
            conn.execute(
                insert(feature_versions),
                [
                    {
                        "feature_id": change.feature_id,
                        "version": versions[change.feature_id],
                        "data_version": data_version,
                        "retired": change.document is None,
                        "body": json.dumps(
                            change.document
                            if change.document is not None
                            else self._last_document(conn, change.feature_id),
                            ensure_ascii=False,
                        ),
                    }
                    for change in batch
                ],
            )
        return data_version, versions

    @staticmethod
    def _check(change: Change, state: tuple[int, bool] | None) -> None:
        exists = state is not None and not state[1]
        if change.mode == "create" and exists:
            raise ConflictError(
                f"a feature {change.feature_id!r} already exists; use PUT to change it"
            )
        if change.mode == "replace" and not exists:
            raise NotFoundError(f"no feature {change.feature_id!r} to change")
        if change.expected_version is not None:
            current = state[0] if exists and state else None
            if current != change.expected_version:
                raise PreconditionFailedError(
                    f"{change.feature_id!r} has changed since you read it "
                    f"(now version {current}); fetch it again and retry",
                    "If-Match",
                )

    @staticmethod
    def _last_document(conn: Connection, feature_id: str) -> dict[str, Any]:
        body = conn.execute(
            select(feature_versions.c.body)
            .where(feature_versions.c.feature_id == feature_id)
            .order_by(feature_versions.c.version.desc())
            .limit(1)
        ).scalar_one()
        return dict(json.loads(body))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
