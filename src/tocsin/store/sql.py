"""The SQL store: one implementation for SQLite and PostgreSQL on SQLAlchemy Core.

Reads go through SQLAlchemy (parameterised, dialect-neutral). The hot write path uses each
driver directly: SQLite ``executemany`` inside ``BEGIN IMMEDIATE`` with ``INSERT OR IGNORE``;
PostgreSQL ``COPY`` into a temporary table, then ``INSERT … ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from tocsin.errors import ConfigError
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.event import Event
from tocsin.model.fields import PRIORITIES
from tocsin.store import schema
from tocsin.store.base import EventFilter, EventPage, QuarantineEntry
from tocsin.store.cases import SqlCases
from tocsin.store.cvd import SqlCvd
from tocsin.store.notices import SqlNotices
from tocsin.store.people import SqlPeople
from tocsin.store.reports import SqlReports
from tocsin.store.rows import (
    EVENT_COLUMNS,
    QUARANTINE_COLUMNS,
    EventRow,
    QuarantineRow,
    event_from_data,
    ip_bytes,
)
from tocsin.store.shapes import Transaction
from tocsin.store.share import SqlShare

_E = schema.events
_Q = schema.quarantine
MAX_PAGE = 1000


def engine_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…")


class SqlStore:
    """The store on SQLite or PostgreSQL, chosen by the URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        full = engine_url(url)
        self.is_sqlite = full.startswith("sqlite")
        if self.is_sqlite:
            self.path = full.split("sqlite:///", 1)[1] if "sqlite:///" in full else ":memory:"
            if self.path and self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sa.create_engine(
                full, connect_args={"check_same_thread": False, "timeout": 30}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(full, pool_pre_ping=True)
        self._writer: Any = None
        self._write_lock = threading.Lock()
        self.people = SqlPeople(self.engine)
        self.cases = SqlCases(self.engine)
        self.reports = SqlReports(self.engine)
        self.cvd = SqlCvd(self.engine)
        self.notices = SqlNotices(self.engine)
        self.share = SqlShare(self.engine)

    # -- lifecycle ---------------------------------------------------------------------------

    def migrate(self) -> None:
        config = Config()
        location = resources.files("tocsin.store").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.engine.begin() as conn:
            yield Transaction(conn)

    # -- the hot write path -------------------------------------------------------------------

    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        if self.is_sqlite:
            # One writer connection, shared by the threads that ingest (a pull of the server's
            # watch, a partner's POST in a worker thread), one at a time.
            with self._write_lock:
                return self._write_sqlite(rows, quarantined)
        return self._write_postgres(rows, quarantined)

    def _sqlite_writer(self) -> sqlite3.Connection:
        if self._writer is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            _sqlite_pragmas(conn, None)
            # the writer checkpoints the WAL every 160 MB rather than every 16 MB (measured: the
            # default spends a quarter of the ingest in checkpoints' system calls)
            conn.execute("PRAGMA wal_autocheckpoint = 10000")
            self._writer = conn
        return self._writer  # type: ignore[no-any-return]

    def _write_sqlite(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        conn = self._sqlite_writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            inserted = 0
            if rows:
                # rowids grow by one per new row (events are never deleted), and an update on a
                # conflict keeps its rowid: the new rows are the growth of the largest rowid
                before = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
                conn.executemany(_SQLITE_INSERT_EVENTS, rows)
                inserted = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
                inserted -= before
            if quarantined:
                conn.executemany(_SQLITE_INSERT_QUARANTINE, quarantined)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return inserted

    def _write_postgres(
        self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]
    ) -> int:
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
                if quarantined:
                    cur.executemany(_PG_INSERT_QUARANTINE, quarantined)
            conn.commit()
        except BaseException:
            raw.driver_connection.rollback()  # type: ignore[union-attr]
            raise
        finally:
            raw.close()
        return inserted

    # -- events ------------------------------------------------------------------------------

    def search(self, query: EventFilter) -> EventPage:
        limit = max(1, min(query.limit, MAX_PAGE))
        stmt = sa.select(_E.c.id, _E.c.data).order_by(_E.c.id.desc()).limit(limit + 1)
        for condition in _conditions(query):
            stmt = stmt.where(condition)
        with self.engine.connect() as conn:
            found = conn.execute(stmt).all()
        events = [event_from_data(row.data) for row in found[:limit]]
        next_cursor = found[limit - 1].id if len(found) > limit else None
        return EventPage(events, next_cursor)

    def count_events(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_E)).scalar_one())

    def get_event(self, fingerprint: str) -> Event | None:
        try:
            key = bytes.fromhex(fingerprint)
        except ValueError:
            return None
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(_E.c.data).where(_E.c.fingerprint == key)).scalar()
        return event_from_data(data) if data is not None else None

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            by_feed = conn.execute(
                sa.select(_E.c.feed, sa.func.count()).group_by(_E.c.feed).order_by(_E.c.feed)
            ).all()
            by_priority = conn.execute(
                sa.select(_E.c.priority, sa.func.count()).group_by(_E.c.priority)
            ).all()
        return {
            "events": sum(n for _, n in by_feed),
            "quarantined": self.count_quarantine(),
            "by_feed": {feed: n for feed, n in by_feed},
            "by_priority": {PRIORITIES[p - 1]: n for p, n in sorted(by_priority)},
        }

    # -- quarantine --------------------------------------------------------------------------

    def quarantine(
        self, *, feed: str | None = None, file: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[QuarantineEntry]:
        stmt = sa.select(_Q).order_by(_Q.c.id).limit(limit).offset(offset)
        if feed is not None:
            stmt = stmt.where(_Q.c.feed == feed)
        if file is not None:
            stmt = stmt.where(_Q.c.file == file)
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(stmt)]

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_Q).where(_Q.c.id == entry_id)).first()
        return _entry(row) if row is not None else None

    def count_quarantine(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_Q)).scalar_one())

    def prune_quarantine(self, feed: str, file: str, keep: Iterable[bytes]) -> int:
        kept = set(keep)
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(_Q.c.id, _Q.c.key).where(_Q.c.feed == feed, _Q.c.file == file)
            ).all()
            gone = [row.id for row in rows if bytes(row.key) not in kept]
            for start in range(0, len(gone), 500):
                conn.execute(sa.delete(_Q).where(_Q.c.id.in_(gone[start : start + 500])))
        return len(gone)

    # -- enrichment tables -------------------------------------------------------------------

    def replace_constituents(self, constituents: Iterable[Constituent]) -> int:
        rows = [
            {"name": c.name, "sector": c.sector, "data": orjson.dumps(c.as_dict()).decode()}
            for c in constituents
        ]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(schema.constituents))
            if rows:
                conn.execute(sa.insert(schema.constituents), rows)
        return len(rows)

    def constituents(self) -> list[Constituent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(schema.constituents.c.data).order_by(schema.constituents.c.name)
            ).all()
        return [Constituent.from_mapping(orjson.loads(row.data)) for row in rows]

    def replace_asn_ranges(self, ranges: Iterable[AsnRange]) -> int:
        table = schema.asn_ranges
        count = 0
        with self.engine.begin() as conn:
            conn.execute(sa.delete(table))
            chunk: list[dict[str, Any]] = []
            for item in ranges:
                chunk.append(
                    {
                        "range_start": item.start,
                        "range_end": item.end,
                        "asn": item.asn,
                        "country": item.country,
                        "as_name": item.name,
                    }
                )
                if len(chunk) >= 10_000:
                    conn.execute(sa.insert(table), chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                conn.execute(sa.insert(table), chunk)
                count += len(chunk)
        return count

    def asn_ranges(self) -> Iterator[AsnRange]:
        table = schema.asn_ranges
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(table).order_by(table.c.id)):
                yield AsnRange(row.range_start, row.range_end, row.asn, row.country, row.as_name)


