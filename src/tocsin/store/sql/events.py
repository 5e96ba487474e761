"""Reading events and quarantined rows, and the tables that enrich events, in the SQL store.
(Writing events is the hot path of ``writer``.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.fields import PRIORITIES
from tocsin.store.rows import event_from_data
from tocsin.store.shapes import EventFilter, EventPage, QuarantineEntry, Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection, insert_if_new
from tocsin.store.sql.query import by_day, conditions, days

REGISTRY_VERSION = "registry:version"  # a counter every change of the registry raises

_E = schema.events


def _constituent_row(c: Constituent) -> dict[str, Any]:
    return {"name": c.name, "sector": c.sector, "data": orjson.dumps(c.as_dict()).decode()}


_Q = schema.quarantine
MAX_PAGE = 1000


class SqlEvents:
    """The reads of ``EventStore`` (and its replacing of enrichment tables); ``SqlStore`` adds
    the writes."""

    engine: Engine

    # -- events ------------------------------------------------------------------------------

    def search(self, query: EventFilter) -> EventPage:
        limit = max(1, min(query.limit, MAX_PAGE))
        stmt = sa.select(_E.c.id, _E.c.data).order_by(_E.c.id.desc()).limit(limit + 1)
        with self.engine.connect() as conn:
            on_days = days(conn, query) if by_day(query) else None
            if on_days == []:
                return EventPage([], None)
            for condition in conditions(query, on_days):
                stmt = stmt.where(condition)
            found = conn.execute(stmt).all()
        events = [event_from_data(row.data) for row in found[:limit]]
        next_cursor = found[limit - 1].id if len(found) > limit else None
        return EventPage(events, next_cursor)

    def count_events(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_E)).scalar_one())

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
        with self.engine.begin() as conn:
            return self.replace_constituents_in(Transaction(conn), constituents)

    def replace_constituents_in(self, tx: Transaction, constituents: Iterable[Constituent]) -> int:
        """The whole registry replaced, inside the caller's transaction."""
        rows = [_constituent_row(c) for c in constituents]
        conn = connection(tx)
        conn.execute(sa.delete(schema.constituents))
        if rows:
            conn.execute(sa.insert(schema.constituents), rows)
        _changed_registry(conn)
        return len(rows)

    def put_constituent(
        self, tx: Transaction, constituent: Constituent, replacing: str | None = None
    ) -> None:
        """One constituent added, or put in place of ``replacing`` (its former name) or of the
        one of its name."""
        table = schema.constituents
        conn = connection(tx)
        names = {constituent.name, replacing or constituent.name}
        conn.execute(sa.delete(table).where(table.c.name.in_(sorted(names))))
        conn.execute(sa.insert(table).values(**_constituent_row(constituent)))
        _changed_registry(conn)

    def remove_constituent(self, tx: Transaction, name: str) -> bool:
        table = schema.constituents
        conn = connection(tx)
        found = conn.execute(sa.delete(table).where(table.c.name == name))
        if found.rowcount:
            _changed_registry(conn)
        return bool(found.rowcount)

    def registry_version(self) -> int:
        """A number every change of the registry raises: what a reader caching it compares."""
        table = schema.counters
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(table.c.value).where(table.c.name == REGISTRY_VERSION)
            ).scalar()
        return int(value or 0)

    def constituents(self) -> list[Constituent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(schema.constituents.c.data).order_by(schema.constituents.c.name)
            ).all()
        return [Constituent.from_mapping(orjson.loads(row.data), stored=True) for row in rows]

    def constituent_named(self, name: str) -> Constituent | None:
        """The registry's constituent of this name, in any case (a scan of the registry's
        names: thousands of rows, read when a person names an organisation)."""
        table = schema.constituents
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(table.c.data)
                .where(sa.func.lower(table.c.name) == name.strip().lower())
                .order_by(table.c.name)
                .limit(1)
            ).first()
        return (
            None if row is None else Constituent.from_mapping(orjson.loads(row.data), stored=True)
        )

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


def _entry(row: Any) -> QuarantineEntry:
    return QuarantineEntry(
        row.id, row.feed, row.file, row.line, row.stage, row.reason, row.raw, row.created
    )


def _changed_registry(conn: sa.Connection) -> None:
    """Raise the registry's version in the transaction that changes it."""
    table = schema.counters
    bump = sa.update(table).where(table.c.name == REGISTRY_VERSION)
    raised = conn.execute(bump.values(value=table.c.value + 1)).rowcount
    if not raised and not insert_if_new(conn, table, name=REGISTRY_VERSION, value=1):
        conn.execute(bump.values(value=table.c.value + 1))  # made meanwhile: it is there now
