"""Collectors: their runs, their state, the objects they archived (migration 0015)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

collector_runs = Table(
    "collector_runs",  # one row per run of a collector, or of `tocsin ingest` (ingest:<feed>)
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("collector", Text, nullable=False),
    Column("feed", Text, nullable=False),
    Column("started", BigInteger, nullable=False),
    Column("finished", BigInteger),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("objects", Integer, nullable=False),
    Column("rows", BigInteger, nullable=False),
    Column("accepted", BigInteger, nullable=False),
    Column("duplicates", BigInteger, nullable=False),
    Column("quarantined", BigInteger, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("note", Text),
    Index("collector_runs_collector", "collector", "id"),
)

collector_state = Table(
    "collector_state",
    metadata,
    Column("collector", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_success", BigInteger),
    Column("last_attempt", BigInteger),
    Column("failures", Integer, nullable=False),
    Column("next_due", BigInteger),
)

collector_objects = Table(
    "collector_objects",  # what each collector fetched, archived under data_dir/raw/ by sha256
    metadata,
    Column("collector", Text, primary_key=True),
    Column("sha256", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("fetched_at", BigInteger, nullable=False),
    Column("outcome", Text, nullable=False),  # ingested | skipped
    Column("reason", Text),
    Column("retention", Text, nullable=False),  # the retention kind: raw
    Index("collector_objects_fetched", "fetched_at"),
)
