"""What every change to an incident shares: the store, the injected clock and SLA policy, reading
an incident as the acting person may, and the record of each change (its timeline line, its audit
entry, and the stored deadline of its next SLA clock)."""

from __future__ import annotations

from typing import Any

from tocsin.model import access
from tocsin.model.clock import Now, wall_clock
from tocsin.model.event import Event
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.model.sla import Clock, SlaPolicy
from tocsin.store.base import Store
from tocsin.store.shapes import EventFilter, EventPage, Transaction


class IncidentRecord:
    """The incident service's foundation; ``now`` is injected so that tests move time."""

    def __init__(
        self, store: Store, *, now: Now = wall_clock, sla: SlaPolicy | None = None
    ) -> None:
        self.store = store
        self.cases = store.cases
        self.now = now
        self.sla = sla or SlaPolicy.default()

    # -- reading ---------------------------------------------------------------------------------

    def get(self, who: Principal, incident_id: int) -> Incident:
        return access.visible(who, self.cases.incident(incident_id))

    def by_reference(self, who: Principal, reference: str) -> Incident:
        """The incident people quote (``TOC-2026-000042``), if this person may see it."""
        return access.visible(who, self.cases.incident_by_reference(reference.strip().upper()))

    def clock(self, incident: Incident) -> Clock:
        return self.sla.clock(incident, self.now())

    def linked_events(self, who: Principal, incident: Incident, *, limit: int) -> list[Event]:
        """The events linked to an incident read through ``get`` or ``by_reference`` that this
        person may read (``access.tlp_cap``)."""
        return [e for _, e in self.numbered_events(who, incident, limit=limit)]

    def seen_by(self, who: Principal, incident_id: int) -> Incident | None:
        """The incident if this person may see it; None when it does not exist or may not be."""
        found = self.cases.incident(incident_id)
        return found if found is not None and access.can_see(who, found) else None

    # -- an incident's parts, once ``get`` or ``by_reference`` let the reader see it -------------

    def timeline(self, incident: Incident) -> list[dict[str, Any]]:
        return self.cases.timeline(incident.id)

    def tasks(self, incident: Incident) -> list[dict[str, Any]]:
        return self.cases.tasks(incident.id)

    def indicators(self, incident: Incident) -> list[tuple[str, str]]:
        return self.cases.indicators(incident.id)

    def numbered_events(
        self, who: Principal, incident: Incident, *, limit: int
    ) -> list[tuple[int, Event]]:
        """The linked events this person may read, with their stored ids, newest first."""
        cap = access.tlp_cap(who)
        return self.cases.incident_events(incident.id, limit=limit, max_tlp=cap)

    def event_count(self, who: Principal, incident: Incident) -> int:
        """How many linked events this person may read."""
        return self.cases.count_incident_events(incident.id, max_tlp=access.tlp_cap(who))

    def evidence_list(self, incident: Incident) -> list[dict[str, Any]]:
        return self.cases.evidence(incident.id)

    def notices(self, who: Principal, incident: Incident) -> list[dict[str, Any]]:
        """The notices its events went out in, the newest first, for the desk's staff (a
        notice names its recipients' addresses)."""
        if who.role not in access.STAFF:
            return []
        return self.store.notices.for_incident(incident.id)

    # -- across incidents ------------------------------------------------------------------------

    def sharing_indicator(self, kind: str, value: str, limit: int) -> list[int]:
        """The ids of incidents carrying this indicator (the caller checks who may see them)."""
        return self.cases.incidents_with_indicator(kind, value, limit)

    def timeline_since(self, at: int, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """Timeline lines of every incident since ``at``, newest first (the caller checks who
        may see each incident)."""
        return self.cases.timeline_since(at, limit=limit, offset=offset)

    def find_events(self, query: EventFilter) -> EventPage:
        """A page of the desk's events matching ``query`` (its ``max_tlp`` is the caller's)."""
        return self.store.search(query)

    def refresh_due(self, conn: Transaction, incident_id: int) -> None:
        """Store when the incident's next clock runs out (after any change to it)."""
        current = self.cases.incident(incident_id, conn)
        if current is not None:
            self.cases.update_incident(conn, incident_id, due=self.sla.due(current))

    # -- the record of every change --------------------------------------------------------------

    def record(
        self,
        conn: Transaction,
        who: Principal,
        incident: Incident,
        action: str,
        kind: str,
        text: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        now = self.now()
        self.refresh_due(conn, incident.id)
        self.cases.add_timeline(conn, incident.id, now, who.username, kind, text)
        self.cases.append_audit(
            conn,
            at=now,
            actor=who.username,
            action=action,
            object_type="incident",
            object_id=incident.reference,
            details=details or {},
        )


__all__ = ["IncidentRecord"]
