"""What the yearly figures count of one request for assistance: when it was issued, to which
country, which data it sought, how it ended and how long its data took (``figures`` sums these).

Pure: every instant comes from the request and its steps. The rules, written out in
``docs/assistance.md`` (section "Figures"):

- **Issued.** An outgoing request is issued when it was sent (``Request.sent_at``, else its first
  ``sent`` step); an incoming one when its sender sent it, else when it reached us
  (``received_at``). A request never sent is not counted. The year is the issuance's year on the
  wall clock of the zone the figures are made in.
- **Outcome.** The state of the request's last answer step (preserved, produced, partly executed,
  refused, not executed), else ``withdrawn`` if it was withdrawn, else ``open``: a withdrawal
  after an answer leaves the answer. A refusal or non-execution carries its code
  (``Request.outcome``).
- **Complied with.** A preservation (Budapest Art. 29, EPOC-PR) whose outcome is preserved,
  produced or partly executed; any other request whose outcome is produced or partly executed.
  Not complied with: refused or not executed. Withdrawn and open requests are neither.
- **Time to data.** For a request complied with: from its issuance (outgoing) or its receipt
  (incoming) to its first step in a state that brings the data (for a preservation: preserved,
  produced or partly executed; otherwise produced or partly executed). Elapsed time, in hours: a
  clarification pause is *not* taken out, since Regulation 2023/1543 Art. 28(2)(e) counts from
  the issuance of the order to the receipt of the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.clocks import aware
from tocsin.model.assist.request import Contact, Direction, Link, Request, Step
from tocsin.model.assist.states import State

# Safeguards.data_categories, in the order of Regulation 2023/1543 Art. 3(9)–(12).
CATEGORIES = ("subscriber", "identification", "traffic", "content")
UNKNOWN_COUNTRY = "ZZ"  # ISO 3166-1 user-assigned code: a counterpart not in the directory
PRESERVATIONS = frozenset({Basis.BC_29, Basis.EPOC_PR})
OUTCOMES = (
    State.PRESERVED,
    State.PRODUCED,
    State.PARTLY_EXECUTED,
    State.REFUSED,
    State.NOT_EXECUTED,
    State.WITHDRAWN,
)
OPEN = "open"
_DATA = frozenset({State.PRODUCED, State.PARTLY_EXECUTED})
_PRESERVED = _DATA | {State.PRESERVED}
_NOT_COMPLIED = frozenset({State.REFUSED, State.NOT_EXECUTED})
# Urgent acknowledgement (Directive 2013/40/EU Art. 13(1)): what stops its 8 hours.
_ACKNOWLEDGING = frozenset(
    {State.ACKNOWLEDGED, State.IN_EXECUTION, *_PRESERVED, State.REFUSED, State.NOT_EXECUTED}
)
ACK_WITHIN = timedelta(hours=8)
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Facts:
    """One request as the figures see it."""

    request: Request
    issued: datetime  # UTC
    country: str
    categories: frozenset[str]
    outcome: str  # a State's value among OUTCOMES, or "open"
    code: str  # the ground or reason of a refusal or non-execution, else ""
    complied: bool
    not_complied: bool
    notified: bool  # an Art. 8 notification to the enforcing authority (a "notified" step)
    derogation: bool  # an emergency EPOC issued without prior validation (Art. 4(5))
    hours_to_data: float | None
    hours_to_production_request: float | None  # EPOC-PR: to its follow-up order's issuance
    acknowledged_in_time: bool | None  # urgent or emergency requests only

    @property
    def basis(self) -> Basis:
        return self.request.basis

    @property
    def direction(self) -> Direction:
        return self.request.direction

    @property
    def emergency(self) -> bool:
        return self.request.emergency


def issued(request: Request, steps: Sequence[Step]) -> datetime | None:
    """When the request was issued (UTC), or None if it never was."""
    if request.sent_at is not None:
        return aware("sent_at", request.sent_at)
    sent = _first(steps, {State.SENT})
    if sent is not None:
        return sent
    if request.direction is Direction.INCOMING and request.received_at is not None:
        return aware("received_at", request.received_at)
    return None


def in_year(when: datetime, year: int, tz: tzinfo) -> bool:
    return when.astimezone(tz).year == year


def country(request: Request, contacts: Mapping[int, Contact]) -> str:
    contact = contacts.get(request.counterpart_id) if request.counterpart_id is not None else None
    return contact.country.strip().upper() if contact and contact.country else UNKNOWN_COUNTRY


def categories(request: Request) -> frozenset[str]:
    """The request's data categories among CATEGORIES ("Subscriber data" is subscriber)."""
    found = set()
    for text in request.safeguards.data_categories:
        words = text.strip().lower().replace("_", " ").split()
        if words and words[0] in CATEGORIES:
            found.add(words[0])
    return frozenset(found)


