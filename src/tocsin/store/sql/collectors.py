"""Collectors' runs, states and archived objects in the SQL store."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.collector import ArchivedObject, CollectorRun, CollectorState
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_R = schema.collector_runs
_S = schema.collector_state
_O = schema.collector_objects
_COUNTS = ("objects", "rows", "accepted", "duplicates", "quarantined", "skipped")


class SqlCollectors:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, tx: Transaction, collector: str, feed: str, started: int) -> int:
        values: dict[str, Any] = dict.fromkeys(_COUNTS, 0)
        values.update(collector=collector, feed=feed, started=started, ok=False)
        new_id = connection(tx).execute(sa.insert(_R).values(**values)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def finish_run(self, tx: Transaction, run_id: int, **values: Any) -> None:
        connection(tx).execute(sa.update(_R).where(_R.c.id == run_id).values(**values))

    def runs(self, collector: str | None = None, limit: int = 100) -> list[CollectorRun]:
        query = sa.select(_R).order_by(_R.c.id.desc()).limit(limit)
        if collector is not None:
            query = query.where(_R.c.collector == collector)
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query)]

    def last_runs(self) -> dict[str, CollectorRun]:
        newest = sa.select(sa.func.max(_R.c.id)).group_by(_R.c.collector).scalar_subquery()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_R).where(_R.c.id.in_(newest)))
            return {row.collector: _run(row) for row in rows}

    # -- state ---------------------------------------------------------------------------------

    def state(self, collector: str) -> CollectorState | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_S).where(_S.c.collector == collector)).first()
        return CollectorState(**row._asdict()) if row else None

    def states(self) -> dict[str, CollectorState]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_S)).all()
        return {row.collector: CollectorState(**row._asdict()) for row in rows}

    def save_state(self, tx: Transaction, state: CollectorState) -> None:
        conn = connection(tx)
        values = asdict(state)
        changed = conn.execute(
            sa.update(_S).where(_S.c.collector == state.collector).values(**values)
        )
        if not changed.rowcount:
            conn.execute(sa.insert(_S).values(**values))

    # -- archived objects ----------------------------------------------------------------------

    def has_object(self, collector: str, sha256: str) -> bool:
        query = sa.select(_O.c.sha256).where(_O.c.collector == collector, _O.c.sha256 == sha256)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def add_object(self, tx: Transaction, archived: ArchivedObject) -> bool:
        conn = connection(tx)
        query = sa.select(_O.c.sha256).where(
            _O.c.collector == archived.collector, _O.c.sha256 == archived.sha256
        )
        if conn.execute(query).first() is not None:
            return False
        conn.execute(sa.insert(_O).values(**asdict(archived)))
        return True

    def objects(self, collector: str | None = None, limit: int = 100) -> list[ArchivedObject]:
        query = sa.select(_O).order_by(_O.c.fetched_at.desc(), _O.c.sha256).limit(limit)
        if collector is not None:
            query = query.where(_O.c.collector == collector)
        with self.engine.connect() as conn:
            return [ArchivedObject(**row._asdict()) for row in conn.execute(query)]


def _run(row: Any) -> CollectorRun:
    return CollectorRun(**row._asdict())


__all__ = ["SqlCollectors"]
