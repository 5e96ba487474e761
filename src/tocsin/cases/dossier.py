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
    notices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def correspondence(self) -> list[dict[str, Any]]:
        """The timeline's mail (in and out) and the reporters' words, oldest first."""
        return [line for line in self.timeline if line["kind"] in ("mail", "report")]


def load(desk: Incidents, who: Principal, incident_id: int, *, full: bool = False) -> Dossier:
    """The incident and its parts; NotFound when it does not exist or may not be seen. ``full``
    adds the linked events (the newest 200) and the evidence list."""
    incident = desk.get(who, incident_id)
    return Dossier(
        incident=incident,
        clock=desk.clock(incident),
        timeline=desk.timeline(incident),
        tasks=desk.tasks(incident),
        indicators=desk.indicators(incident),
        events=desk.numbered_events(who, incident, limit=EVENTS_SHOWN) if full else [],
        evidence=desk.evidence_list(incident) if full else [],
        event_count=desk.event_count(who, incident) if full else 0,
        notices=desk.notices(who, incident),
    )
