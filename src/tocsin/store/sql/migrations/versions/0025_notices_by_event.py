"""Notices found by their events, so that an incident's page lists the notices its events went
out in.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("notice_events_event", "notice_events", ["event_id"])


def downgrade() -> None:
    op.drop_index("notice_events_event", table_name="notice_events")
