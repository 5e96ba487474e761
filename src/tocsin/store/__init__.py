"""Storage behind one interface: the protocols of ``tocsin.store.protocols``, implemented on
SQLite (default) and PostgreSQL by ``tocsin.store.sql``, with Alembic migrations.

``open_store(url)`` is the only way in; nothing outside this package writes SQL.
"""

from __future__ import annotations

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
    "open_store",
]
