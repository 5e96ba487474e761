"""Requests for assistance (migration 0020): the requests, their history, their links to
incidents, the directory of 24/7 contacts and the personal-data ledger.

Times are Unix seconds (UTC), as everywhere in the store. A request's elements, identifiers and
safeguards are JSON text. The directory keeps each contact's current version in
``assist_contacts`` (its id never changes, so requests keep pointing at it) and every version,
the current one included, in ``assist_contact_versions``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

assist_contacts = Table(
    "assist_contacts",  # a 24/7 point of contact or central authority, its current version
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("country", Text, nullable=False),  # ISO 3166-1 alpha-2
    Column("authority", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("languages", Text, nullable=False),  # JSON list, the preferred first
    Column("timezone", Text, nullable=False),
    Column("office_hours", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("confirmed_at", BigInteger),
    Column("updated_at", BigInteger, nullable=False),
    Index("assist_contacts_country", "country", "id"),
)

assist_contact_versions = Table(
    "assist_contact_versions",  # every version of every contact, as JSON
    metadata,
    Column("contact_id", BigInteger, ForeignKey("assist_contacts.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("data", Text, nullable=False),
)

assist_requests = Table(
    "assist_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ref", Text, nullable=False, unique=True),  # RFA-2026-0001
    Column("direction", Text, nullable=False),
    Column("basis", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("org_id", BigInteger, ForeignKey("organisations.id"), nullable=False),
    Column("counterpart_id", BigInteger, ForeignKey("assist_contacts.id")),
    Column("their_ref", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("justification", Text, nullable=False),
    Column("elements", Text, nullable=False),  # JSON: element id → text
    Column("identifiers", Text, nullable=False),  # JSON list
    Column("safeguards", Text, nullable=False),  # JSON
    Column("tlp", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("parent_id", BigInteger, ForeignKey("assist_requests.id")),
    Column("link", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("outcome_note", Text, nullable=False),
    Column("created_by", BigInteger, ForeignKey("users.id")),
    Column("approved_by", BigInteger, ForeignKey("users.id")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger),
    Column("received_at", BigInteger),
    Column("acknowledged_at", BigInteger),
    Column("closed_at", BigInteger),
    Column("retention_until", BigInteger),  # the safeguards' limit, to find what to purge
    Column("purged_at", BigInteger),
    Index("assist_requests_state", "state", "id"),
    Index("assist_requests_org", "org_id", "id"),
    Index("assist_requests_parent", "parent_id"),
    Index("assist_requests_retention", "retention_until"),
)

assist_steps = Table(
    "assist_steps",  # a request's history: each change of state, by whom, when
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", BigInteger, ForeignKey("assist_requests.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("state", Text, nullable=False),
    Column("actor_id", BigInteger, ForeignKey("users.id")),
    Column("note", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON
    Index("assist_steps_request", "request_id", "at"),
)

assist_request_incidents = Table(
    "assist_request_incidents",
    metadata,
    Column("request_id", BigInteger, ForeignKey("assist_requests.id"), primary_key=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), primary_key=True),
)

assist_ledger = Table(
    "assist_ledger",  # the personal-data ledger of each request
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", BigInteger, ForeignKey("assist_requests.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor_id", BigInteger, ForeignKey("users.id")),
    Index("assist_ledger_request", "request_id", "at"),
)
