"""Related items: other incidents and events that share an indicator with an incident.

Found by indexed lookups (the indicators index and the events' address, domain and URL indexes),
never a pairwise correlation table; every list is capped, so the answer stays fast at millions
of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.cases.incidents import Incidents
from tocsin.model import access
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.store.shapes import EventFilter

PER_INDICATOR = 20
INDICATORS_LOOKED_AT = 50


@dataclass(frozen=True, slots=True)
class Related:
    incidents: list[tuple[Incident, str]]  # the incident and the indicator it shares
    events: list[tuple[dict[str, Any], str]]


def related(incidents: Incidents, who: Principal, incident_id: int, cap: int = 50) -> Related:
    incident = incidents.get(who, incident_id)
    linked = {
        fp
        for e in incidents.linked_events(who, incident, limit=1000)
        if (fp := e.get("tocsin.fingerprint"))
    }
    found_incidents: dict[int, tuple[Incident, str]] = {}
    found_events: dict[str, tuple[dict[str, Any], str]] = {}
    for kind, value in incidents.indicators(incident)[:INDICATORS_LOOKED_AT]:
        shown = f"{kind} {value}"
        for other_id in incidents.sharing_indicator(kind, value, PER_INDICATOR + 1):
            if other_id == incident.id or other_id in found_incidents:
                continue
            other = incidents.seen_by(who, other_id)
            if other is not None:
                found_incidents[other_id] = (other, shown)
        query = _query(kind, value, access.tlp_cap(who))
        if query is not None and len(found_events) < cap:
            for event in incidents.find_events(query).events:
                fp = event.get("tocsin.fingerprint", "")
                if fp not in linked and fp not in found_events:
                    found_events[fp] = (event, shown)
        if len(found_incidents) >= cap and len(found_events) >= cap:
            break
    return Related(list(found_incidents.values())[:cap], list(found_events.values())[:cap])


def _query(kind: str, value: str, max_tlp: int | None) -> EventFilter | None:
    if kind in ("ip", "network"):
        return EventFilter(ip=value, limit=PER_INDICATOR, max_tlp=max_tlp)
    if kind == "fqdn":
        return EventFilter(fqdn=value, limit=PER_INDICATOR, max_tlp=max_tlp)
    if kind == "url":
        return EventFilter(url=value, limit=PER_INDICATOR, max_tlp=max_tlp)
    return None
