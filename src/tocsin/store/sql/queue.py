"""The queue as the store reads it: the conditions and the order of the open incidents a person
may see, filtered, ordered and cut into pages (``SqlCases.queue_page`` runs them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tocsin.model.access import IncidentScope
from tocsin.model.incident import OPEN
from tocsin.model.queue import QueueQuery
from tocsin.store.sql import schema
from tocsin.store.sql.dashboard import in_scope

_I = schema.incidents


def literal(text: str) -> str:
    """``text`` for a LIKE pattern, its wildcards taken as characters (escape: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(text: str) -> str:
    """``text`` as a LIKE prefix, in lower case, its wildcards taken literally."""
    return literal(text.lower()) + "%"


def conditions(scope: IncidentScope, query: QueueQuery, assignee: str) -> list[Any]:
    """What the query and the person's scope ask of an incident, as SQL conditions."""
    found: list[Any] = [
        _I.c.status.in_(sorted(s.value for s in OPEN)),
        _I.c.merged_into.is_(None),
        *in_scope(scope),
    ]
    for name in ("priority", "type", "sector", "tlp", "status"):
        value = getattr(query, name)
        if value:
            found.append(_I.c[name] == value)
    if query.constituent:
        found.append(sa.func.lower(_I.c.constituent).like(_prefix(query.constituent), escape="\\"))
    if assignee == "none":
        found.append(_I.c.assignee_id.is_(None))
    elif assignee:
        found.append(_I.c.assignee_id == int(assignee))
    if query.source == "manual":
        found.append(_I.c.source == "manual")
    elif query.source:
        found.append(_I.c.source.like(query.source + ":%"))
    if query.breached:
        found.append(_I.c.breached != "")
    return found


def _last_if_null(column: Any) -> Any:
    return sa.case((column.is_(None), 1), else_=0)


def order(query: QueueQuery) -> list[Any]:
    """The order asked for, the incident's number last so that pages never overlap."""
    keys: list[Any]
    if query.sort == "urgency":
        keys = [sa.case((_I.c.breached != "", 0), else_=1), _last_if_null(_I.c.due), _I.c.due]
    elif query.sort == "reference":
        keys = []
    elif query.sort == "constituent":
        keys = [_last_if_null(_I.c.constituent), sa.func.lower(_I.c.constituent)]
    else:
        keys = [_I.c[query.sort]]
    keys.append(_I.c.id)
    return [key.desc() if query.descending else key.asc() for key in keys]


__all__ = ["conditions", "literal", "order"]
