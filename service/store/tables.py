"""The database schema (SQLAlchemy Core). Changed only through Alembic migrations.

Nothing is ever updated in place but the write-lock counter: every write appends one row to
``changes`` (its id is the store's ``data_version``) and one row per feature it touches to
``feature_versions``. A retired feature is a version with ``retired = true``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

changes = Table(
    "changes",
    metadata,
    Column("data_version", Integer, primary_key=True, autoincrement=True),
    Column("written_by", String(100), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("summary", String(500), nullable=False),
)

feature_versions = Table(
    "feature_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feature_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("data_version", Integer, ForeignKey("changes.data_version"), nullable=False, index=True),
    Column("retired", Boolean, nullable=False),
    #: The feature as validated GeoJSON text (``schemas.feature.FeatureSchema``).
    Column("body", Text, nullable=False),
    UniqueConstraint("feature_id", "version", name="uq_feature_version"),
    Index("ix_feature_versions_feature", "feature_id", "data_version"),
)

#: One row; every write transaction updates it first, which serialises writers on both
#: SQLite and PostgreSQL (a row lock), so concurrent writers never lose an update.
write_lock = Table(
    "write_lock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("counter", Integer, nullable=False),
)
