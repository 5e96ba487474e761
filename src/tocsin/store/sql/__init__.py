"""The store on SQLAlchemy Core, for SQLite and PostgreSQL: one module per protocol it
implements, the tables (``schema``) and their migrations (``migrations``, Alembic)."""

from __future__ import annotations

from tocsin.store.sql.engine import engine_url
from tocsin.store.sql.store import SqlStore

__all__ = ["SqlStore", "engine_url"]
