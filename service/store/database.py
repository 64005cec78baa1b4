"""Engines, migrations and first-start seeding.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL`` so that a commit
is on disk before it is acknowledged; PostgreSQL is used as configured. Migrations run at
start-up under a lock, so several workers starting at once migrate and seed exactly once.
A store already at the newest revision and seeded is opened without the lock and without
importing Alembic: one query for the revision, one for a first change.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from service.store.migrations import HEAD_REVISION
from service.store.reading import CONNECT_TIMEOUT_S
from service.store.tables import changes, feature_versions

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Arbitrary key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK_KEY = 73_015_503


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        memory = not path or path == ":memory:"
        if path and not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # An in-memory database lives in one connection: share it.
        extra: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **extra
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # durable commits, even in WAL mode
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args
    )


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        database = make_url(str(engine.url)).database or ""
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.migrate.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            conn.commit()


def stored_revision(conn: Connection) -> str | None:
    """The schema revision Alembic recorded in the database (None before the first
    migration), read with SQLAlchemy alone."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return revisions[0] if len(revisions) == 1 else None


def _seeded(conn: Connection) -> bool:
    return conn.execute(select(changes.c.data_version).limit(1)).first() is not None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command  # only here: most starts find the schema current
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def prepare(engine: Engine, seed: Callable[[], list[dict[str, Any]]]) -> None:
    """Migrate, then, on first start only, load ``seed()`` (validated GeoJSON features)
    as data version 1. Safe to call from several processes at once.

    A store at :data:`HEAD_REVISION` with data needs neither, and is left alone without
    taking the lock; otherwise both steps run under the lock, each only if still needed.
    """
    with engine.connect() as conn:
        if stored_revision(conn) == HEAD_REVISION and _seeded(conn):
            return
    with _migration_lock(engine):
        with engine.connect() as conn:
            current = stored_revision(conn) == HEAD_REVISION
        if not current:
            migrate(engine)
        with engine.begin() as conn:
            if _seeded(conn):
                return
            documents = seed()
            result = conn.execute(
                insert(changes).values(
                    written_by="seed",
                    written_at=datetime.now(UTC),
                    summary=f"seeded {len(documents)} features from the reference set",
                )
            )
            version = result.inserted_primary_key[0] if result.inserted_primary_key else 1
            if documents:
                conn.execute(
                    insert(feature_versions),
                    [
                        {
                            "feature_id": body["properties"]["id"],
                            "version": 1,
                            "data_version": version,
                            "retired": False,
                            "body": json.dumps(body, ensure_ascii=False),
                        }
                        for body in documents
                    ],
                )
