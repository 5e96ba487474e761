"""Requests for assistance: the requests, their history (steps), their links to incidents, the
directory of 24/7 contacts (the current version and every version) and the personal-data ledger.

Revision ID: 0020
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _contacts()
    _requests()
    op.create_table(
        "assist_steps",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["assist_requests.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("assist_steps_request", "assist_steps", ["request_id", "at"])
    op.create_table(
        "assist_request_incidents",
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["assist_requests.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("request_id", "incident_id"),
    )
    op.create_table(
        "assist_ledger",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["assist_requests.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("assist_ledger_request", "assist_ledger", ["request_id", "at"])


def _contacts() -> None:
    op.create_table(
        "assist_contacts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("office_hours", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("assist_contacts_country", "assist_contacts", ["country", "id"])
    op.create_table(
        "assist_contact_versions",
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["assist_contacts.id"]),
        sa.PrimaryKeyConstraint("contact_id", "version"),
    )


def _requests() -> None:
    op.create_table(
        "assist_requests",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("counterpart_id", sa.BigInteger(), nullable=True),
        sa.Column("their_ref", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("elements", sa.Text(), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("safeguards", sa.Text(), nullable=False),
        sa.Column("tlp", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("retention_until", sa.BigInteger(), nullable=True),
        sa.Column("purged_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["counterpart_id"], ["assist_contacts.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["assist_requests.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["approved_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("assist_requests_state", "assist_requests", ["state", "id"])
    op.create_index("assist_requests_org", "assist_requests", ["org_id", "id"])
    op.create_index("assist_requests_parent", "assist_requests", ["parent_id"])
    op.create_index("assist_requests_retention", "assist_requests", ["retention_until"])


def downgrade() -> None:
    op.drop_index("assist_ledger_request", table_name="assist_ledger")
    op.drop_table("assist_ledger")
    op.drop_table("assist_request_incidents")
    op.drop_index("assist_steps_request", table_name="assist_steps")
    op.drop_table("assist_steps")
    for name in ("retention", "parent", "org", "state"):
        op.drop_index(f"assist_requests_{name}", table_name="assist_requests")
    op.drop_table("assist_requests")
    op.drop_table("assist_contact_versions")
    op.drop_index("assist_contacts_country", table_name="assist_contacts")
    op.drop_table("assist_contacts")
