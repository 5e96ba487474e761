"""A SQLite database copied whole while it is in use, and copied back: SQLite's online backup
API (``sqlite3.Connection.backup``), which copies a consistent snapshot page by page while
writers go on. PostgreSQL has its own tools (``pg_dump``, ``pg_restore``); these refuse it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from tocsin.errors import ConfigError
from tocsin.store.sql import schema
from tocsin.store.sql.engine import engine_url


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///PATH`` URL; None for PostgreSQL. An in-memory store
    (``sqlite://``) has nothing to copy."""
    full = engine_url(url)
    if not full.startswith("sqlite"):
        return None
    path = full.split("sqlite:///", 1)[1] if "sqlite:///" in full else ""
    if path in ("", ":memory:"):
        raise ConfigError("an in-memory store (sqlite://) has nothing to back up or restore")
    return Path(path)


def copy_database(url: str, target: Path) -> None:
    """The SQLite database of ``url``, copied to the new file ``target`` while in use."""
    source = _sqlite_only(url)
    if not source.is_file():
        raise ConfigError(f"no database at {source}")
    with _open(f"file:{source}?mode=ro") as reading, _open(str(target)) as writing:
        reading.backup(writing)


def restore_database(source: Path, url: str) -> None:
    """The database file ``source`` copied over the SQLite database of ``url`` (made if
    missing), with the same API: whoever has it open sees the restored data at once."""
    target = _sqlite_only(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _open(f"file:{source}?mode=ro") as reading, _open(str(target)) as writing:
        reading.backup(writing)


def holds_data(url: str) -> bool:
    """Whether the database of ``url`` holds a row in any of Tocsin's tables (a missing
    SQLite file holds none)."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return False
    engine = sa.create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            for table in schema.metadata.sorted_tables:
                if table.name in present:
                    query = sa.select(sa.literal(1)).select_from(table).limit(1)
                    if conn.execute(query).first() is not None:
                        return True
    finally:
        engine.dispose()
    return False


def _sqlite_only(url: str) -> Path:
    path = sqlite_file(url)
    if path is None:
        raise ConfigError("PostgreSQL is backed up with pg_dump and restored with pg_restore")
    return path


class _open:
    """A sqlite3 connection that is closed (not merely committed) at the end of a ``with``."""

    def __init__(self, where: str) -> None:
        self.connection = sqlite3.connect(where, uri=where.startswith("file:"))

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_: object) -> None:
        self.connection.close()


__all__ = ["copy_database", "holds_data", "restore_database", "sqlite_file"]
