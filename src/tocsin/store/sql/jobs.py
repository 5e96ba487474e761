"""The scheduler's jobs in the SQL store (``job_runs``), and the lock that lets one server at a
time run a job: PostgreSQL's advisory lock, or a file lock beside the SQLite database.

An advisory lock belongs to a database session, so every server on one PostgreSQL database sees
it, and the server ends it by dying; a ``flock`` is the same for every process that opens the
SQLite file's neighbour, and the kernel releases it when the process ends. Either way a server
that stops in the middle of a job never leaves the job locked.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from tocsin.model.jobs import JobRun
from tocsin.store.sql import schema

_J = schema.job_runs
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class SqlJobs:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def seen(self, names: Sequence[str], at: int) -> None:
        if not names:
            return
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(_J).on_conflict_do_nothing(index_elements=[_J.c.name])
        with self.engine.begin() as conn:
            conn.execute(insert, [{"name": name, "since": at} for name in names])

    def runs(self) -> dict[str, JobRun]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_J)).mappings().all()
        return {row["name"]: JobRun(**row) for row in rows}

    def started(self, name: str, at: int) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(sa.update(_J).where(_J.c.name == name).values(started=at))
            if done.rowcount == 0:
                conn.execute(sa.insert(_J).values(name=name, since=at, started=at))

    def ended(self, name: str, at: int, error: str | None) -> None:
        values: dict[str, object] = {"ended": at, "error": error}
        if error is None:
            values.update(succeeded=at, failures=0)
        else:
            values.update(failures=_J.c.failures + 1)
        with self.engine.begin() as conn:
            conn.execute(sa.update(_J).where(_J.c.name == name).values(**values))


class JobLocks:
    """The jobs' locks of one store: advisory locks on PostgreSQL, each on a connection of its
    own that is not the pool's (a job holds its lock as long as it runs, and a pool the web and
    the jobs share would run short), or lock files beside the SQLite database."""

    def __init__(self, engine: Engine, database_path: str | None) -> None:
        self.path = database_path
        self.engine = None if database_path else sa.create_engine(engine.url, poolclass=NullPool)

    def __call__(self, name: str) -> AbstractContextManager[bool]:
        if self.engine is not None:
            return advisory_lock(self.engine, name)
        assert self.path is not None
        return file_lock(self.path, name)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def lock_key(name: str) -> int:
    """A job's advisory lock key: a signed 64-bit number from its name, the same on every
    server (Python's ``hash`` differs from process to process)."""
    return int.from_bytes(
        hashlib.sha256(f"tocsin:{name}".encode()).digest()[:8], "big", signed=True
    )


@contextmanager
def advisory_lock(engine: Engine, name: str) -> Iterator[bool]:
    """PostgreSQL: True while this session holds the job's advisory lock, False when another
    does. The lock is held on a connection of its own, outside any transaction."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        key = lock_key(name)
        held = bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar())
        try:
            yield held
        finally:
            if held:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))


@contextmanager
def file_lock(database: str, name: str) -> Iterator[bool]:
    """SQLite: True while this process holds the job's lock file (beside the database, where
    every server of that database finds it), False when another open file holds it."""
    folder = Path(f"{database}.locks")
    folder.mkdir(mode=0o700, exist_ok=True)
    file = folder / f"{_SAFE.sub('_', name)}-{lock_key(name) & 0xFFFFFFFF:08x}.lock"
    fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = ["JobLocks", "SqlJobs", "advisory_lock", "file_lock", "lock_key"]