def _conditions(query: EventFilter) -> Iterator[sa.ColumnElement[bool]]:  # noqa: C901
    if query.ip is not None:
        if "/" in query.ip:
            net = ipaddress.ip_network(query.ip, strict=False)
            low = ip_bytes(str(net.network_address))
            high = ip_bytes(str(net.broadcast_address))
            yield _E.c.source_ip.between(low, high)
        else:
            yield _E.c.source_ip == ip_bytes(query.ip)
    if query.asn is not None:
        yield _E.c.source_asn == query.asn
    if query.fqdn is not None:
        yield _E.c.source_fqdn == query.fqdn
    if query.url is not None:
        yield _E.c.source_url == query.url
    if query.type is not None:
        yield _E.c.type == query.type
    if query.constituent is not None:
        yield _E.c.constituent == query.constituent
    if query.priority is not None:
        yield _E.c.priority == PRIORITIES.index(query.priority) + 1
    if query.feed is not None:
        yield _E.c.feed == query.feed
    if query.since is not None:
        yield _E.c.event_time >= query.since
    if query.until is not None:
        yield _E.c.event_time < query.until
    if query.before is not None:
        yield _E.c.id < query.before
    if query.max_tlp is not None:
        yield _E.c.tlp <= query.max_tlp


def _entry(row: Any) -> QuarantineEntry:
    return QuarantineEntry(
        row.id, row.feed, row.file, row.line, row.stage, row.reason, row.raw, row.created
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_size = 16384")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.close()


_cols = ", ".join(EVENT_COLUMNS)
# Of two events with one fingerprint the one with the lower rank stays (see pipeline.stages.dedupe)
_UPSERT = (
    "ON CONFLICT (fingerprint) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in EVENT_COLUMNS if c != "fingerprint")
    + " WHERE excluded.rank < events.rank"
)
# The statements below are built once from constant column names, never from input.
_SQLITE_INSERT_EVENTS = (
    f"INSERT INTO events ({_cols}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))}) {_UPSERT}"
)
_SQLITE_INSERT_QUARANTINE = (
    f"INSERT OR IGNORE INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(QUARANTINE_COLUMNS))})"
)
_PG_COPY_EVENTS = f"COPY incoming_events ({_cols}) FROM STDIN"
_PG_MOVE_EVENTS = (
    f"WITH moved AS (INSERT INTO events ({_cols}) "
    f"SELECT {_cols} FROM (SELECT DISTINCT ON (fingerprint) * FROM incoming_events "
    "ORDER BY fingerprint, rank) AS lowest ORDER BY id "  # id: the order rows were copied in
    f"{_UPSERT} RETURNING (xmax = 0) AS new) "
    "SELECT count(*) FILTER (WHERE new) FROM moved"
)
_PG_INSERT_QUARANTINE = (
    f"INSERT INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(QUARANTINE_COLUMNS))}) ON CONFLICT (key) DO NOTHING"
)

__all__ = ["SqlStore", "engine_url"]
