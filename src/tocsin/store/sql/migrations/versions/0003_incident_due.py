"""Incidents remember when their next SLA clock runs out, so that the queue is one indexed query.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("due", sa.BigInteger(), nullable=True))
    op.create_index("incidents_due", "incidents", ["due"], unique=False)


def downgrade() -> None:
    op.drop_index("incidents_due", table_name="incidents")
    op.drop_column("incidents", "due")
