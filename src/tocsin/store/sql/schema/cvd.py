"""Coordinated vulnerability disclosure (migration 0008)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

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
