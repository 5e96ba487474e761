"""The parts of an incident in the SQL store: linked events, indicators, tasks, the timeline,
evidence and its chain of custody."""

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
from tocsin.store.sql.queue import literal

_L = schema.incident_events
_X = schema.indicators
_E = schema.events


class IncidentParts:
    """Part of ``SqlCases``."""

    engine: Engine

    # -- linked events ---------------------------------------------------------------------------

    def link_events(self, tx: Transaction, incident_id: int, event_ids: Sequence[int]) -> int:
        conn = connection(tx)
        if not event_ids:
            return 0
        known = set(
            conn.execute(
                sa.select(_L.c.event_id).where(
                    _L.c.incident_id == incident_id, _L.c.event_id.in_(list(event_ids))
                )
            ).scalars()
        )
        new = [{"incident_id": incident_id, "event_id": e} for e in set(event_ids) - known]
        if new:
            conn.execute(sa.insert(_L), new)
        return len(new)

    def move_events(
        self, tx: Transaction, source: int, target: int, event_ids: Sequence[int]
    ) -> int:
        conn = connection(tx)
        stmt = sa.delete(_L).where(_L.c.incident_id == source)
        if event_ids:
            stmt = stmt.where(_L.c.event_id.in_(list(event_ids)))
        moved = list(
            conn.execute(
                sa.select(_L.c.event_id)
                .where(_L.c.incident_id == source)
                .where(_L.c.event_id.in_(list(event_ids)) if event_ids else sa.true())
            ).scalars()
        )
        conn.execute(stmt)
        return self.link_events(tx, target, moved)

    def incident_events(
        self, incident_id: int, limit: int = 200, *, max_tlp: int | None = None
    ) -> list[tuple[int, Event]]:
        stmt = (
            sa.select(_E.c.id, _E.c.data)
            .join(_L, _L.c.event_id == _E.c.id)
            .where(_L.c.incident_id == incident_id, *_capped(max_tlp))
            .order_by(_E.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(r.id, event_from_data(r.data)) for r in conn.execute(stmt)]

    def count_incident_events(self, incident_id: int, *, max_tlp: int | None = None) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(_L.join(_E, _L.c.event_id == _E.c.id))
            .where(_L.c.incident_id == incident_id, *_capped(max_tlp))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def strictest_event_tlp(self, tx: Transaction, incident_id: int) -> int | None:
        found = (
            connection(tx)
            .execute(
                sa.select(sa.func.max(_E.c.tlp))
                .select_from(_L.join(_E, _L.c.event_id == _E.c.id))
                .where(_L.c.incident_id == incident_id)
            )
            .scalar_one_or_none()
        )
        return None if found is None else int(found)

    def events_since(
        self, after_id: int, limit: int, tx: Transaction | None = None
    ) -> list[tuple[int, Event]]:
        """Stored events with an id above ``after_id``, oldest first (for aggregation rules)."""
        stmt = (
            sa.select(_E.c.id, _E.c.data).where(_E.c.id > after_id).order_by(_E.c.id).limit(limit)
        )
        if tx is not None:
            return [(r.id, event_from_data(r.data)) for r in connection(tx).execute(stmt)]
        with self.engine.connect() as conn:
            return [(r.id, event_from_data(r.data)) for r in conn.execute(stmt)]

    def link_many(self, tx: Transaction, links: Sequence[tuple[int, int]]) -> dict[int, int]:
        conn = connection(tx)
        wanted = set(links)
        if not wanted:
            return {}
        events = [e for _, e in wanted]
        rows = conn.execute(  # one range of the event index: the events of a batch are new
            sa.select(_L.c.incident_id, _L.c.event_id).where(
                _L.c.event_id.between(min(events), max(events))
            )
        )
        wanted -= {(r.incident_id, r.event_id) for r in rows}
        new = sorted(wanted)
        if new:
            conn.execute(sa.insert(_L), [{"incident_id": i, "event_id": e} for i, e in new])
        counts: dict[int, int] = {}
        for incident_id, _ in new:
            counts[incident_id] = counts.get(incident_id, 0) + 1
        return counts

    # -- indicators and related items ------------------------------------------------------------

    def add_indicator(self, tx: Transaction, incident_id: int, kind: str, value: str) -> bool:
        conn = connection(tx)
        exists = conn.execute(
            sa.select(_X.c.id).where(
                _X.c.incident_id == incident_id, _X.c.kind == kind, _X.c.value == value
            )
        ).first()
        if exists:
            return False
        conn.execute(sa.insert(_X).values(incident_id=incident_id, kind=kind, value=value))
        return True

    def indicators_of(
        self, tx: Transaction, incident_ids: Sequence[int], fewer_than: int
    ) -> dict[int, list[tuple[str, str]] | None]:
        conn = connection(tx)
        found: dict[int, list[tuple[str, str]] | None] = {}
        ids = sorted(set(incident_ids))
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            counted = conn.execute(
                sa.select(_X.c.incident_id, sa.func.count())
                .where(_X.c.incident_id.in_(part))
                .group_by(_X.c.incident_id)
            )
            full = {i for i, count in counted if count >= fewer_than}
            found.update(dict.fromkeys(full))
            rows = conn.execute(
                sa.select(_X.c.incident_id, _X.c.kind, _X.c.value)
                .where(_X.c.incident_id.in_([i for i in part if i not in full]))
                .order_by(_X.c.id)
            )
            for row in rows:
                held = found.setdefault(row.incident_id, [])
                assert held is not None
                held.append((row.kind, row.value))
        return found

    def add_indicators(self, tx: Transaction, rows: Sequence[tuple[int, str, str]]) -> None:
        if rows:
            connection(tx).execute(
                sa.insert(_X), [{"incident_id": i, "kind": k, "value": v} for i, k, v in rows]
            )

    def count_indicators(self, tx: Transaction, incident_id: int) -> int:
        conn = connection(tx)
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(_X).where(_X.c.incident_id == incident_id)
            ).scalar_one()
        )

    def indicators(self, incident_id: int) -> list[tuple[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_X.c.kind, _X.c.value)
                .where(_X.c.incident_id == incident_id)
                .order_by(_X.c.kind, _X.c.value)
            ).all()
        return [(r.kind, r.value) for r in rows]

    def incidents_with_indicator(self, kind: str, value: str, limit: int) -> list[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_X.c.incident_id)
                .where(_X.c.kind == kind, _X.c.value == value)
                .distinct()
                .limit(limit)
            ).scalars()
            return [int(r) for r in rows]

    def incidents_with_indicators(self, kind: str, values: Sequence[str], limit: int) -> list[int]:
        """Incidents carrying any of ``values`` of ``kind`` (one indexed IN), the newest first."""
        if not values:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_X.c.incident_id)
                .where(_X.c.kind == kind, _X.c.value.in_(list(values)))
                .group_by(_X.c.incident_id)
                .order_by(_X.c.incident_id.desc())
                .limit(limit)
            ).scalars()
            return [int(r) for r in rows]

    def indicators_ending(self, kind: str, suffix: str, limit: int) -> list[tuple[int, str]]:
        """Indicators of ``kind`` whose value ends with ``suffix`` (a scan of that kind's
        entries), the newest incidents first."""
        return self._indicators_like(kind, "%" + literal(suffix), limit)

    def indicators_containing(self, kind: str, text: str, limit: int) -> list[tuple[int, str]]:
        return self._indicators_like(kind, "%" + literal(text) + "%", limit)

    def _indicators_like(self, kind: str, pattern: str, limit: int) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_X.c.incident_id, _X.c.value)
                .where(_X.c.kind == kind, _X.c.value.like(pattern, escape="\\"))
                .order_by(_X.c.incident_id.desc())
                .limit(limit)
            ).all()
        return [(int(r.incident_id), r.value) for r in rows]

    # -- tasks, timeline -------------------------------------------------------------------------

    def add_task(self, tx: Transaction, incident_id: int, title: str, at: int, by: str) -> int:
        conn = connection(tx)
        new_id = conn.execute(
            sa.insert(schema.tasks).values(
                incident_id=incident_id, title=title, done=False, created=at, created_by=by
            )
        ).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def set_task(self, tx: Transaction, incident_id: int, task_id: int, done: bool) -> bool:
        conn = connection(tx)
        t = schema.tasks
        result = conn.execute(
            sa.update(t).where(t.c.id == task_id, t.c.incident_id == incident_id).values(done=done)
        )
        return bool(result.rowcount)

    def tasks(self, incident_id: int) -> list[dict[str, Any]]:
        t = schema.tasks
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.incident_id == incident_id).order_by(t.c.id))
            return [dict(r._mapping) for r in rows]

    def add_timeline(
        self, tx: Transaction, incident_id: int, at: int, actor: str, kind: str, text: str
    ) -> None:
        self.add_timelines(tx, [(incident_id, at, actor, kind, text)])

    def add_timelines(
        self, tx: Transaction, lines: Sequence[tuple[int, int, str, str, str]]
    ) -> None:
        if lines:
            connection(tx).execute(
                sa.insert(schema.timeline),
                [
                    {"incident_id": i, "at": at, "actor": actor, "kind": kind, "text": text}
                    for i, at, actor, kind, text in lines
                ],
            )

    def timeline(self, incident_id: int) -> list[dict[str, Any]]:
        t = schema.timeline
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.incident_id == incident_id).order_by(t.c.at, t.c.id)
            )
            return [dict(r._mapping) for r in rows]

    def timeline_since(self, at: int, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        t = schema.timeline
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t)
                .where(t.c.at >= at)
                .order_by(t.c.at.desc(), t.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [dict(r._mapping) for r in rows]

    # -- evidence --------------------------------------------------------------------------------

    def add_evidence(self, tx: Transaction, **values: Any) -> int:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(schema.evidence).values(**values)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def evidence(self, incident_id: int) -> list[dict[str, Any]]:
        t = schema.evidence
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.incident_id == incident_id).order_by(t.c.id))
            return [dict(r._mapping) for r in rows]

    def evidence_item(self, evidence_id: int) -> dict[str, Any] | None:
        t = schema.evidence
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == evidence_id)).first()
        return dict(row._mapping) if row else None

    def add_custody(self, tx: Transaction, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.insert(schema.custody).values(**values))

    def mail_message(self, mailbox: str, message_id: str) -> dict[str, Any] | None:
        m = schema.mail_messages
        query = sa.select(m).where(m.c.mailbox == mailbox, m.c.message_id == message_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row is not None else None

    def add_mail_message(self, tx: Transaction, **values: Any) -> None:
        connection(tx).execute(sa.insert(schema.mail_messages).values(**values))

    def incidents_of_notice(self, notice_id: int) -> list[int]:
        ne, ie = schema.notice_events, schema.incident_events
        query = (
            sa.select(ie.c.incident_id)
            .join(ne, ne.c.event_id == ie.c.event_id)
            .where(ne.c.notice_id == notice_id)
            .distinct()
            .order_by(ie.c.incident_id)
        )
        with self.engine.connect() as conn:
            return [int(r) for r in conn.execute(query).scalars()]

    def custody(self, evidence_id: int) -> list[dict[str, Any]]:
        t = schema.custody
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.evidence_id == evidence_id).order_by(t.c.id))
            return [dict(r._mapping) for r in rows]


def _capped(max_tlp: int | None) -> list[sa.ColumnElement[bool]]:
    """The condition keeping linked events at ``max_tlp`` or below (none: no cap)."""
    return [] if max_tlp is None else [_E.c.tlp <= max_tlp]
