"""The dashboard's grouped counts on SQLite and PostgreSQL: one statement each, the grouping
done by the database. Days are ``time // 86400`` (integer division on both backends); age
buckets and periods are ``CASE`` over bounds the caller computed, so no date function of either
dialect is needed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.access import IncidentScope
from tocsin.model.incident import OPEN
from tocsin.store.shapes import AgeTally, EventTally, IncidentTally, NoticeTally, ResponseTally
from tocsin.store.sql import schema

DAY = 86_400
_I = schema.incidents
_E = schema.events
_N = schema.notices


def in_scope(scope: IncidentScope) -> list[Any]:
    """The conditions ``access.can_see`` puts on incidents, for a WHERE clause."""
    conditions: list[Any] = [_I.c.merged_into.is_(None)]
    if scope.orgs is not None:
        conditions.append(_I.c.org_id.in_(list(scope.orgs)))
    if not scope.all_red:
        if scope.red_assignee is None:
            conditions.append(_I.c.tlp != "RED")
        else:
            conditions.append(sa.or_(_I.c.tlp != "RED", _I.c.assignee_id == scope.red_assignee))
    return conditions


def _bucket(column: Any, bounds: Sequence[int], *, descending: bool = False) -> Any:
    """``i`` for the first bound ``column`` is under (or, ``descending``, above); else
    ``len(bounds)``."""
    whens = [
        ((column > bound) if descending else (column < bound), i) for i, bound in enumerate(bounds)
    ]
    return sa.case(*whens, else_=len(bounds))


class SqlDashboard:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _rows(self, stmt: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).all())

    def incident_tallies(self, scope: IncidentScope, since: int, until: int) -> list[IncidentTally]:
        day = (_I.c.created // DAY).label("day")
        stmt = (
            sa.select(day, _I.c.type, _I.c.sector, sa.func.count())
            .where(_I.c.created >= since, _I.c.created < until, *in_scope(scope))
            .group_by(day, _I.c.type, _I.c.sector)
        )
        return [IncidentTally(int(d), t, s, int(n)) for d, t, s, n in self._rows(stmt)]

    def event_tallies(self, since: int, until: int, max_tlp: int | None) -> list[EventTally]:
        day = (_E.c.event_time // DAY).label("day")
        stmt = (
            sa.select(day, _E.c.feed, _E.c.type, sa.func.count())
            .where(_E.c.event_time >= since, _E.c.event_time < until)
            .group_by(day, _E.c.feed, _E.c.type)
        )
        if max_tlp is not None:
            stmt = stmt.where(_E.c.tlp <= max_tlp)
        return [EventTally(int(d), f, t, int(n)) for d, f, t, n in self._rows(stmt)]

    def open_ages(self, scope: IncidentScope, now: int, ages: Sequence[int]) -> list[AgeTally]:
        bucket = _bucket(_I.c.created, [now - age for age in ages], descending=True).label("b")
        stmt = (
            sa.select(_I.c.priority, bucket, sa.func.count())
            .where(_I.c.status.in_(sorted(OPEN)), *in_scope(scope))
            .group_by(_I.c.priority, bucket)
        )
        return [AgeTally(p, int(b), int(n)) for p, b, n in self._rows(stmt)]

    def response_tallies(self, scope: IncidentScope, edges: Sequence[int]) -> list[ResponseTally]:
        period = (_bucket(_I.c.created, edges[1:])).label("period")
        acked = _I.c.acknowledged_at.is_not(None)
        resolved = _I.c.resolved_at.is_not(None)
        stmt = (
            sa.select(
                period,
                _I.c.priority,
                sa.func.count(),
                sa.func.count(_I.c.acknowledged_at),
                sa.func.coalesce(
                    sa.func.sum(sa.case((acked, _I.c.acknowledged_at - _I.c.created), else_=0)),
                    0,
                ),
                sa.func.count(_I.c.resolved_at),
                sa.func.coalesce(
                    sa.func.sum(
                        sa.case((resolved, _I.c.resolved_at - _I.c.created - _I.c.waited), else_=0)
                    ),
                    0,
                ),
            )
            .where(_I.c.created >= edges[0], _I.c.created < edges[-1], *in_scope(scope))
            .group_by(period, _I.c.priority)
        )
        return [
            ResponseTally(int(p), prio, int(n), int(a), int(a_s), int(r), int(r_s))
            for p, prio, n, a, a_s, r, r_s in self._rows(stmt)
        ]

    def notice_tallies(self, since: int, until: int) -> list[NoticeTally]:
        day = (_N.c.sent_at // DAY).label("day")
        stmt = (
            sa.select(day, sa.func.count(), sa.func.count(_N.c.acknowledged_at))
            .where(_N.c.sent_at >= since, _N.c.sent_at < until)
            .group_by(day)
        )
        return [NoticeTally(int(d), int(s), int(a)) for d, s, a in self._rows(stmt)]


__all__ = ["SqlDashboard", "in_scope"]
