"""Everything about one incident that a page or the API shows, read once its reader may see it.

Pages and the API call this; they never reach the store themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tocsin.cases.incidents import Incidents
from tocsin.model.event import Event
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.model.sla import Clock

EVENTS_SHOWN = 50  # the newest linked events; the rest are a search away


@dataclass(frozen=True, slots=True)
class Dossier:
    incident: Incident
    clock: Clock
    timeline: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    indicators: list[tuple[str, str]]
    events: list[tuple[int, Event]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    event_count: int = 0


def load(desk: Incidents, who: Principal, incident_id: int, *, full: bool = False) -> Dossier:
    """The incident and its parts; NotFound when it does not exist or may not be seen. ``full``
    adds the linked events (the newest 200) and the evidence list."""
    incident = desk.get(who, incident_id)
    cases = desk.cases
    return Dossier(
        incident=incident,
        clock=desk.clock(incident),
        timeline=cases.timeline(incident.id),
        tasks=cases.tasks(incident.id),
        indicators=cases.indicators(incident.id),
        events=cases.incident_events(incident.id, limit=EVENTS_SHOWN) if full else [],
        evidence=cases.evidence(incident.id) if full else [],
        event_count=cases.count_incident_events(incident.id) if full else 0,
    )
