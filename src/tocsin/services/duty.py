"""The duty officer's alarms for requests for assistance (docs/assistance.md, "Emergencies and
clocks at work").

- **Emergency.** An emergency request (imminent risk to life or safety), created or received,
  opens at once a P1 incident of type ``other`` (source ``assist``) in the queue of the team that
  holds it, linked to the request. Its title names the request's reference only ("RFA-2026-0001:
  emergency request for assistance — acknowledge within 8 h"): analysts who see the queue may not
  read requests. One per request (the counter ``assist-emergency:<ref>`` remembers it was raised,
  so a resolved alarm does not come back); resolved by Tocsin once the request is acknowledged
  (or answered, withdrawn, closed).
- **Clock watch.** The scheduler's ``assist-clocks`` job: for each open request, the latest
  threshold each clock has passed (a warning before its due time, or its breach) is announced
  once for that due time — an audit entry ``assist.clock`` on the request, and the counter of
  that threshold set to the due time in the same transaction, so a second run or a restart
  announces nothing again. The breach of an 8 h acknowledgement (urgent or emergency) also raises
  the alarm in the queue: a note on the emergency's open incident, else a new incident.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tocsin.assist.duty import (
    ALARM_RULES,
    ALL,
    UNACKNOWLEDGED,
    ClockWatch,
    RegisterRow,
    Threshold,
)
from tocsin.cases.incident_rows import checked
from tocsin.cases.incidents import Incidents
from tocsin.model.assist.request import Request
from tocsin.model.assist.states import OPEN
from tocsin.model.clock import Now
from tocsin.model.incident import Status
from tocsin.model.people import Principal
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

log = logging.getLogger("tocsin.duty")

PRIORITY = "P1"  # an emergency: imminent risk to life or safety
OVERDUE_PRIORITY = {True: "P1", False: "P2"}  # an overdue acknowledgement, emergency or urgent
TYPE = "other"
SOURCE = "assist"
EMERGENCY_TITLE = "{ref}: emergency request for assistance — acknowledge within 8 h"
OVERDUE_TITLE = "{ref}: request for assistance not acknowledged within 8 h"


def emergency_key(ref: str) -> str:
    """The group key of a request's emergency incident (and the counter that it was raised)."""
    return f"assist-emergency:{ref}"


def overdue_key(ref: str) -> str:
    return f"assist-overdue:{ref}"


def waiting(request: Request) -> bool:
    """An emergency whose alarm stays up: not yet acknowledged, answered or ended."""
    return request.acknowledged_at is None and request.state in UNACKNOWLEDGED


@dataclass(frozen=True, slots=True)
class Watched:
    """What one run of the watch did: the emergency alarms raised and resolved (references),
    and the thresholds announced ("RFA-2026-0001 bc29_preservation T-14d")."""

    raised: list[str]
    resolved: list[str]
    announced: list[str]


