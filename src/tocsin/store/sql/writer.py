"""The hot write path: each driver used directly. SQLite: ``executemany`` inside
``BEGIN IMMEDIATE`` on one writer connection; PostgreSQL: ``COPY`` into a temporary table, then
``INSERT … ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from sqlalchemy.engine import Engine

from tocsin.store.rows import EVENT_COLUMNS, QUARANTINE_COLUMNS, EventRow, QuarantineRow
from tocsin.store.sql.engine import sqlite_pragmas


class SqliteWriter:
    """One writer connection, shared by the threads that ingest (a pull of the server's watch, a
    partner's POST in a worker thread), one at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                inserted = 0
                if rows:
                    # rowids grow by one per new row (events are never deleted), and an update on
                    # a conflict keeps its rowid: the new rows are the growth of the largest rowid
                    before = conn.execute(_SQLITE_LAST_ID).fetchone()[0]
                    conn.executemany(_SQLITE_INSERT_EVENTS, rows)
                    inserted = conn.execute(_SQLITE_LAST_ID).fetchone()[0] - before
                    conn.executemany(_SQLITE_INSERT_DAYS, [(d,) for d in {r[_DAY] for r in rows}])
                if quarantined:
                    conn.executemany(_SQLITE_INSERT_QUARANTINE, quarantined)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(inserted)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            sqlite_pragmas(conn, None)
            # the writer checkpoints the WAL every 160 MB rather than every 16 MB (measured: the
            # default spends a quarter of the ingest in checkpoints' system calls)
            conn.execute("PRAGMA wal_autocheckpoint = 10000")
            self._conn = conn
        return self._conn


class PostgresWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            assert conn is not None
            inserted = 0
            with conn.cursor() as cur:
                if rows:
                    cur.execute(
                        "CREATE TEMP TABLE IF NOT EXISTS incoming_events "
                        "(LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                    )
                    with cur.copy(_PG_COPY_EVENTS) as copy:
                        for row in rows:
                            copy.write_row(row)
                    cur.execute(_PG_MOVE_EVENTS)
                    found = cur.fetchone()
                    inserted = int(found[0]) if found else 0
                    cur.execute(_PG_INSERT_DAYS)
                if quarantined:
                    cur.executemany(_PG_INSERT_QUARANTINE, quarantined)
            conn.commit()
        except BaseException:
            raw.driver_connection.rollback()  # type: ignore[union-attr]
            raise
        finally:
            raw.close()
        return inserted

    def close(self) -> None:
        pass


_cols = ", ".join(EVENT_COLUMNS)
_DAY = EVENT_COLUMNS.index("day")
_KEY = ("window_start", "fingerprint")  # the dedupe key: its window first (schema.events)
# Of two events with one fingerprint the one with the lower rank stays (see pipeline.stages.dedupe)
_UPSERT = (
    f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in EVENT_COLUMNS if c not in _KEY)
    + " WHERE excluded.rank < events.rank"
)
# The statements below are built once from constant column names, never from input.
_SQLITE_LAST_ID = "SELECT coalesce(max(id), 0) FROM events"
# An observation already stored under another fingerprint (another dedupe window) is not stored
# again; under its own fingerprint the rank decides, as above. ?1 is the fingerprint, ?2 the
# observation key.
_NOT_STORED_BEFORE = (
    "WHERE NOT EXISTS (SELECT 1 FROM events WHERE observation = {obs} AND fingerprint <> {fp})"
)
_SQLITE_INSERT_EVENTS = (
    f"INSERT INTO events ({_cols}) "
    f"SELECT {', '.join(f'?{i}' for i in range(1, len(EVENT_COLUMNS) + 1))} "
    f"{_NOT_STORED_BEFORE.format(obs='?2', fp='?1')} {_UPSERT}"
)
_SQLITE_INSERT_DAYS = "INSERT OR IGNORE INTO event_days (day) VALUES (?)"
_SQLITE_INSERT_QUARANTINE = (
    f"INSERT OR IGNORE INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(QUARANTINE_COLUMNS))})"
)
_PG_COPY_EVENTS = f"COPY incoming_events ({_cols}) FROM STDIN"
_PG_MOVE_EVENTS = (
    f"WITH moved AS (INSERT INTO events ({_cols}) "
    f"SELECT {_cols} FROM (SELECT DISTINCT ON (fingerprint) * FROM incoming_events "
    "ORDER BY fingerprint, rank) AS lowest "
    f"{_NOT_STORED_BEFORE.format(obs='lowest.observation', fp='lowest.fingerprint')} "
    "ORDER BY id "  # id: the order rows were copied in
    f"{_UPSERT} RETURNING (xmax = 0) AS new) "
    "SELECT count(*) FILTER (WHERE new) FROM moved"
)
_PG_INSERT_DAYS = (
    "INSERT INTO event_days (day) SELECT DISTINCT day FROM incoming_events ON CONFLICT DO NOTHING"
)
_PG_INSERT_QUARANTINE = (
    f"INSERT INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(QUARANTINE_COLUMNS))}) ON CONFLICT (key) DO NOTHING"
)
