"""Notices in the SQL store, and ``notice_events``: one row per recipient and event, ever, so an
event is never sent twice to the same recipient, across restarts and reruns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.event import Event
from tocsin.store.rows import event_from_data
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_N = schema.notices
_NE = schema.notice_events
_E = schema.events
_IE = schema.incident_events
# Built once: the statements run once or twice per notice (tens of thousands in a run), and
# building one costs more than running it.
_INSERT = sa.insert(_N)
_UPDATE = sa.update(_N).where(_N.c.id == sa.bindparam("notice_id_"))
_EVENTS = (
    sa.select(_E.c.data)
    .select_from(_NE.join(_E, _E.c.id == _NE.c.event_id))
    .where(_NE.c.notice_id == sa.bindparam("notice_id_"))
    .order_by(_E.c.id)
)
# Two lookups by key rather than one join: right after a plan has written thousands of rows,
# PostgreSQL's statistics are stale and it would hash the whole events table for the join.
_CARRIED = sa.select(_NE.c.notice_id, _NE.c.event_id).where(
    _NE.c.notice_id.in_(sa.bindparam("notice_ids_", expanding=True))
)
_DATA = sa.select(_E.c.id, _E.c.data).where(_E.c.id.in_(sa.bindparam("event_ids_", expanding=True)))


class SqlNotices:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def unsent(self, after_id: int, since: int, limit: int) -> list[tuple[int, str, Event]]:
        """Events of a constituent (id above ``after_id``, seen since ``since``) not yet in any
        notice to that constituent: (id, constituent, event), oldest first."""
        joined = _E.outerjoin(
            _NE, sa.and_(_NE.c.event_id == _E.c.id, _NE.c.recipient == _E.c.constituent)
        )
        stmt = (
            sa.select(_E.c.id, _E.c.constituent, _E.c.data)
            .select_from(joined)
            .where(
                _E.c.id > after_id,
                _E.c.event_time >= since,
                _E.c.constituent.is_not(None),
                _NE.c.event_id.is_(None),
            )
            .order_by(_E.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(r.id, r.constituent, event_from_data(r.data)) for r in conn.execute(stmt)]

    def add(self, tx: Transaction, values: dict[str, Any], event_ids: Sequence[int]) -> int:
        conn = connection(tx)
        new_id = conn.execute(_INSERT, values).inserted_primary_key
        assert new_id is not None
        notice_id = int(new_id[0])
        if not event_ids:
            return notice_id
        conn.execute(
            sa.insert(_NE),
            [
                {"recipient": values["recipient"], "event_id": e, "notice_id": notice_id}
                for e in event_ids
            ],
        )
        return notice_id

    def update(self, notice_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(_UPDATE, {"notice_id_": notice_id, **values})

    def add_many(
        self, tx: Transaction, notices: Sequence[tuple[dict[str, Any], Sequence[int]]]
    ) -> list[int]:
        """``add`` for many notices (their values, their events' ids) in three statements; the
        new ids in the same order."""
        conn = connection(tx)
        if not notices:
            return []
        inserted = conn.execute(
            _INSERT.returning(_N.c.id, sort_by_parameter_order=True), [v for v, _ in notices]
        )
        ids = [int(i) for i in inserted.scalars()]
        carried = [
            {"recipient": values["recipient"], "event_id": event_id, "notice_id": notice_id}
            for notice_id, (values, event_ids) in zip(ids, notices, strict=True)
            for event_id in event_ids
        ]
        if carried:
            conn.execute(sa.insert(_NE), carried)
        return ids

    def update_many(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Several notices changed in one transaction: all the changes are kept, or none."""
        if changes:
            with self.engine.begin() as conn:
                self.update_many_in(Transaction(conn), changes)

    def update_many_in(
        self, tx: Transaction, changes: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        conn = connection(tx)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for notice_id, values in changes:
            groups.setdefault(tuple(sorted(values)), []).append({"notice_id_": notice_id, **values})
        for rows in groups.values():  # one statement per set of columns changed
            conn.execute(_UPDATE, rows)

    def update_in(self, tx: Transaction, notice_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(_UPDATE, {"notice_id_": notice_id, **values})

    def by_message_id(self, message_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_N).where(_N.c.message_id == message_id)).first()
        return dict(row._mapping) if row is not None else None

    def get(self, notice_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_N).where(_N.c.id == notice_id)).first()
        return dict(row._mapping) if row is not None else None

    def events(self, notice_id: int) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(_EVENTS, {"notice_id_": notice_id})
            return [event_from_data(r.data) for r in rows]

    def events_of(self, notice_ids: Sequence[int]) -> dict[int, list[Event]]:
        """The events each of these notices carries, oldest first, in two queries whatever
        their number (keep it to a few hundred)."""
        found: dict[int, list[Event]] = {notice_id: [] for notice_id in notice_ids}
        if not found:
            return found
        with self.engine.connect() as conn:
            pairs = conn.execute(_CARRIED, {"notice_ids_": list(found)})
            carried = sorted((r.notice_id, r.event_id) for r in pairs)
            wanted = sorted({event_id for _, event_id in carried})
            data = {}
            if wanted:
                data = {r.id: r.data for r in conn.execute(_DATA, {"event_ids_": wanted})}
        for notice_id, event_id in carried:  # each notice's events, oldest first
            found[notice_id].append(event_from_data(data[event_id]))
        return found

    def for_incident(self, incident_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """The notices that carried any of the incident's linked events, the newest first."""
        carried = (
            sa.select(_NE.c.notice_id)
            .join(_IE, _IE.c.event_id == _NE.c.event_id)
            .where(_IE.c.incident_id == incident_id)
            .distinct()
        )
        stmt = sa.select(_N).where(_N.c.id.in_(carried)).order_by(_N.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def due(self, now: int, limit: int) -> list[dict[str, Any]]:
        """Notices waiting for the mail server: planned, or deferred until now."""
        stmt = (
            sa.select(_N)
            .where(
                _N.c.status.in_(("pending", "deferred")),
                sa.or_(_N.c.next_attempt.is_(None), _N.c.next_attempt <= now),
            )
            .order_by(_N.c.priority, _N.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def unacknowledged(self, sent_before: int, priorities: Sequence[str]) -> list[dict[str, Any]]:
        """Sent notices of these priorities nobody acknowledged, not reminded yet."""
        stmt = sa.select(_N).where(
            _N.c.status == "sent",
            _N.c.acknowledged_at.is_(None),
            _N.c.reminded_at.is_(None),
            _N.c.sent_at <= sent_before,
            _N.c.priority.in_(list(priorities)),
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.order_by(_N.c.id))]

    def recipients_of(self, period: str) -> set[str]:
        """The recipients that have a notice for ``period`` already (a day's digest, say)."""
        stmt = sa.select(_N.c.recipient).where(_N.c.period == period).distinct()
        with self.engine.connect() as conn:
            return {r.recipient for r in conn.execute(stmt)}

    def has_digest(self, recipient: str, period: str) -> bool:
        stmt = sa.select(_N.c.id).where(_N.c.recipient == recipient, _N.c.period == period)
        with self.engine.connect() as conn:
            return conn.execute(stmt.limit(1)).first() is not None

    def listing(self, limit: int = 200, status: str | None = None) -> list[dict[str, Any]]:
        stmt = sa.select(_N).order_by(_N.c.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(_N.c.status == status)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_N)).scalar_one())
