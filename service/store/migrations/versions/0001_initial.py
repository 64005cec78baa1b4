"""Versioned features, changes and the write lock.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("data_version", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("written_by", sa.String(100), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
    )
    op.create_table(
        "feature_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feature_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "data_version", sa.Integer, sa.ForeignKey("changes.data_version"), nullable=False
        ),
        sa.Column("retired", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("feature_id", "version", name="uq_feature_version"),
    )
    op.create_index("ix_feature_versions_data_version", "feature_versions", ["data_version"])
    op.create_index(
        "ix_feature_versions_feature", "feature_versions", ["feature_id", "data_version"]
    )
    op.create_table(
        "write_lock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("counter", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("write_lock", sa.column("id", sa.Integer), sa.column("counter", sa.Integer)),
        [{"id": 1, "counter": 0}],
    )


def downgrade() -> None:
    op.drop_table("write_lock")
    op.drop_index("ix_feature_versions_feature", "feature_versions")
    op.drop_index("ix_feature_versions_data_version", "feature_versions")
    op.drop_table("feature_versions")
    op.drop_table("changes")
