"""Events, quarantined rows, and the tables that enrich events.

The hot table, ``events``, keeps few indexes: the unique fingerprint, the time, the source address;
the domain and URL indexes are partial (only rows that have one pay for them). A constituent's
events are found through the time index: an index on the constituent halved the ingest rate of
scan reports, where most rows belong to a constituent (measured with bench/ingest.py).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    text,
)

from tocsin.store.sql.schema.meta import Id, metadata

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", LargeBinary(16), nullable=False),
    # the observation at its exact time, whatever the dedupe window (model.event.observation_key):
    # one event per observation; NULL only for a second copy stored before it was kept. Its time
    # comes first, so that its unique index grows at its end (docs/benchmarks.md §1.5)
    Column("observation", LargeBinary(16)),
    # of two events with one fingerprint, the lower rank stays
    Column("rank", BigInteger, nullable=False),
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
    Index("events_observation", "observation", unique=True),
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
