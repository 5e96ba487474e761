"""Collectors: each run (of a collector, or of ``tocsin ingest`` as ``ingest:<feed>``), each
collector's state (validators, failures, when due), and each object fetched and archived
(content-addressed, with its retention kind and an index on when it was fetched, which the
retention purge reads).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "collector_runs",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("collector", sa.Text(), nullable=False),
        sa.Column("feed", sa.Text(), nullable=False),
        sa.Column("started", sa.BigInteger(), nullable=False),
        sa.Column("finished", sa.BigInteger()),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.BigInteger(), nullable=False),
        sa.Column("quarantined", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("collector_runs_collector", "collector_runs", ["collector", "id"])
    op.create_table(
        "collector_state",
        sa.Column("collector", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("last_success", sa.BigInteger()),
        sa.Column("last_attempt", sa.BigInteger()),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_due", sa.BigInteger()),
        sa.PrimaryKeyConstraint("collector"),
    )
    op.create_table(
        "collector_objects",
        sa.Column("collector", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("retention", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("collector", "sha256"),
    )
    op.create_index("collector_objects_fetched", "collector_objects", ["fetched_at"])


def downgrade() -> None:
    op.drop_index("collector_objects_fetched", table_name="collector_objects")
    op.drop_table("collector_objects")
    op.drop_table("collector_state")
    op.drop_index("collector_runs_collector", table_name="collector_runs")
    op.drop_table("collector_runs")
