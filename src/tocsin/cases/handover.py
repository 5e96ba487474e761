"""The shift hand-over: what changed since a time, and what falls due soon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.cases.incidents import Incidents, QueueRow
from tocsin.model.incident import Incident
from tocsin.model.people import Principal

DUE_WITHIN = 2 * 60 * 60
PAGE = 500
SCANNED_AT_MOST = 20_000


@dataclass(frozen=True, slots=True)
class Change:
    incident: Incident
    line: dict[str, Any]  # a timeline line: at, actor, kind, text


def changes_since(desk: Incidents, who: Principal, at: int, limit: int = 500) -> list[Change]:
    """Timeline lines since ``at``, newest first, of the incidents this person may see. Lines of
    incidents they may not see are skipped before counting, reading further pages as needed."""
    seen: dict[int, Incident | None] = {}
    changes: list[Change] = []
    offset = 0
    while len(changes) < limit and offset < SCANNED_AT_MOST:
        page = desk.timeline_since(at, limit=PAGE, offset=offset)
        if not page:
            break
        offset += len(page)
        for line in page:
            incident_id = line["incident_id"]
            if incident_id not in seen:
                seen[incident_id] = desk.seen_by(who, incident_id)
            found = seen[incident_id]
            if found is not None and len(changes) < limit:
                changes.append(Change(found, line))
    return changes


def due_soon(desk: Incidents, who: Principal) -> list[QueueRow]:
    """Open incidents whose nearest clock runs out within two hours (or already has)."""
    return [
        row
        for row in desk.queue(who)
        if row.clock.most_urgent is not None and row.clock.most_urgent <= DUE_WITHIN
    ]
