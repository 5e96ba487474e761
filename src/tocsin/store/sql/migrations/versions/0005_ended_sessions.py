"""Sessions ended by logging out, so that a copied cookie dies with the log-out.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_sessions",
        sa.Column("sid", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sid"),
    )
    op.create_index("ended_sessions_at", "ended_sessions", ["ended_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ended_sessions_at", table_name="ended_sessions")
    op.drop_table("ended_sessions")
