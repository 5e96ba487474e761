"""Incidents in the SQL store; their parts (``case_parts``) and the audit log (``audit``) are
the rest of ``SqlCases``.

Every change is made inside a transaction the service layer opens (``Store.transaction``), so
that the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.access import IncidentScope
from tocsin.model.audit import AuditKeySource
from tocsin.model.incident import Incident, Status
from tocsin.model.queue import QueueQuery
from tocsin.store.shapes import Transaction
from tocsin.store.sql import fulltext, queue, schema
from tocsin.store.sql.audit import AuditLog
from tocsin.store.sql.case_parts import IncidentParts
from tocsin.store.sql.dashboard import in_scope
from tocsin.store.sql.engine import connection, insert_if_new

_I = schema.incidents
PER_SOURCE = 200  # the newest matches of each full-text source, before the scope is applied

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


class SqlCases(IncidentParts, AuditLog):
    def __init__(self, engine: Engine, audit_key: AuditKeySource | None = None) -> None:
        self.engine = engine
        self.audit_key = audit_key

    # -- references ------------------------------------------------------------------------------

    def next_number(self, tx: Transaction, name: str) -> int:
        """The next value of a named counter (one per year for incident references)."""
        return self.next_numbers(tx, name, 1)

    def next_numbers(self, tx: Transaction, name: str, count: int) -> int:
        """The first of the ``count`` next values of a named counter, taken at once."""
        conn = connection(tx)
        table = schema.counters
        bump = sa.update(table).where(table.c.name == name).values(value=table.c.value + count)
        if conn.execute(bump).rowcount == 0:
            if insert_if_new(conn, table, name=name, value=count):
                return 1
            conn.execute(bump)  # another transaction made it meanwhile: it is there now
        last = conn.execute(sa.select(table.c.value).where(table.c.name == name)).scalar_one()
        return int(last) - count + 1

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

    def add_incidents(self, tx: Transaction, rows: Sequence[dict[str, Any]]) -> list[Incident]:
        conn = connection(tx)
        if not rows:
            return []
        conn.execute(sa.insert(_I), [_values(row) for row in rows])
        references = [row["reference"] for row in rows]
        found: dict[str, Incident] = {}
        for start in range(0, len(references), 500):
            part = references[start : start + 500]
            for row in conn.execute(sa.select(_I).where(_I.c.reference.in_(part))):
                found[row.reference] = _to_incident(row)
        return [found[reference] for reference in references]

    def update_incidents(
        self, tx: Transaction, changes: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        conn = connection(tx)
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for incident_id, values in changes:
            row = _values(values)
            by_columns.setdefault(tuple(sorted(row)), []).append({"_id": incident_id, **row})
        for columns, rows in by_columns.items():
            stmt = (
                sa.update(_I)
                .where(_I.c.id == sa.bindparam("_id"))
                .values({c: sa.bindparam(c) for c in columns})
            )
            conn.execute(stmt, rows)

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

    def open_incidents_for_groups(
        self, tx: Transaction, group_keys: Sequence[str]
    ) -> dict[str, Incident]:
        conn = connection(tx)
        found: dict[str, Incident] = {}
        keys = sorted(set(group_keys))
        for start in range(0, len(keys), 500):
            rows = conn.execute(
                sa.select(_I)
                .where(_I.c.group_key.in_(keys[start : start + 500]), _I.c.merged_into.is_(None))
                .where(_I.c.status.in_([s.value for s in Status if s not in _DONE]))
                .order_by(_I.c.id)
            )
            for row in rows:  # the newest of a group last, so it stays
                found[row.group_key] = _to_incident(row)
        return found

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

    def queue_page(
        self, scope: IncidentScope, query: QueueQuery, assignee: str
    ) -> tuple[list[Incident], int]:
        """One page of the open incidents in ``scope`` that ``query`` asks for, and how many
        there are in all: two statements, the page and its count."""
        where = queue.conditions(scope, query, assignee)
        page = (
            sa.select(_I)
            .where(*where)
            .order_by(*queue.order(query))
            .limit(query.per_page)
            .offset(query.offset)
        )
        total = sa.select(sa.func.count()).select_from(_I).where(*where)
        with self.engine.connect() as conn:
            rows = [_to_incident(r) for r in conn.execute(page)]
            count = int(conn.execute(total).scalar_one())
        return rows, count

    def incidents_saying(
        self, scope: IncidentScope, text: str, limit: int
    ) -> list[tuple[Incident, str]]:
        """Incidents in ``scope`` whose title, notes, mail or victims' answers hold every word
        of ``text`` (full text, store.sql.fulltext), the newest first, each with where it
        matched (title, note or account)."""
        with self.engine.connect() as conn:
            matched = fulltext.matching(conn, text, PER_SOURCE)
            if not matched:
                return []
            stmt = (
                sa.select(_I)
                .where(_I.c.id.in_(list(matched)), *in_scope(scope))
                .order_by(_I.c.id.desc())
                .limit(limit)
            )
            return [(_to_incident(r), matched[int(r.id)]) for r in conn.execute(stmt)]

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
