"""Events, quarantined rows, and the tables that enrich events.

The hot table, ``events``, keeps few indexes, and each begins with time, so that a new event's
entries go near the end of every index instead of at a random place (docs/benchmarks.md §1.5:
that is what keeps ingest flat as the store grows). The dedupe key is the start of the event's
dedupe window and its fingerprint; the lookups by address, domain and URL are kept by day (the
domain and URL indexes are partial: only rows that have one pay for them), and ``event_days``
lists the days that hold events, so that a lookup visits those days only. A constituent's events
are found through the time index: an index on the constituent halved the ingest rate of scan
reports, where most rows belong to a constituent (measured with bench/ingest.py).
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
    # the start of the dedupe window the fingerprint was computed in (0 when the window is 0)
    Column("window_start", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),  # event_time // 86400
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
    Index("events_window_fingerprint", "window_start", "fingerprint", unique=True),
    Index("events_observation", "observation", unique=True),
    Index("events_time", "event_time"),
    Index("events_day_source_ip", "day", "source_ip", "id"),  # id: newest first by address
    Index(
        "events_day_source_fqdn",
        "day",
        "source_fqdn",
        sqlite_where=text("source_fqdn IS NOT NULL"),
        postgresql_where=text("source_fqdn IS NOT NULL"),
    ),
    Index(
        "events_day_source_url",
        "day",
        "source_url",
        sqlite_where=text("source_url IS NOT NULL"),
        postgresql_where=text("source_url IS NOT NULL"),
    ),
)

event_days = Table(
    "event_days",
    metadata,
    Column("day", Integer, primary_key=True, autoincrement=False),
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
