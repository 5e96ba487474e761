"""A new incident's checked values and row, and incidents opened and recorded many at a time.

``Incidents.insert`` opens one incident; the aggregation rules open and change hundreds for a
batch of events, so they write them here in a handful of statements inside their transaction:
the same rows, timeline lines and audit entries, and the same stored SLA deadline, as
``Incidents.insert`` and ``Incidents.record`` write one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from tocsin.errors import InvalidValue
from tocsin.model import types
from tocsin.model.fields import priority as sanitize_priority
from tocsin.model.incident import Incident, Status, reference
from tocsin.model.limits import bounded, limit_of
from tocsin.model.people import Principal
from tocsin.model.taxonomy import classification_type
from tocsin.model.tlp import tlp as sanitize_tlp
from tocsin.store.shapes import Transaction

if TYPE_CHECKING:
    from tocsin.cases.incident_record import IncidentRecord


def checked(title: str, type: str, priority: str, tlp: str, source: str) -> dict[str, Any]:
    """A new incident's title, type, priority and TLP, each checked (``InvalidValue``)."""
    return {
        "title": _title(title, source),
        "type": InvalidValue.check("type", type, classification_type),
        "priority": InvalidValue.check("priority", priority, sanitize_priority),
        "tlp": InvalidValue.check("tlp", tlp, sanitize_tlp),
    }


class Opening(NamedTuple):
    """What a new incident is opened with besides its checked values."""

    values: dict[str, Any]  # from ``checked``
    constituent: str | None = None
    sector: str | None = None
    source: str = "manual"
    group_key: str | None = None
    details: dict[str, Any] | None = None


def row(opening: Opening, ref: str, owner: int, now: int) -> dict[str, Any]:
    """The stored row of a new incident."""
    return {
        **opening.values,
        "reference": ref,
        "status": Status.NEW,
        "org_id": owner,
        "created": now,
        "constituent": opening.constituent,
        "sector": opening.sector,
        "waited": 0,
        "breached": "",
        "source": opening.source,
        "group_key": opening.group_key,
        "details": opening.details or {},
    }


class Record(NamedTuple):
    """One change to record: the incident as it now is, and what its line and entry say."""

    incident: Incident
    action: str
    kind: str
    text: str
    details: dict[str, Any]


def open_many(
    desk: IncidentRecord, conn: Transaction, who: Principal, openings: Sequence[Opening], owner: int
) -> list[Incident]:
    """New incidents without events, numbered in order, each with its "opened" record."""
    if not openings:
        return []
    now = desk.now()
    year = datetime.fromtimestamp(now, tz=UTC).year
    first = desk.cases.next_numbers(conn, f"incident:{year}", len(openings))
    made = desk.cases.add_incidents(
        conn, [row(o, reference(year, first + n), owner, now) for n, o in enumerate(openings)]
    )
    record_many(
        desk,
        conn,
        who,
        [Record(i, "incident.create", "created", f"opened: {i.title}", {}) for i in made],
    )
    return made


def record_many(
    desk: IncidentRecord, conn: Transaction, who: Principal, records: Sequence[Record]
) -> None:
    """What ``IncidentRecord.record`` writes for each change, in three statements: each
    incident's next deadline, its timeline line, its audit entry (chained in order)."""
    if not records:
        return
    now = desk.now()
    desk.cases.update_incidents(
        conn, [(r.incident.id, {"due": desk.sla.due(r.incident)}) for r in records]
    )
    desk.cases.add_timelines(
        conn, [(r.incident.id, now, who.username, r.kind, r.text) for r in records]
    )
    desk.cases.append_audits(
        conn,
        [
            {
                "at": now,
                "actor": who.username,
                "action": r.action,
                "object_type": "incident",
                "object_id": r.incident.reference,
                "details": r.details,
            }
            for r in records
        ],
    )


def _title(title: str, source: str) -> str:
    """A person's title (typed, or given to a split) over the limit is refused whole; one Tocsin
    composes from a rule or a report, which may quote a long URL, is cut to fit."""
    text = InvalidValue.check("title", title, types.string)
    if source == "manual" or source.startswith("split:"):
        return bounded("incident.title", text)
    return text[: limit_of("incident.title")]


__all__ = ["Opening", "Record", "checked", "open_many", "record_many", "row"]
