"""The portal's start stamps that have sent a report, so that one stamp sends one report.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_stamps",
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("used_stamps_expires", "used_stamps", ["expires"], unique=False)


def downgrade() -> None:
    op.drop_index("used_stamps_expires", table_name="used_stamps")
    op.drop_table("used_stamps")
