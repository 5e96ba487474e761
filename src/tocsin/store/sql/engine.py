"""The SQL store's engine, chosen by the database URL, and its transactions: a ``Transaction``
handle is a SQLAlchemy connection inside, and only this package opens it.

``sqlite://`` (no path) is a store in memory: a database file on a memory file system
(``/dev/shm`` where there is one), so that the engine's connections, the writer's own connection
and the processes that send notices all open the same database, in WAL mode like any other.
The file goes when the store is closed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from tocsin.errors import ConfigError
from tocsin.store.shapes import Transaction

MEMORY_DIR = Path("/dev/shm")  # noqa: S108 - a memory file system, for in-memory stores


@dataclass(frozen=True, slots=True)
class Database:
    """Where a store's data lives: the engine, and for SQLite the file and whether this store
    made it (an in-memory store) and removes it on close."""

    url: str  # what other processes open to reach the same data
    engine: Engine
    path: str | None = None  # the SQLite file
    scratch: Path | None = None  # the directory of an in-memory store's file

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def dispose(self) -> None:
        self.engine.dispose()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def engine_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…")


def open_database(url: str) -> Database:
    full = engine_url(url)
    if not full.startswith("sqlite"):
        return Database(url, sa.create_engine(full, pool_pre_ping=True))
    path = full.split("sqlite:///", 1)[1] if "sqlite:///" in full else ""
    scratch = None
    if path in ("", ":memory:"):
        where = MEMORY_DIR if MEMORY_DIR.is_dir() else None
        scratch = Path(tempfile.mkdtemp(prefix="tocsin-store-", dir=where))
        path = str(scratch / "tocsin.db")
        url = full = f"sqlite:///{path}"
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(full, connect_args={"check_same_thread": False, "timeout": 30})
    sa.event.listen(engine, "connect", sqlite_pragmas)
    return Database(url, engine, path, scratch)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_size = 16384")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.close()


def insert_if_new(conn: Connection, table: sa.Table, **values: Any) -> bool:
    """Insert a row unless its unique key is taken (another transaction may just have made it):
    True when it was inserted. ``ON CONFLICT DO NOTHING`` rather than a savepoint: a savepoint
    opened as the first statement of a SQLite transaction would commit on its release, outside
    the caller's transaction."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    key = [c for c in table.columns if (c.unique or c.primary_key) and c.name in values]
    insert = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=key)
    # the row returned tells; the row count does not (psycopg reports -1 for a row not inserted)
    return conn.execute(insert.returning(*key)).first() is not None


def connection(tx: Transaction) -> Connection:
    """The connection behind a transaction this store opened."""
    if not isinstance(tx, Connection):
        raise TypeError(f"not a transaction of the SQL store: {type(tx).__name__}")
    return tx
