"""Storage behind one interface: SQLite (default) and PostgreSQL, with Alembic migrations.

``open_store(url)`` is the only way in; nothing outside this package writes SQL.
"""

from __future__ import annotations

from tocsin.store.base import EventFilter, EventPage, QuarantineEntry, Store
from tocsin.store.shapes import Transaction


def open_store(url: str) -> Store:
    """The store for a database URL (``sqlite:///PATH`` or ``postgresql://…``), migrated."""
    from tocsin.store.sql import SqlStore

    store = SqlStore(url)
    store.migrate()
    return store


__all__ = ["EventFilter", "EventPage", "QuarantineEntry", "Store", "Transaction", "open_store"]