class Duty:
    """The alarms of emergencies and clocks, and the register with its clocks."""

    def __init__(self, store: Store, incidents: Incidents, watch: ClockWatch, now: Now) -> None:
        self.store = store
        self.incidents = incidents
        self.watch = watch
        self.now = now

    # -- what the register shows -----------------------------------------------------------------

    def register_rows(
        self,
        who: Principal,
        *,
        direction: str | None = None,
        state: str | None = None,
        basis: str | None = None,
        emergency: bool | None = None,
        limit: int = 200,
    ) -> list[RegisterRow]:
        """The register with each request's clocks: open emergencies on top with the time
        left (``RegisterRow.countdown``), then the nearest clock first (``ClockWatch``)."""
        return self.watch.register_rows(
            who, direction=direction, state=state, basis=basis, emergency=emergency, limit=limit
        )

    def clocks(self, who: Principal, request_id: int) -> RegisterRow:
        """One request's clocks, for its page."""
        return self.watch.clocks_of(who, request_id)

    # -- the emergency alarm ---------------------------------------------------------------------

    def changed(self, request: Request) -> None:
        """A request was created or moved: raise its emergency alarm, or resolve it."""
        if not request.emergency:
            return
        if waiting(request):
            self.alert(request)
        else:
            self.stand_down(request)

    def alert(self, request: Request) -> bool:
        """Open the request's emergency incident, once; True when it was opened now."""
        system = Principal.system()
        key = emergency_key(request.ref)
        with self.store.transaction() as tx:
            if self.store.cases.counter(tx, key):
                return False
            values = checked(
                EMERGENCY_TITLE.format(ref=request.ref), TYPE, PRIORITY, "AMBER", SOURCE
            )
            incident = self.incidents.insert(
                tx,
                system,
                values,
                request.org_id,
                source=SOURCE,
                group_key=key,
                details={"request": request.ref, "alarm": "emergency"},
            )
            self.store.assist.link_incident(tx, request.id, incident.id)
            self.store.cases.set_counter(tx, key, 1)
            self._audit(tx, request, "assist.alarm", {"incident": incident.reference})
        log.warning("emergency request %s: alarm %s raised", request.ref, incident.reference)
        return True

    def stand_down(self, request: Request) -> bool:
        """Resolve the request's open emergency incident; True when there was one."""
        with self.store.transaction() as tx:
            found = self.store.cases.open_incident_for_group(tx, emergency_key(request.ref))
        if found is None:
            return False
        said = f"request {request.ref} {request.state.label}"
        self.incidents.transition(Principal.system(), found.id, Status.RESOLVED.value, said)
        return True

    # -- the watch -------------------------------------------------------------------------------

    def check(self) -> Watched:
        """One run of the ``assist-clocks`` job."""
        raised, resolved = [], []
        for request in self.store.assist.requests(emergency=True, limit=ALL):
            if waiting(request) and self.alert(request):
                raised.append(request.ref)
            elif not waiting(request) and self.stand_down(request):
                resolved.append(request.ref)
        requests = self.store.assist.requests(states=OPEN, limit=ALL)
        announced = [
            f"{t.request.ref} {t.clock.name} {t.label}"
            for t in self.watch.thresholds(requests)
            if self.announce(t)
        ]
        return Watched(raised, resolved, announced)

    def announce(self, threshold: Threshold) -> bool:
        """Announce a threshold once for its clock's due time; True when announced now."""
        due = int(threshold.clock.due_at.timestamp())
        with self.store.transaction() as tx:
            if self.store.cases.counter(tx, threshold.key) == due:
                return False
            self.store.cases.set_counter(tx, threshold.key, due)
            clock = threshold.clock
            details = {
                "clock": clock.name,
                "threshold": threshold.label,
                "due_at": clock.due_at.isoformat(),
                "source": clock.source,
                **({"local_due": clock.local_due.isoformat()} if clock.local_due else {}),
            }
            self._audit(tx, threshold.request, "assist.clock", details)
        if threshold.breach and clock.name in ALARM_RULES:
            self._overdue(threshold.request)
        return True

    def _overdue(self, request: Request) -> None:
        system = Principal.system()
        with self.store.transaction() as tx:
            found = self.store.cases.open_incident_for_group(tx, emergency_key(request.ref))
        if found is not None:
            self.incidents.add_note(
                system, found.id, f"{request.ref}: 8 h acknowledgement breached"
            )
            return
        title = OVERDUE_TITLE.format(ref=request.ref)
        with self.store.transaction() as tx:
            values = checked(title, TYPE, OVERDUE_PRIORITY[request.emergency], "AMBER", SOURCE)
            incident = self.incidents.insert(
                tx,
                system,
                values,
                request.org_id,
                source=SOURCE,
                group_key=overdue_key(request.ref),
                details={"request": request.ref, "alarm": "overdue"},
            )
            self.store.assist.link_incident(tx, request.id, incident.id)
            self._audit(tx, request, "assist.alarm", {"incident": incident.reference})

    def _audit(
        self, tx: Transaction, request: Request, action: str, details: dict[str, Any]
    ) -> None:
        self.store.cases.append_audit(
            tx,
            at=self.now(),
            actor="tocsin",
            action=action,
            object_type="assist",
            object_id=request.ref,
            details=details,
        )


__all__ = ["Duty", "Watched", "emergency_key", "overdue_key", "waiting"]
