"""The first schema: events, quarantine, constituents, ASN ranges.

Revision ID: 0001
Revises:

Written out in full, not taken from ``schema.py``: a migration is history and must not change
when the current schema does. ``tests/integration/test_migrations.py`` checks that the migrations
and ``schema.py`` agree.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.LargeBinary(16), nullable=False),
        sa.Column("rank", sa.BigInteger, nullable=False),
        sa.Column("event_time", sa.BigInteger, nullable=False),
        sa.Column("source_ip", sa.LargeBinary(16)),
        sa.Column("source_asn", sa.BigInteger),
        sa.Column("source_fqdn", sa.Text),
        sa.Column("source_url", sa.Text),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("constituent", sa.Text),
        sa.Column("priority", sa.SmallInteger, nullable=False),
        sa.Column("tlp", sa.SmallInteger, nullable=False),
        sa.Column("feed", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("events_fingerprint", "events", ["fingerprint"], unique=True)
    op.create_index("events_time", "events", ["event_time"])
    op.create_index("events_source_ip", "events", ["source_ip"])
    for name, column in (
        ("events_source_fqdn", "source_fqdn"),
        ("events_source_url", "source_url"),
    ):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "events", [column], sqlite_where=where, postgresql_where=where)
    op.create_table(
        "quarantine",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.LargeBinary(16), nullable=False),
        sa.Column("feed", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_index("quarantine_key", "quarantine", ["key"], unique=True)
    op.create_index("quarantine_file", "quarantine", ["feed", "file"])
    op.create_table(
        "constituents",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("sector", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "asn_ranges",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("range_start", sa.Text, nullable=False),
        sa.Column("range_end", sa.Text, nullable=False),
        sa.Column("asn", sa.BigInteger, nullable=False),
        sa.Column("country", sa.Text),
        sa.Column("as_name", sa.Text),
    )


def downgrade() -> None:
    for table in ("asn_ranges", "constituents", "quarantine", "events"):
        op.drop_table(table)
