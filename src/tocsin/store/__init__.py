"""Storage behind one interface: the protocols of ``tocsin.store.protocols``, implemented on
SQLite (default) and PostgreSQL by ``tocsin.store.sql``, with Alembic migrations.

``open_store(url)`` is the only way in; nothing outside this package writes SQL.
"""

from __future__ import annotations

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


def open_store(url: str) -> Store:
    """The store for a database URL (``sqlite:///PATH``, ``sqlite://`` for one in memory, or
    ``postgresql://…``), migrated."""
    from tocsin.store.sql import SqlStore

    store = SqlStore(url)
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
