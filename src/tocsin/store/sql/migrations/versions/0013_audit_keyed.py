"""The audit log's chain version: the entries already written were chained with plain SHA-256
(version 1) and stay so; Tocsin seals every entry after them with HMAC-SHA256 under the audit key
(version 2), so the keyed chain starts right after the last entry this migration finds.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_log", sa.Column("version", sa.SmallInteger(), nullable=False, server_default="1")
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as table:
        table.drop_column("version")
