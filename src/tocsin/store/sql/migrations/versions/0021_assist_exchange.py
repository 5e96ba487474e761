"""The exchange of requests for assistance between Tocsins: the exchange log (the outbox too)
and the nonces of the envelopes seen.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "assist_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.BigInteger, sa.ForeignKey("assist_requests.id")),
        sa.Column("counterpart_id", sa.BigInteger, sa.ForeignKey("assist_contacts.id")),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("party", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("nonce", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("delivered_at", sa.BigInteger),
    )
    op.create_index(
        "assist_messages_once",
        "assist_messages",
        ["direction", "party", "message_id"],
        unique=True,
    )
    op.create_index("assist_messages_due", "assist_messages", ["next_attempt_at"])
    op.create_index("assist_messages_request", "assist_messages", ["request_id", "id"])
    op.create_table(
        "assist_nonces",
        sa.Column("party", sa.Text, primary_key=True),
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("assist_nonces_expiry", "assist_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_index("assist_nonces_expiry", "assist_nonces")
    op.drop_table("assist_nonces")
    op.drop_index("assist_messages_request", "assist_messages")
    op.drop_index("assist_messages_due", "assist_messages")
    op.drop_index("assist_messages_once", "assist_messages")
    op.drop_table("assist_messages")
