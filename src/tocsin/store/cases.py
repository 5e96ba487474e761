"""Incidents, their parts and the audit log in the SQL store.

Every change is made inside a transaction the service layer opens (``Store.transaction``), so
that the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tocsin.model.audit import AuditEntry, chain
from tocsin.model.event import Event
from tocsin.model.incident import Incident, Status
from tocsin.store import schema
from tocsin.store.rows import event_from_data
from tocsin.store.shapes import Transaction
from tocsin.store.transaction import connection

_I = schema.incidents
_L = schema.incident_events
_X = schema.indicators
_A = schema.audit_log
_E = schema.events

INCIDENT_COLUMNS = (
    "reference",
    "title",
    "type",
    "priority",
    "tlp",
    "status",
    "org_id",
    "created",
    "constituent",
    "sector",
    "assignee_id",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "waiting_since",
    "waited",
    "breached",
    "source",
    "group_key",
    "merged_into",
    "details",
    "due",
)


class SqlCases:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- references ------------------------------------------------------------------------------

    def next_number(self, tx: Transaction, name: str) -> int:
        """The next value of a named counter (one per year for incident references)."""
        conn = connection(tx)
        table = schema.counters
        updated = conn.execute(
            sa.update(table).where(table.c.name == name).values(value=table.c.value + 1)
        )
        if updated.rowcount == 0:
            conn.execute(sa.insert(table).values(name=name, value=1))
            return 1
        return int(conn.execute(sa.select(table.c.value).where(table.c.name == name)).scalar_one())

    def counter(self, tx: Transaction, name: str) -> int:
        conn = connection(tx)
        table = schema.counters
        value = conn.execute(sa.select(table.c.value).where(table.c.name == name)).scalar()
        return int(value) if value is not None else 0

    def set_counter(self, tx: Transaction, name: str, value: int) -> None:
        conn = connection(tx)
        table = schema.counters
        updated = conn.execute(sa.update(table).where(table.c.name == name).values(value=value))
        if updated.rowcount == 0:
            conn.execute(sa.insert(table).values(name=name, value=value))

    # -- incidents -------------------------------------------------------------------------------

    def add_incident(self, tx: Transaction, values: dict[str, Any]) -> Incident:
        conn = connection(tx)
        row = _values(values)
        new_id = conn.execute(sa.insert(_I).values(**row)).inserted_primary_key
        assert new_id is not None
        found = self.incident(int(new_id[0]), tx)
        assert found is not None
        return found

    def update_incident(self, tx: Transaction, incident_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_I).where(_I.c.id == incident_id).values(**_values(values)))

    def incident(self, incident_id: int, tx: Transaction | None = None) -> Incident | None:
        conn = connection(tx) if tx is not None else None
        stmt = sa.select(_I).where(_I.c.id == incident_id)
        if conn is not None:
            row = conn.execute(stmt).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(stmt).first()
        return _to_incident(row) if row else None

    def incident_by_reference(self, reference: str) -> Incident | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_I).where(_I.c.reference == reference)).first()
        return _to_incident(row) if row else None

    def open_incident_for_group(self, tx: Transaction, group_key: str) -> Incident | None:
        conn = connection(tx)
        row = conn.execute(
            sa.select(_I)
            .where(_I.c.group_key == group_key, _I.c.merged_into.is_(None))
            .where(_I.c.status.in_([s.value for s in Status if s not in _DONE]))
            .order_by(_I.c.id.desc())
            .limit(1)
        ).first()
        return _to_incident(row) if row else None

    def queue(
        self, limit: int, assignee_id: int | None = None, priority: str | None = None
    ) -> list[Incident]:
        """Open incidents whose clock runs out first, then those whose clock is paused. Two
        indexed reads ((due, id), then status), never a sort of every open incident."""

        def read(condition: Any, order: Any) -> list[Incident]:
            stmt = sa.select(_I).where(condition).order_by(*order).limit(limit)
            if assignee_id is not None:
                stmt = stmt.where(_I.c.assignee_id == assignee_id)
            if priority is not None:
                stmt = stmt.where(_I.c.priority == priority)
            with self.engine.connect() as conn:
                return [_to_incident(r) for r in conn.execute(stmt)]

        running = read(_I.c.due.is_not(None), (_I.c.due, _I.c.id))
        if len(running) >= limit:
            return running
        paused = read(
            sa.and_(
                _I.c.due.is_(None),
                _I.c.merged_into.is_(None),
                _I.c.status.in_([s.value for s in Status if s not in _DONE]),
            ),
            (_I.c.id,),
        )
        return running + paused[: limit - len(running)]

    def overdue(self, now: int) -> Iterator[Incident]:
        """Open incidents whose next deadline has passed and whose resolve clock is not marked
        breached yet (nothing later can happen to them), earliest first."""
        stmt = (
            sa.select(_I)
            .where(_I.c.due <= now, _I.c.breached.not_like("%resolve%"))
            .order_by(_I.c.due, _I.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        for row in rows:
            yield _to_incident(row)

    def incidents(
        self,
        *,
        open_only: bool = False,
        statuses: Sequence[str] | None = None,
        assignee_id: int | None = None,
        limit: int = 500,
    ) -> list[Incident]:
        stmt = sa.select(_I).where(_I.c.merged_into.is_(None)).order_by(_I.c.id.desc())
        if open_only:
            stmt = stmt.where(_I.c.status.in_([s.value for s in Status if s not in _DONE]))
        if statuses:
            stmt = stmt.where(_I.c.status.in_(list(statuses)))
        if assignee_id is not None:
            stmt = stmt.where(_I.c.assignee_id == assignee_id)
        with self.engine.connect() as conn:
            return [_to_incident(r) for r in conn.execute(stmt.limit(limit))]

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

    def incident_events(self, incident_id: int, limit: int = 200) -> list[tuple[int, Event]]:
        stmt = (
            sa.select(_E.c.id, _E.c.data)
            .join(_L, _L.c.event_id == _E.c.id)
            .where(_L.c.incident_id == incident_id)
            .order_by(_E.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(r.id, event_from_data(r.data)) for r in conn.execute(stmt)]

    def count_incident_events(self, incident_id: int) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(_L)
                    .where(_L.c.incident_id == incident_id)
                ).scalar_one()
            )

    def event_ids(self, fingerprints: Sequence[bytes]) -> dict[bytes, int]:
        found: dict[bytes, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(fingerprints), 500):
                part = list(fingerprints[start : start + 500])
                for row in conn.execute(
                    sa.select(_E.c.fingerprint, _E.c.id).where(_E.c.fingerprint.in_(part))
                ):
                    found[bytes(row.fingerprint)] = row.id
        return found

    def events_since(self, after_id: int, limit: int) -> list[tuple[int, Event]]:
        """Stored events with an id above ``after_id``, oldest first (for aggregation rules)."""
        stmt = (
            sa.select(_E.c.id, _E.c.data).where(_E.c.id > after_id).order_by(_E.c.id).limit(limit)
        )
        with self.engine.connect() as conn:
            return [(r.id, event_from_data(r.data)) for r in conn.execute(stmt)]

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
        conn = connection(tx)
        conn.execute(
            sa.insert(schema.timeline).values(
                incident_id=incident_id, at=at, actor=actor, kind=kind, text=text
            )
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

    def custody(self, evidence_id: int) -> list[dict[str, Any]]:
        t = schema.custody
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.evidence_id == evidence_id).order_by(t.c.id))
            return [dict(r._mapping) for r in rows]

    # -- the audit log ---------------------------------------------------------------------------

    def append_audit(self, tx: Transaction, **content: Any) -> AuditEntry:
        """Append an entry chained to the last one. The sequence number is the primary key, so
        two writers racing for one number cannot both succeed: the loser retries."""
        conn = connection(tx)
        for _ in range(20):
            last = conn.execute(sa.select(_A).order_by(_A.c.seq.desc()).limit(1)).first()
            entry = chain(_to_entry(last) if last else None, **content)
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(_A).values(
                            seq=entry.seq,
                            at=entry.at,
                            actor=entry.actor,
                            action=entry.action,
                            object_type=entry.object_type,
                            object_id=entry.object_id,
                            details=orjson.dumps(
                                entry.details, option=orjson.OPT_SORT_KEYS
                            ).decode(),
                            prev_hash=entry.prev_hash,
                            hash=entry.hash,
                        )
                    )
                return entry
            except IntegrityError:
                continue
        raise RuntimeError("the audit log is too busy to append to")

    def last_audit_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(_A.c.seq), 0))).scalar_one()
            )

    def audit(self, *, after: int = 0, limit: int = 1000) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_A).where(_A.c.seq > after).order_by(_A.c.seq).limit(limit)
            ).all()
        return [_to_entry(r) for r in rows]

    def audit_for(self, object_type: str, object_id: str, limit: int = 200) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_A)
                .where(_A.c.object_type == object_type, _A.c.object_id == object_id)
                .order_by(_A.c.seq)
                .limit(limit)
            ).all()
        return [_to_entry(r) for r in rows]


_DONE = frozenset({Status.RESOLVED, Status.CLOSED})


def _values(values: dict[str, Any]) -> dict[str, Any]:
    row = dict(values)
    if "status" in row and isinstance(row["status"], Status):
        row["status"] = row["status"].value
    if "breached" in row and not isinstance(row["breached"], str):
        row["breached"] = ",".join(sorted(row["breached"]))
    if "details" in row and not isinstance(row["details"], str):
        row["details"] = orjson.dumps(row["details"]).decode()
    unknown = set(row) - set(INCIDENT_COLUMNS)
    if unknown:
        raise KeyError(f"not incident columns: {sorted(unknown)}")
    return row


def _to_incident(row: Any) -> Incident:
    return Incident(
        id=row.id,
        reference=row.reference,
        title=row.title,
        type=row.type,
        priority=row.priority,
        tlp=row.tlp,
        status=Status(row.status),
        org_id=row.org_id,
        created=row.created,
        constituent=row.constituent,
        sector=row.sector,
        assignee_id=row.assignee_id,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        waiting_since=row.waiting_since,
        waited=row.waited,
        breached=frozenset(b for b in row.breached.split(",") if b),
        source=row.source,
        group_key=row.group_key,
        due=row.due,
        merged_into=row.merged_into,
        details=orjson.loads(row.details),
    )


def _to_entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        details=orjson.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
