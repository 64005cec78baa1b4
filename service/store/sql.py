"""The versioned reference store on SQLite or PostgreSQL.

Every write is one transaction that appends a ``changes`` row (its id is the new
``data_version``) and one ``feature_versions`` row per feature touched; nothing is
overwritten, so every earlier state can be rebuilt and audited. Before committing, the
whole prospective reference set is validated (a zone may not name a missing site), so the
store never holds an inconsistent state.

When the database cannot be reached, :meth:`SqlStore.reading` answers from the last
reference set this process loaded, with the :class:`~service.observed.Outage`; everything
else that needs the database raises :class:`StoreUnavailableError` (a 503). After a
failure the store is tried again at most once per :data:`PROBE_INTERVAL_S`, so requests
do not each wait on a database that is down, and the first success ends the outage: no
restart needed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.observed import Outage, note_store_error
from service.rules.reference import ReferenceSet
from service.store.errors import (
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    StoreUnavailableError,
    UnknownVersionError,
)
from service.store.migrations import HEAD_REVISION
from service.store.reading import (
    CONNECT_TIMEOUT_S,
    ROWS_AT,
    DriverReader,
    SqliteFile,
    feature_from_stored,
    sqlite_file,
)

# SQLAlchemy (and, through the seed, marshmallow) are imported where they are used: a
# store already migrated and seeded is opened and read without them (see reading.py).
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

#: Seconds between attempts to reach a store that just failed (requests in between are
#: answered from the last snapshot, or refused, at once).
PROBE_INTERVAL_S = 1.0
#: What a refusal tells clients to wait (``Retry-After``), in seconds.
RETRY_AFTER_S = 5


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


class SqlStore:
    """Reference features in a SQL database, versioned.

    Parameters
    ----------
    url : str
        SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``).
    seed_dir : Path, optional
        Folder of GeoJSON loaded as data version 1 when the database is empty (default: the
        shipped ``geodata/``); read only then.

    Reads (the data version, the rows of a snapshot) go through one plain driver
    connection; writes, history and migrations through SQLAlchemy, whose engine is made on
    first use. A SQLite file already migrated and seeded is opened and read without
    importing SQLAlchemy at all.
    """

    def __init__(self, url: str, seed_dir: Path | None = None) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._lock = threading.Lock()
        self._latest: ReferenceSet | None = None
        self._history_cache: OrderedDict[int, ReferenceSet] = OrderedDict()
        #: Where reads go; None for an in-memory database (read through the engine).
        self._reader: DriverReader | None = None
        #: The outage in progress, and when (monotonic) to try the store again.
        self._outage: Outage | None = None
        self._retry_at = 0.0
        self._state_lock = threading.Lock()
        #: When (Unix time, s) the store last answered: the snapshot was current then.
        self.verified_at: float | None = None
        #: The SQLite file, watched for being moved away or replaced.
        self._file: SqliteFile | None = None
        self._engine_file: tuple[int, int] | None = None
        path = sqlite_file(url)
        if path is not None:
            path = os.path.abspath(path)  # as SQLAlchemy's SQLite dialect opens it
            self._file = SqliteFile(path)
            self._reader = DriverReader(self._file.connect, "qmark", self._file.changed)
            if Path(path).is_file() and self._reader.ready(HEAD_REVISION):
                return  # migrated and seeded: nothing to do, and no SQLAlchemy needed
        from service.store.database import prepare
        from service.store.seed import load_reference_documents

        prepare(self.engine, lambda: load_reference_documents(seed_dir))
        if self._reader is None:
            self._reader = _driver_reader(self.engine)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (writes, history, migrations)."""
        with self._engine_lock:
            if self._engine is None:
                from service.store.database import make_engine

                self._engine = make_engine(self.url)
            return self._engine

    def close(self) -> None:
        """Close every connection."""
        if self._reader is not None:
            self._reader.close()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()

    # -- reachability -------------------------------------------------------------------

    def outage(self) -> Outage | None:
        """The outage in progress (None while the store answers)."""
        return self._outage

    def held_version(self) -> int | None:
        """The data version of the newest reference set this process holds (None before
        the first)."""
        latest = self._latest
        return None if latest is None else latest.data_version

    def _gate(self) -> None:
        """Refuse at once while a failure is fresh (see :data:`PROBE_INTERVAL_S`)."""
        outage = self._outage
        if outage is not None and time.monotonic() < self._retry_at:
            raise StoreUnavailableError(outage, RETRY_AFTER_S)

    def _unavailable(self, operation: str, err: BaseException) -> StoreUnavailableError:
        """Record that ``operation`` could not reach the store; the error to raise."""
        note_store_error(operation)
        with self._state_lock:
            if self._outage is None:
                self._outage = Outage(datetime.now(UTC), _reason(err))
                log.error("store unreachable (%s): %s", operation, _detail(err))
            self._retry_at = time.monotonic() + PROBE_INTERVAL_S
            outage = self._outage
        return StoreUnavailableError(outage, RETRY_AFTER_S)

    def _reached(self) -> None:
        if self._outage is not None:
            with self._state_lock:
                if self._outage is not None:
                    log.warning("store reachable again (down since %s)", self._outage.since)
                    self._outage = None
        self.verified_at = time.time()

    def _check_file(self, operation: str) -> None:
        """Before a write or history read on a SQLite file: refuse if the file is gone,
        and drop pooled connections to a file no longer at the path (they would write to
        a file nobody reads)."""
        if self._file is None:
            return
        try:
            identity = self._file.current()
        except OSError as err:
            raise self._unavailable(operation, err) from err
        if self._engine_file is None:
            self._engine_file = identity  # the file the engine made or first opened
        elif self._engine is not None and identity != self._engine_file:
            with self._engine_lock:
                self._engine.dispose()
                self._engine_file = identity

    # -- reads --------------------------------------------------------------------------

    def data_version(self) -> int:
        """The newest data version, as committed by any process.

        Raises
        ------
        StoreUnavailableError
            When the store cannot be reached.
        """
        self._gate()
        try:
            version = self._read_data_version()
        except Exception as err:  # a constant query: any failure is the store's
            raise self._unavailable("read", err) from err
        self._reached()
        return version

    def _read_data_version(self) -> int:
        if self._reader is not None:
            return self._reader.data_version()
        from sqlalchemy import text

        from service.store.reading import DATA_VERSION

        with self.engine.connect() as conn:
            return int(conn.execute(text(DATA_VERSION)).scalar_one() or 0)

    def reading(self, data_version: int | None = None) -> tuple[ReferenceSet, Outage | None]:
        """The reference set now (or at ``data_version``) and None; while the store is
        unreachable, the one this process holds for that version, and the outage.

        Raises
        ------
        StoreUnavailableError
            When the store is unreachable and no such reference set is held.
        """
        try:
            if data_version is None:
                return self.snapshot(), None
            return self.snapshot_at(data_version), None
        except StoreUnavailableError as err:
            latest = self._latest
            if latest is not None and data_version in (None, latest.data_version):
                return latest, err.outage
            held = None if data_version is None else self._history_cache.get(data_version)
            if held is None:
                raise
            return held, err.outage

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

    @staticmethod
    def _rows_at(conn: Connection, data_version: int) -> list[tuple[str, int, bool, str]]:
        """As :meth:`DriverReader.rows_at`, on a SQLAlchemy connection."""
        from sqlalchemy import text

        rows = conn.execute(text(ROWS_AT.format(":dv")), {"dv": data_version})
        return [(r[0], int(r[1]), bool(r[2]), r[3]) for r in rows]

    def _build(self, data_version: int) -> ReferenceSet:
        try:
            if self._reader is not None:
                rows = self._reader.rows_at(data_version)
            else:
                with self.engine.connect() as conn:
                    rows = self._rows_at(conn, data_version)
        except Exception as err:  # a constant query: any failure is the store's
            raise self._unavailable("read", err) from err
        features = [
            feature_from_stored(json.loads(body), version)
            for _, version, retired, body in rows
            if not retired
        ]
        return ReferenceSet(features, data_version)

    def history(self, feature_id: str) -> list[VersionRecord]:
        """Every version of one feature, oldest first (empty if it never existed)."""
        from sqlalchemy import select
        from sqlalchemy.exc import DBAPIError

        from service.store.tables import changes, feature_versions

        query = (
            select(feature_versions, changes.c.written_by, changes.c.written_at)
            .join(changes, changes.c.data_version == feature_versions.c.data_version)
            .where(feature_versions.c.feature_id == feature_id)
            .order_by(feature_versions.c.version)
        )
        self._gate()
        self._check_file("history")
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except DBAPIError as err:
            raise self._unavailable("history", err) from err
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
        from sqlalchemy import and_, func, select

        from service.store.tables import feature_versions

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
        inconsistent, and :class:`StoreUnavailableError` when the database cannot be
        reached (nothing is written then).
        """
        from sqlalchemy.exc import DBAPIError, IntegrityError

        self._gate()
        self._check_file("write")
        try:
            return self._write(batch, written_by, summary)
        except DBAPIError as err:
            if isinstance(err, IntegrityError):
                raise  # a bug, not an outage
            raise self._unavailable("write", err) from err

    def _write(
        self, batch: list[Change], written_by: str, summary: str
    ) -> tuple[int, dict[str, int]]:
        from sqlalchemy import func, insert, select, update

        from service.store.seed import feature_from_document
        from service.store.tables import changes, feature_versions, write_lock

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
            # The state written so far was validated when written; what is new is
            # validated now (feature_from_document), and the whole checked below.
            features = {
                feature_id: feature_from_stored(json.loads(body), version)
                for feature_id, version, retired, body in self._rows_at(conn, base_version)
                if not retired
            }
            versions: dict[str, int] = {}
            for change in batch:
                version = current.get(change.feature_id, (0, True))[0] + 1
                versions[change.feature_id] = version
                if change.document is None:
                    features.pop(change.feature_id, None)
                else:
                    features[change.feature_id] = feature_from_document(change.document, version)
            prospective = ReferenceSet(features.values(), base_version + 1)  # or raises
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
        if data_version == prospective.data_version:
            # The state just committed is the one validated: hold it, so that this
            # process answers from it (even if the store fails a moment later) without
            # reading it back.
            with self._lock:
                if self._latest is None or self._latest.data_version < data_version:
                    self._latest = prospective
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
        from sqlalchemy import select

        from service.store.tables import feature_versions

        body = conn.execute(
            select(feature_versions.c.body)
            .where(feature_versions.c.feature_id == feature_id)
            .order_by(feature_versions.c.version.desc())
            .limit(1)
        ).scalar_one()
        return dict(json.loads(body))


def _driver_reader(engine: Engine) -> DriverReader | None:
    """Reads on a plain driver connection to the engine's database, in autocommit mode so
    that each sees the latest commit. None for SQLite the engine opens in its own way (in
    memory, the database exists only in the pool's one connection)."""
    dialect = engine.dialect
    if dialect.name == "sqlite":
        return None

    def connect() -> Any:
        cargs, cparams = dialect.create_connect_args(engine.url)
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        connection.autocommit = True
        return connection

    return DriverReader(connect, dialect.loaded_dbapi.paramstyle)


def _reason(err: BaseException) -> str:
    """Why the store failed, as clients are told: the kind of error only (the message
    names hosts, ports or files; it goes to the log)."""
    cause = getattr(err, "orig", None) or err
    if isinstance(cause, OSError) and cause.strerror:
        return f"{type(cause).__name__}: {cause.strerror}"
    return f"{type(cause).__name__} from the database driver"


def _detail(err: BaseException) -> str:
    """The first line of the error's message, for the log."""
    lines = str(err).strip().splitlines()
    return lines[0][:300] if lines else type(err).__name__


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
