"""Mail taken in at a report address, by Message-ID (migration 0016)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table, Text

from tocsin.store.sql.schema.meta import metadata

mail_messages = Table(
    "mail_messages",  # each mail a report address took in: a mail seen again opens nothing
    metadata,
    Column("mailbox", Text, primary_key=True),  # the collector's name
    Column("message_id", Text, primary_key=True),  # "<…>", or "sha256:<digest>" without one
    Column("sha256", Text, nullable=False),  # of the mail as received
    Column("received", BigInteger, nullable=False),
    Column("outcome", Text, nullable=False),  # opened | joined | failed
    Column("incident_id", BigInteger),
    Column("reason", Text),  # why it failed, or how it found its incident
)
