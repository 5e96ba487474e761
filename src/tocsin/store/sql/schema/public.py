"""What reaches the public and comes from it: reports and their reporters, notices."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

reports = Table(
    "reports",  # what the public reported through /report; the incident is the desk's side of it
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reference", Text, nullable=False, unique=True),  # R-7K3M-9QXD
    Column("code_hash", Text, nullable=False),  # SHA-256 of the private status code, never it
    Column("path", Text, nullable=False),
    Column("lang", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("answers", Text, nullable=False),  # JSON: the path's answers and the account
    Column("reporter_kind", Text, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("sector", Text),
    Column("flags", Text, nullable=False),  # child, older, disability (comma-separated)
    Column("files", Integer, nullable=False),
    Index("reports_incident", "incident_id"),
)

used_stamps = Table(
    "used_stamps",  # the portal's signed start stamps that have sent a report: one report each
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 of the stamp
    Column("expires", BigInteger, nullable=False),  # after this the stamp is refused anyway
    Index("used_stamps_expires", "expires"),
)

reporters = Table(
    "reporters",  # identity and contact, apart: read by the assignee and leads only, audited
    metadata,
    Column("report_id", BigInteger, ForeignKey("reports.id"), primary_key=True),
    Column("contact", Text, nullable=False),  # JSON: name, email, phone, victim_name, …
)

notices = Table(
    "notices",  # one message to one constituent about a batch of its events
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recipient", Text, nullable=False),  # the constituent's name
    Column("addresses", Text, nullable=False),  # comma-separated
    Column("period", Text, nullable=False),  # "2026-11-28" (a daily digest) or "now:<id>"
    Column("lang", Text, nullable=False),
    Column("priority", Text, nullable=False),  # the most urgent of its events
    Column("created", BigInteger, nullable=False),
    Column("status", Text, nullable=False),  # pending, sent, deferred, failed, bounced
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", BigInteger),
    Column("last_error", Text, nullable=False),
    Column("sent_at", BigInteger),
    Column("message_id", Text),
    Column("ack_hash", Text, nullable=False),  # SHA-256 of the acknowledgement token
    Column("acknowledged_at", BigInteger),
    Column("reminded_at", BigInteger),
    Column("events", Integer, nullable=False),
    Column("document", Text),  # an advisory's JSON (CSAF), for notices that carry one
    Index("notices_due", "status", "next_attempt"),
    Index("notices_recipient", "recipient", "created"),
)

notice_events = Table(
    "notice_events",  # which events went to whom: one row per recipient and event, ever
    metadata,
    Column("recipient", Text, primary_key=True),
    Column("event_id", BigInteger, ForeignKey("events.id"), primary_key=True),
    Column("notice_id", BigInteger, ForeignKey("notices.id"), nullable=False),
    Index("notice_events_notice", "notice_id"),
    Index("notice_events_event", "event_id"),  # an incident's notices, through its events
)
