"""Every index of ``events`` begins with time, so that ingest stays flat as the store grows
(docs/benchmarks.md §1.5): the dedupe key becomes the start of the event's dedupe window and its
fingerprint, and the lookups by address, domain and URL are kept by day. ``event_days`` lists
the days that hold events.

The window of the events stored before is not recorded: their window's start is computed with
the desk's dedupe window (``TOCSIN_DEDUPE_WINDOW`` in the environment, one day by default).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

from tocsin.model.event import DEFAULT_WINDOW

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

DAY = 86_400


def _window() -> int:
    """The desk's dedupe window: ``TOCSIN_DEDUPE_WINDOW`` in the environment, else the default
    (a window set only in the settings file is to be set in the environment for the upgrade)."""
    value = os.environ.get("TOCSIN_DEDUPE_WINDOW", "").strip()
    return int(value) if value.isdigit() else DEFAULT_WINDOW


def upgrade() -> None:
    window = _window()
    op.add_column(
        "events", sa.Column("window_start", sa.BigInteger, nullable=False, server_default="0")
    )
    op.add_column("events", sa.Column("day", sa.Integer, nullable=False, server_default="0"))
    conn = op.get_bind()
    start = "event_time / :w * :w" if window > 0 else "0"
    conn.execute(
        sa.text(f"UPDATE events SET window_start = {start}, day = event_time / :day"),  # noqa: S608 - a constant
        {"w": window, "day": DAY},
    )
    if conn.dialect.name == "postgresql":  # SQLite would copy the whole table to drop them
        op.alter_column("events", "window_start", server_default=None)
        op.alter_column("events", "day", server_default=None)
    op.drop_index("events_fingerprint", table_name="events")
    op.drop_index("events_source_ip", table_name="events")
    op.drop_index("events_source_fqdn", table_name="events")
    op.drop_index("events_source_url", table_name="events")
    op.create_index(
        "events_window_fingerprint", "events", ["window_start", "fingerprint"], unique=True
    )
    op.create_index("events_day_source_ip", "events", ["day", "source_ip", "id"])
    op.create_index(
        "events_day_source_fqdn",
        "events",
        ["day", "source_fqdn"],
        sqlite_where=sa.text("source_fqdn IS NOT NULL"),
        postgresql_where=sa.text("source_fqdn IS NOT NULL"),
    )
    op.create_index(
        "events_day_source_url",
        "events",
        ["day", "source_url"],
        sqlite_where=sa.text("source_url IS NOT NULL"),
        postgresql_where=sa.text("source_url IS NOT NULL"),
    )
    op.create_table(
        "event_days", sa.Column("day", sa.Integer, primary_key=True, autoincrement=False)
    )
    conn.execute(sa.text("INSERT INTO event_days (day) SELECT DISTINCT day FROM events"))


def downgrade() -> None:
    op.drop_table("event_days")
    op.drop_index("events_day_source_url", table_name="events")
    op.drop_index("events_day_source_fqdn", table_name="events")
    op.drop_index("events_day_source_ip", table_name="events")
    op.drop_index("events_window_fingerprint", table_name="events")
    op.create_index("events_fingerprint", "events", ["fingerprint"], unique=True)
    op.create_index("events_source_ip", "events", ["source_ip", "id"])
    op.create_index(
        "events_source_fqdn",
        "events",
        ["source_fqdn"],
        sqlite_where=sa.text("source_fqdn IS NOT NULL"),
        postgresql_where=sa.text("source_fqdn IS NOT NULL"),
    )
    op.create_index(
        "events_source_url",
        "events",
        ["source_url"],
        sqlite_where=sa.text("source_url IS NOT NULL"),
        postgresql_where=sa.text("source_url IS NOT NULL"),
    )
    with op.batch_alter_table("events") as batch:
        batch.drop_column("day")
        batch.drop_column("window_start")
