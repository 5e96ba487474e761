"""What the scheduler remembers of its jobs (migration 0019)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, Table, Text

from tocsin.store.sql.schema.meta import metadata

job_runs = Table(
    "job_runs",  # one row per scheduled job: its last run, shared by every server
    metadata,
    Column("name", Text, primary_key=True),
    Column("since", BigInteger, nullable=False),  # first seen by a scheduler
    Column("started", BigInteger),
    Column("ended", BigInteger),
    Column("succeeded", BigInteger),  # the end of the last run that succeeded
    Column("error", Text),  # the last run's error; None once a run succeeds
    Column("failures", Integer, nullable=False, server_default="0"),  # failed runs in a row
)
