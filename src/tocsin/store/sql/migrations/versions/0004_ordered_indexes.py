"""Indexes that hand back rows in the order pages show them: events of one address newest first,
and the queue by deadline (measured with bench/console.py on PostgreSQL).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("events_source_ip", table_name="events")
    op.create_index("events_source_ip", "events", ["source_ip", "id"], unique=False)
    op.drop_index("incidents_due", table_name="incidents")
    op.create_index("incidents_due", "incidents", ["due", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("incidents_due", table_name="incidents")
    op.create_index("incidents_due", "incidents", ["due"], unique=False)
    op.drop_index("events_source_ip", table_name="events")
    op.create_index("events_source_ip", "events", ["source_ip"], unique=False)
