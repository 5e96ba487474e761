"""The clocks of requests for assistance at work: each request's clocks as the register shows
them (emergencies on top, with the time left), and the thresholds the clock watch announces.

Pure reading of the store; the alarm in the queue (an incident) is the services' ``Duty``,
since incidents belong to another package. Conventions (``docs/assistance.md``, section
"Emergencies and clocks at work"):

- a clock is **open** while it runs, warns, is paused or is breached without having stopped;
- a request's **countdown** is the time left on its nearest open clock (negative once past);
- the register puts open emergencies first, then the requests with an open clock, the nearest
  due first, then the rest as the store gives them (the newest first);
- a **threshold** is a warning offset before a clock's due time (the rule's own, and those of
  ``EXTRA_WARNINGS``) or its breach; the watch announces the latest one passed, once for each
  due time (an extension moves the due time, and its warnings come again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tocsin.assist.access import can_see, reader, visible
from tocsin.assist.record import AssistRecord, moment
from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.clock_rules import HOUR, RULE
from tocsin.model.assist.clocks import Clock, clocks
from tocsin.model.assist.request import Direction, Request
from tocsin.model.assist.states import State
from tocsin.model.people import Principal

OPEN_CLOCK = frozenset({"running", "warning", "paused", "breached"})
# warnings the watch gives besides a rule's own: the 48 h validation of an emergency order
# issued by a non-judicial authority (Regulation 2023/1543 Art. 4(5)) and the 8 h answer to an
# urgent request, each a few hours before it is due
EXTRA_WARNINGS: dict[str, tuple[timedelta, ...]] = {
    "emergency_validation_48h": (12 * HOUR,),
    "urgent_ack": (2 * HOUR,),
}
# the breaches that raise an incident in the queue: the urgent or emergency acknowledgement, and
# the emergency EPOC's 8 hours
ALARM_RULES = frozenset({"urgent_ack", "epoc_8h"})
# the states in which an emergency has not been acknowledged yet (its alarm stays up)
UNACKNOWLEDGED = frozenset(
    {
        State.DRAFT,
        State.AWAITING_APPROVAL,
        State.APPROVED,
        State.SENT,
        State.DELIVERED,
        State.CLARIFICATION_REQUESTED,
    }
)
ALL = 100_000  # the watch reads every open request


@dataclass(frozen=True, slots=True)
class ClockView:
    """One clock of a request as people read it: ``remaining`` is seconds left (negative once
    past; frozen while paused or once stopped); ``local_due`` is the due time in the
    counterpart's zone when it is known."""

    name: str
    label: str
    source: str
    state: str
    started_at: datetime
    due_at: datetime
    remaining: int
    local_due: datetime | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN_CLOCK


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A request of the register with its clocks, the nearest due first; ``nearest`` is its
    nearest open clock and ``countdown`` the seconds left on it (None: no open clock)."""

    request: Request
    clocks: tuple[ClockView, ...]
    nearest: ClockView | None

    @property
    def countdown(self) -> int | None:
        return self.nearest.remaining if self.nearest else None

    @property
    def emergency(self) -> bool:
        return self.request.emergency


@dataclass(frozen=True, slots=True)
class Threshold:
    """A threshold a clock has passed: ``label`` is "T-14d", "T-3d", "T-12h"… or "breach";
    ``key`` names it for the record of what was announced."""

    request: Request
    clock: ClockView
    label: str
    at: datetime

    @property
    def key(self) -> str:
        return f"assist-clock:{self.request.id}:{self.clock.name}:{self.label}"

    @property
    def breach(self) -> bool:
        return self.label == "breach"


def offset_label(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    if seconds % 86_400 == 0:
        return f"T-{seconds // 86_400}d"
    if seconds % 3600 == 0:
        return f"T-{seconds // 3600}h"
    return f"T-{seconds // 60}min"


def view(clock: Clock, now: datetime, tz: str | None = None) -> ClockView:
    return ClockView(
        name=clock.rule.name,
        label=clock.rule.label,
        source=clock.rule.source,
        state=clock.state,
        started_at=clock.started_at,
        due_at=clock.due_at,
        remaining=int(clock.remaining(now).total_seconds()),
        local_due=clock.local_due(tz) if tz else None,
    )


def passed(request: Request, clock: ClockView, now: datetime) -> Threshold | None:
    """The latest threshold this open clock has passed at ``now`` (its breach, else its nearest
    warning passed), or None."""
    if not clock.open or clock.state == "paused":
        return None
    if clock.state == "breached":
        return Threshold(request, clock, "breach", clock.due_at)
    offsets = (*RULE[clock.name].warnings, *EXTRA_WARNINGS.get(clock.name, ()))
    gone = [w for w in offsets if now >= clock.due_at - w]
    if not gone:
        return None
    nearest = min(gone)
    return Threshold(request, clock, offset_label(nearest), clock.due_at - nearest)


def order(rows: Sequence[RegisterRow]) -> list[RegisterRow]:
    """Open emergencies first, then requests with an open clock, the nearest due first; the
    rest keep their order (the newest first)."""

    def key(pair: tuple[int, RegisterRow]) -> tuple[bool, bool, int, int]:
        index, row = pair
        urgent = row.emergency and row.request.state not in (State.CLOSED, State.WITHDRAWN)
        countdown = row.countdown
        return (not urgent, countdown is None, countdown or 0, index)

    return [row for _, row in sorted(enumerate(rows), key=key)]


class ClockWatch(AssistRecord):
    """Each request's clocks now, for the register, a request's page and the watch."""

    def row(self, request: Request, now: datetime | None = None) -> RegisterRow:
        at = now or moment(self.now())
        tz = self._zone(request)
        found = tuple(view(c, at, tz) for c in clocks(request, self.assist.steps(request.id), at))
        nearest = next((c for c in found if c.open), None)
        return RegisterRow(request, found, nearest)

    def clocks_of(self, who: Principal, request_id: int) -> RegisterRow:
        """One request's clocks, if this person may see it."""
        return self.row(visible(who, self.assist.request(request_id)))

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
        """The register (the same filters as ``Assistance.register``) with each request's
        clocks: open emergencies on top with the time left, then by the nearest clock."""
        reader(who)
        found = self.assist.requests(
            direction=InvalidValue.check("direction", direction, Direction) if direction else None,
            states=frozenset({InvalidValue.check("state", state, State.parse)}) if state else None,
            basis=InvalidValue.check("basis", basis, Basis.parse).value if basis else None,
            emergency=emergency,
            limit=limit,
        )
        at = moment(self.now())
        return order([self.row(r, at) for r in found if can_see(who, r)])

    def thresholds(self, requests: Sequence[Request]) -> list[Threshold]:
        """The latest threshold each clock of these requests has passed now."""
        at = moment(self.now())
        found: list[Threshold] = []
        for request in requests:
            for clock in self.row(request, at).clocks:
                threshold = passed(request, clock, at)
                if threshold is not None:
                    found.append(threshold)
        return found

    def _zone(self, request: Request) -> str | None:
        if request.counterpart_id is None:
            return None
        contact = self.assist.contact(request.counterpart_id)
        return contact.timezone if contact is not None and contact.timezone else None


__all__ = [
    "ALARM_RULES",
    "ALL",
    "EXTRA_WARNINGS",
    "OPEN_CLOCK",
    "UNACKNOWLEDGED",
    "ClockView",
    "ClockWatch",
    "RegisterRow",
    "Threshold",
    "offset_label",
    "order",
    "passed",
]
