"""The tables, in SQLAlchemy Core, for both engines. Migrations (Alembic) create and change them.

The hot table, ``events``, keeps few indexes: the unique fingerprint, the time, the source address;
the domain and URL indexes are partial (only rows that have one pay for them). A constituent's
events are found through the time index: an index on the constituent halved the ingest rate of
scan reports, where most rows belong to a constituent (measured with bench/ingest.py).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    text,
)

metadata = MetaData()

# SQLite gives INTEGER PRIMARY KEY the rowid (insert order); PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", LargeBinary(16), nullable=False),
    Column(
        "rank", BigInteger, nullable=False
    ),  # of two events with one fingerprint, the lower stays
    Column("event_time", BigInteger, nullable=False),
    Column("source_ip", LargeBinary(16)),
    Column("source_asn", BigInteger),
    Column("source_fqdn", Text),
    Column("source_url", Text),
    Column("type", Text, nullable=False),
    Column("constituent", Text),
    Column("priority", SmallInteger, nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("feed", Text, nullable=False),
    Column("data", Text, nullable=False),
    Index("events_fingerprint", "fingerprint", unique=True),
    Index("events_time", "event_time"),
    Index("events_source_ip", "source_ip", "id"),  # with id: newest-first pages by address
    Index(
        "events_source_fqdn",
        "source_fqdn",
        sqlite_where=text("source_fqdn IS NOT NULL"),
        postgresql_where=text("source_fqdn IS NOT NULL"),
    ),
    Index(
        "events_source_url",
        "source_url",
        sqlite_where=text("source_url IS NOT NULL"),
        postgresql_where=text("source_url IS NOT NULL"),
    ),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", LargeBinary(16), nullable=False),
    Column("feed", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("stage", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Index("quarantine_key", "key", unique=True),
    Index("quarantine_file", "feed", "file"),
)

constituents = Table(
    "constituents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("sector", Text, nullable=False),
    Column("data", Text, nullable=False),
)

asn_ranges = Table(
    "asn_ranges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("range_start", Text, nullable=False),
    Column("range_end", Text, nullable=False),
    Column("asn", BigInteger, nullable=False),
    Column("country", Text),
    Column("as_name", Text),
)

# -- the desk: people, incidents and the audit log (migration 0002) --------------------------

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
    Index("audit_object", "object_type", "object_id"),
)

counters = Table(
    "counters",  # per-year incident numbers for references (TOC-2026-000042)
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

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
)

# -- coordinated vulnerability disclosure --

cvd_cases = Table(
    "cvd_cases",  # a vulnerability case, from its report to its advisory (migration 0008)
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", Text, nullable=False, unique=True),  # TOCSIN-VU-2026-0001
    Column("org_id", BigInteger, ForeignKey("organisations.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("tlp", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("impact", Text, nullable=False),
    Column("reporter_name", Text, nullable=False),
    Column("reporter_contact", Text, nullable=False),  # personal data: read apart, audited
    Column("credit", Text, nullable=False),  # name, anonymous, none
    Column("anonymous", Boolean, nullable=False),
    Column("cvss_vector", Text),
    Column("cwe", Text),
    Column("cwe_name", Text),
    Column("cve", Text),
    Column("embargo_at", BigInteger),  # Unix seconds, UTC
    Column("embargo_zone", Text),  # the IANA zone it was agreed in
    Column("handler_id", BigInteger, ForeignKey("users.id")),
    Column("duplicate_of", Text),
    Column("audience", Text, nullable=False),  # JSON: constituents and sectors concerned
    Column("revisions", Text, nullable=False),  # JSON: the published advisory's history
    Column("received_at", BigInteger, nullable=False),
    Column("acknowledged_at", BigInteger),
    Column("triaged_at", BigInteger),
    Column("published_at", BigInteger),
    Column("closed_at", BigInteger),
    Index("cvd_cases_state", "state", "id"),
)

cvd_vendors = Table(
    "cvd_vendors",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", BigInteger, ForeignKey("cvd_cases.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("advice", Text, nullable=False),
    Column("contacted_at", BigInteger),
    Column("acknowledged_at", BigInteger),
    Column("fixed_at", BigInteger),
    Index("cvd_vendors_case", "case_id", "name", unique=True),
)

cvd_products = Table(
    "cvd_products",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", BigInteger, ForeignKey("cvd_cases.id"), nullable=False),
    Column("vendor_id", BigInteger, ForeignKey("cvd_vendors.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("version", Text),
    Column("identifier", Text, nullable=False),  # a CPE 2.3 name or a package URL
    Column("status", Text, nullable=False),  # known_affected, fixed
    Index("cvd_products_case", "case_id", "identifier", unique=True),
)

cvd_messages = Table(
    "cvd_messages",  # the communication log
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", BigInteger, ForeignKey("cvd_cases.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("direction", Text, nullable=False),  # in, out
    Column("party", Text, nullable=False),
    Column("tlp", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Index("cvd_messages_case", "case_id", "at"),
)

# -- sharing: TAXII collections, agreements, released STIX objects --------------------------------

share_collections = Table(
    "share_collections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uuid", Text, nullable=False, unique=True),  # the TAXII collection id
    Column("alias", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
)

share_agreements = Table(
    "share_agreements",
    metadata,
    Column("org_id", BigInteger, ForeignKey("organisations.id"), primary_key=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), primary_key=True),
    Column("can_read", Boolean, nullable=False),
    Column("can_write", Boolean, nullable=False),
    Column("max_tlp", SmallInteger, nullable=False),
    Column("approval", Boolean, nullable=False),
    Column("updated", BigInteger, nullable=False),
)

share_objects = Table(
    "share_objects",  # one row per version of a STIX object in a collection, for one audience
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), nullable=False),
    # microseconds since the epoch, unique and increasing within a collection: the page cursor
    Column("date_added", BigInteger, nullable=False),
    Column("object_id", Text, nullable=False),
    # modified, else created, in microseconds since the epoch; 0 for objects with neither (SCOs)
    Column("version", BigInteger, nullable=False),
    Column("type", Text, nullable=False),
    Column("spec_version", Text, nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("audience", BigInteger, nullable=False),  # 0: every partner allowed; else one org
    Column("is_first", Boolean, nullable=False),
    Column("is_last", Boolean, nullable=False),
    Column("release_id", BigInteger),
    Column("source_org", BigInteger),  # the partner that wrote it over TAXII
    Column("data", Text, nullable=False),  # the object's JSON, served as stored
    Index("share_objects_added", "collection_id", "date_added", unique=True),
    Index("share_objects_id", "collection_id", "object_id", "audience", "version", unique=True),
)

share_releases = Table(
    "share_releases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("collection_id", BigInteger, ForeignKey("share_collections.id"), nullable=False),
    Column("audience", BigInteger, nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("state", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("approver", Text),
    Column("decided", BigInteger),
    Column("objects", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the STIX objects, as a JSON array
    Index("share_releases_state", "state", "id"),
)

share_status = Table(
    "share_status",  # TAXII status resources of POSTed envelopes, kept at least 24 hours
    metadata,
    Column("id", Text, primary_key=True),
    Column("org_id", BigInteger),
    Column("created", BigInteger, nullable=False),
    Column("data", Text, nullable=False),
)

share_pulls = Table(
    "share_pulls",  # where each TAXII pull stopped: the next pull asks for what came after
    metadata,
    Column("name", Text, primary_key=True),
    Column("last_added", Text, nullable=False),
    Column("updated", BigInteger, nullable=False),
)
