"""Mail taken in at a report address (``mail_messages``): one row per mail by its Message-ID,
written in the transaction that opens or joins its incident, so a mail read again (after a
crash before it was moved aside) opens nothing twice.

Revision ID: 0016
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.BigInteger()),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("mailbox", "message_id"),
    )


def downgrade() -> None:
    op.drop_table("mail_messages")
