"""The desk: people, incidents and their parts, the audit log (migration 0002 on)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
)

from tocsin.store.sql.schema.meta import Id, metadata

organisations = Table(
    "organisations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("org_id", BigInteger, ForeignKey("organisations.id"), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),
    Column("totp_last_step", BigInteger),
    Column("created", BigInteger, nullable=False),
    # Raised to end every session of the user (migration 0012): a session carries the epoch it
    # began in and is refused once the user's differs.
    Column("session_epoch", BigInteger, nullable=False, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("digest", Text, nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False),
)

saved_views = Table(
    "saved_views",  # a person's named views of the queue: its query string
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("user_id", "name", name="saved_views_name"),
)

ended_sessions = Table(
    "ended_sessions",  # sessions logged out before their cookie expired: refused from then on
    metadata,
    Column("sid", Text, primary_key=True),
    Column("ended_at", BigInteger, nullable=False),
    Index("ended_sessions_at", "ended_at"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reference", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("tlp", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("org_id", BigInteger, ForeignKey("organisations.id"), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("constituent", Text),
    Column("sector", Text),
    Column("assignee_id", BigInteger, ForeignKey("users.id")),
    Column("acknowledged_at", BigInteger),
    Column("resolved_at", BigInteger),
    Column("closed_at", BigInteger),
    Column("waiting_since", BigInteger),
    Column("waited", BigInteger, nullable=False),
    Column("breached", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("group_key", Text),  # aggregation: rule + constituent + type + window
    Column("merged_into", BigInteger),
    Column("details", Text, nullable=False),
    Column("due", BigInteger),  # when the next SLA clock runs out; NULL when none runs
    Index("incidents_status", "status"),
    Index("incidents_due", "due", "id"),
    Index("incidents_assignee", "assignee_id"),
    Index("incidents_group", "group_key"),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), primary_key=True),
    Column("event_id", BigInteger, primary_key=True),
    Index("incident_events_event", "event_id"),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("value", Text, nullable=False),
    Index("indicators_value", "kind", "value"),
    Index("indicators_incident", "incident_id"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("created_by", Text, nullable=False),
    Index("tasks_incident", "incident_id"),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),  # note, status, assign, sla, evidence, task, link, …
    Column("text", Text, nullable=False),
    Index("timeline_incident", "incident_id", "at"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("sha256", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", BigInteger, nullable=False),
    Index("evidence_incident", "incident_id"),
)

custody = Table(
    "custody",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("evidence_id", BigInteger, ForeignKey("evidence.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Index("custody_evidence", "evidence_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("object_type", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    # 1: plain SHA-256 (entries written before the audit key, migration 0013); 2: HMAC-SHA256
    Column("version", SmallInteger, nullable=False, server_default="1"),
    Index("audit_object", "object_type", "object_id"),
)

counters = Table(
    "counters",  # per-year incident numbers for references (TOC-2026-000042)
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)
