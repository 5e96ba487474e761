"""The first schema: events, quarantine, constituents, ASN ranges.

Revision ID: 0001
Revises:
"""

from alembic import op

from tocsin.store import schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (schema.events, schema.quarantine, schema.constituents, schema.asn_ranges)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
