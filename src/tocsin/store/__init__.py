"""Storage behind one interface: the protocols of ``tocsin.store.protocols``, implemented on
SQLite (default) and PostgreSQL by ``tocsin.store.sql``, with Alembic migrations.

``open_store(url)`` is the only way in; nothing outside this package writes SQL.
"""

from __future__ import annotations

from pathlib import Path

from tocsin.model.audit import AuditKeySource
from tocsin.store.base import Store
from tocsin.store.shapes import (
    EventFilter,
    EventPage,
    NewObject,
    ObjectQuery,
    QuarantineEntry,
    Reader,
    Row,
    Stored,
    Transaction,
)


def open_store(url: str, *, audit_key: AuditKeySource | None = None) -> Store:
    """The store for a database URL (``sqlite:///PATH``, ``sqlite://`` for one in memory, or
    ``postgresql://…``), migrated. ``audit_key`` seals the audit log's entries: a store opened
    without it reads the log but refuses to append to it."""
    from tocsin.store.sql import SqlStore

    store = SqlStore(url, audit_key)
    store.migrate()
    return store


def copy_database(url: str, target: Path) -> None:
    """A SQLite database copied, while in use, to the new file ``target`` (SQLite's online
    backup); a ``ConfigError`` for PostgreSQL (``pg_dump`` backs it up)."""
    from tocsin.store.sql.backup import copy_database as copy

    copy(url, target)


def restore_database(source: Path, url: str) -> None:
    """A copy made by ``copy_database`` put back as the SQLite database of ``url``."""
    from tocsin.store.sql.backup import restore_database as restore

    restore(source, url)


def holds_data(url: str) -> bool:
    """Whether the database of ``url`` holds any row of Tocsin's (a missing file: no)."""
    from tocsin.store.sql.backup import holds_data as holds

    return holds(url)


def database_file(url: str) -> Path | None:
    """The SQLite database file ``url`` names; None for PostgreSQL (a ``ConfigError`` for a
    store in memory, which has no file to copy)."""
    from tocsin.store.sql.backup import sqlite_file

    return sqlite_file(url)


__all__ = [
    "EventFilter",
    "EventPage",
    "NewObject",
    "ObjectQuery",
    "QuarantineEntry",
    "Reader",
    "Row",
    "Store",
    "Stored",
    "Transaction",
    "copy_database",
    "database_file",
    "holds_data",
    "open_store",
    "restore_database",
]
