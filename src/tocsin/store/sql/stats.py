"""Statistics releases (``stats_releases``, migration 0026) and the incidents they count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_R = schema.stats_releases
_I = schema.incidents
_E = schema.events
_C = schema.cvd_cases


class SqlStats:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_release(self, tx: Transaction, values: dict[str, Any]) -> int:
        row = dict(values)
        for key in ("spec", "cells"):
            if not isinstance(row[key], str):
                row[key] = orjson.dumps(row[key]).decode()
        found = connection(tx).execute(sa.insert(_R).values(**row)).inserted_primary_key
        assert found is not None
        return int(found[0])

    def release(self, release_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_R).where(_R.c.id == release_id)).first()
        return _read(row) if row is not None else None

    def releases(self, state: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        stmt = sa.select(_R).order_by(_R.c.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(_R.c.state == state)
        with self.engine.connect() as conn:
            return [_read(row) for row in conn.execute(stmt)]

    def decide(self, tx: Transaction, release_id: int, state: str, approver: str, at: int) -> bool:
        done = connection(tx).execute(
            sa.update(_R)
            .where(_R.c.id == release_id, _R.c.state == "pending")
            .values(state=state, approver=approver, decided=at)
        )
        return bool(done.rowcount)

    def counted(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        stmt = (
            sa.select(
                _I.c.id,
                _I.c.type,
                _I.c.sector,
                _I.c.priority,
                _I.c.created,
                _I.c.constituent,
                _I.c.source,
                _I.c.details,
            )
            .where(_I.c.created >= start, _I.c.created < end, _I.c.merged_into.is_(None))
            .order_by(_I.c.id)
        )
        yield from self._stream(stmt)

    def events_counted(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        """Counted in the database (a year holds millions of events; its distinct days, types,
        constituents and ASNs far fewer), from the event-time index."""
        keys = (_E.c.day, _E.c.type, _E.c.constituent, _E.c.source_asn)
        stmt = (
            sa.select(*keys, sa.func.count())
            .where(_E.c.event_time >= start, _E.c.event_time < end)
            .group_by(*keys)
        )
        yield from self._stream(stmt)

    def response_times(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        stmt = (
            sa.select(
                _I.c.priority,
                _I.c.created,
                _I.c.acknowledged_at,
                _I.c.resolved_at,
                _I.c.waited,
                _I.c.details,
            )
            .where(_I.c.created >= start, _I.c.created < end, _I.c.merged_into.is_(None))
            .order_by(_I.c.id)
        )
        yield from self._stream(stmt)

    def _stream(self, stmt: Any) -> Iterator[tuple[Any, ...]]:
        """A query's rows as tuples, fetched 10,000 at a time (a year holds a million)."""
        with self.engine.connect() as conn:
            yield from (
                tuple(row) for row in conn.execution_options(yield_per=10_000).execute(stmt)
            )

    def cvd_counts(self, start: int, end: int) -> tuple[int, int]:
        def between(column: Any) -> Any:
            return sa.select(sa.func.count()).where(column >= start, column < end)

        with self.engine.connect() as conn:
            opened = conn.execute(between(_C.c.received_at)).scalar_one()
            published = conn.execute(between(_C.c.published_at)).scalar_one()
        return int(opened), int(published)


def _read(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["spec"] = orjson.loads(found["spec"])
    found["cells"] = orjson.loads(found["cells"])
    return found
