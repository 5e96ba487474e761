"""The retention purge in the SQL store: per kind, the rows older than a cut-off that no
incident still open holds, counted and removed (reporters' identities tombstoned)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.errors import InvalidValue
from tocsin.model.incident import Status
from tocsin.model.retention import KINDS, TOMBSTONE
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_E, _L, _I = schema.events, schema.incident_events, schema.incidents
_Q, _O = schema.quarantine, schema.collector_objects
_R, _P = schema.reports, schema.reporters
_V, _C = schema.evidence, schema.custody
_TOMBSTONE = orjson.dumps(TOMBSTONE).decode()
_CLOSED = Status.CLOSED.value


def _expired(kind: str, cutoff: int) -> tuple[Any, Any, Any]:
    """The kind's expired rows: (their key column, the time they are counted from, the
    condition)."""
    if kind == "events":
        held = sa.select(_L.c.event_id).join(_I, _I.c.id == _L.c.incident_id)
        held = held.where(_I.c.status != _CLOSED)
        return _E.c.id, _E.c.event_time, sa.and_(_E.c.event_time < cutoff, _E.c.id.not_in(held))
    if kind == "quarantine":
        return _Q.c.id, _Q.c.created, _Q.c.created < cutoff
    if kind == "raw":
        return (
            _O.c.sha256,
            _O.c.fetched_at,
            sa.and_(_O.c.fetched_at < cutoff, _O.c.retention == kind),
        )
    closed = sa.and_(_I.c.status == _CLOSED, _I.c.closed_at < cutoff)
    if kind == "reporters":
        of = sa.select(_R.c.id).join(_I, _I.c.id == _R.c.incident_id).where(closed)
        return _P.c.report_id, None, sa.and_(_P.c.report_id.in_(of), _P.c.contact != _TOMBSTONE)
    if kind == "evidence":
        of = sa.select(_I.c.id).where(closed)
        return _V.c.id, _V.c.uploaded_at, _V.c.incident_id.in_(of)
    raise InvalidValue("kind", kind, f"one of {', '.join(KINDS)}")


class SqlRetention:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def expiring(self, kind: str, cutoff: int) -> tuple[int, int | None]:
        _, since, condition = _expired(kind, cutoff)
        if since is None:  # a reporter counts from when the report's case closed
            query = (
                sa.select(sa.func.count(), sa.func.min(_I.c.closed_at))
                .select_from(_P.join(_R, _R.c.id == _P.c.report_id))
                .join(_I, _I.c.id == _R.c.incident_id)
                .where(condition)
            )
        else:
            query = sa.select(sa.func.count(), sa.func.min(since)).where(condition)
        with self.engine.connect() as conn:
            count, oldest = conn.execute(query).one()
        return int(count), None if oldest is None else int(oldest)

    def purge(self, tx: Transaction, kind: str, cutoff: int) -> tuple[int, list[str]]:
        conn = connection(tx)
        key, _, condition = _expired(kind, cutoff)
        if kind == "reporters":
            done = conn.execute(sa.update(_P).where(condition).values(contact=_TOMBSTONE))
            return done.rowcount, []
        if kind == "events":
            chosen = sa.select(key).where(condition)
            conn.execute(
                sa.delete(schema.notice_events).where(schema.notice_events.c.event_id.in_(chosen))
            )
            conn.execute(sa.delete(_L).where(_L.c.event_id.in_(chosen)))
            return conn.execute(sa.delete(_E).where(condition)).rowcount, []
        if kind == "quarantine":
            return conn.execute(sa.delete(_Q).where(condition)).rowcount, []
        table, digest = (_O, _O.c.sha256) if kind == "raw" else (_V, _V.c.sha256)
        files = set(conn.execute(sa.select(digest).where(condition)).scalars())
        if kind == "evidence":
            conn.execute(sa.delete(_C).where(_C.c.evidence_id.in_(sa.select(key).where(condition))))
        count = conn.execute(sa.delete(table).where(condition)).rowcount
        kept = set(conn.execute(sa.select(digest).where(digest.in_(sorted(files)))).scalars())
        return count, sorted(files - kept)


__all__ = ["SqlRetention"]