def facts(
    request: Request,
    steps: Sequence[Step],
    when: datetime,
    contacts: Mapping[int, Contact],
    follow_ups: Mapping[int, datetime],
) -> Facts:
    """The facts of one issued request; ``follow_ups`` maps a request's id to the issuance of
    its first follow-up (Link.FOLLOW_UP)."""
    ordered = sorted(steps, key=lambda s: (aware("at", s.at), s.id))
    outcome = _outcome(ordered)
    data_states = _PRESERVED if request.basis in PRESERVATIONS else _DATA
    complied = outcome in data_states
    start = _received(request, ordered) if request.direction is Direction.INCOMING else when
    hours = _hours(start, _first(ordered, data_states)) if complied else None
    follow = follow_ups.get(request.id)
    return Facts(
        request=request,
        issued=when,
        country=country(request, contacts),
        categories=categories(request),
        outcome=outcome,
        code=request.outcome.strip() if outcome in _NOT_COMPLIED else "",
        complied=complied,
        not_complied=outcome in _NOT_COMPLIED,
        notified=_event(ordered, "notified"),
        derogation=_derogation(request, ordered),
        hours_to_data=hours,
        hours_to_production_request=(
            _hours(when, follow) if complied and request.basis is Basis.EPOC_PR else None
        ),
        acknowledged_in_time=_acknowledged(request, ordered),
    )


def follow_ups(
    requests: Sequence[Request], steps: Mapping[int, Sequence[Step]]
) -> dict[int, datetime]:
    """For each request followed up (an EPOC-PR by its EPOC, an Art. 29 by its Art. 31): when
    its first follow-up was issued."""
    found: dict[int, datetime] = {}
    for child in requests:
        if child.parent_id is None or child.link is not Link.FOLLOW_UP:
            continue
        when = issued(child, steps.get(child.id, ()))
        if when is not None and (child.parent_id not in found or when < found[child.parent_id]):
            found[child.parent_id] = when
    return found


def _first(steps: Sequence[Step], states: set[State] | frozenset[State]) -> datetime | None:
    times = [aware("at", s.at) for s in steps if s.state in states]
    return min(times) if times else None


def _outcome(ordered: Sequence[Step]) -> str:
    """The last answer; a withdrawal after an answer leaves the answer (a preservation kept,
    then no longer needed, was complied with)."""
    answers = [s.state for s in ordered if s.state in OUTCOMES and s.state is not State.WITHDRAWN]
    if answers:
        return answers[-1].value
    return State.WITHDRAWN.value if any(s.state is State.WITHDRAWN for s in ordered) else OPEN


def _event(steps: Sequence[Step], name: str) -> bool:
    return any(s.detail.get("event") == name for s in steps)


def _derogation(request: Request, steps: Sequence[Step]) -> bool:
    """An emergency EPOC validated after it was issued (a ``validated`` event after its ``sent``
    step), or whose ``sent`` step says ``derogation``: Regulation 2023/1543 Art. 4(5)."""
    if request.basis is not Basis.EPOC or not request.emergency:
        return False
    sent = _first(steps, {State.SENT})
    for s in steps:
        if s.state is State.SENT and s.detail.get("derogation"):
            return True
        if s.detail.get("event") == "validated" and (sent is None or aware("at", s.at) >= sent):
            return True
    return False


def _received(request: Request, steps: Sequence[Step]) -> datetime | None:
    """When the party that must act got the request: ours for an incoming one, else the first
    ``delivered`` step, else its sending."""
    if request.direction is Direction.INCOMING and request.received_at is not None:
        return aware("received_at", request.received_at)
    return _first(steps, {State.DELIVERED}) or issued(request, steps)


def _acknowledged(request: Request, steps: Sequence[Step]) -> bool | None:
    if not (request.urgent or request.emergency):
        return None
    received = _received(request, steps)
    times = [aware("at", s.at) for s in steps if s.state in _ACKNOWLEDGING]
    if request.acknowledged_at is not None:
        times.append(aware("acknowledged_at", request.acknowledged_at))
    if received is None or not times:
        return False
    return min(times) - received <= ACK_WITHIN


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / HOUR
