"""The counts ``/metrics`` shows, read at scrape time from the tables' indexes: events by feed
past an id (the primary key's range, so a scrape costs what came in since the last one),
quarantined rows by feed (``quarantine_file``), open incidents (``incidents_status``) and notices
by status (``notices_due``)."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.incident import OPEN
from tocsin.store.shapes import Figures
from tocsin.store.sql import schema

_E = schema.events
_Q = schema.quarantine
_I = schema.incidents
_N = schema.notices


def figures(engine: Engine, after_event: int) -> Figures:
    with engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(_E.c.id))).scalar() or 0
        by_feed = conn.execute(
            sa.select(_E.c.feed, sa.func.count())
            .where(_E.c.id > after_event, _E.c.id <= last)
            .group_by(_E.c.feed)
        ).all()
        quarantined = conn.execute(sa.select(_Q.c.feed, sa.func.count()).group_by(_Q.c.feed)).all()
        open_rows = conn.execute(
            sa.select(_I.c.priority, _I.c.breached, sa.func.count())
            .where(_I.c.status.in_(sorted(OPEN)), _I.c.merged_into.is_(None))
            .group_by(_I.c.priority, _I.c.breached)
        ).all()
        notices = conn.execute(sa.select(_N.c.status, sa.func.count()).group_by(_N.c.status)).all()
    open_by_priority: Counter[str] = Counter()
    breached: Counter[tuple[str, str]] = Counter()
    for priority, clocks, count in open_rows:
        open_by_priority[priority] += count
        for clock in (c for c in clocks.split(",") if c):
            breached[(priority, clock)] += count
    return Figures(
        events_by_feed={feed: int(n) for feed, n in by_feed},
        last_event=int(last),
        quarantined_by_feed={feed: int(n) for feed, n in quarantined},
        open_by_priority=dict(open_by_priority),
        breached_open=dict(breached),
        notices_by_status={status: int(n) for status, n in notices},
    )


__all__ = ["figures"]
