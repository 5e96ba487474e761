"""What the console and the API show of one request for assistance, read through the request
service (its access rules apply): the request with its history, its clocks as the duty reads them,
its counterpart, links and what the person may do with it; and our details on its printed form.
The register with its countdown is ``Duty.register_rows``."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.assist.access import may_write
from tocsin.assist.directory import Contacts
from tocsin.assist.duty import ClockView
from tocsin.assist.exchange import Exchange
from tocsin.assist.requests import Assistance
from tocsin.errors import InvalidValue, NotFound
from tocsin.model.assist import bases
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Contact, LedgerEntry, Message, Request, Step
from tocsin.model.assist.states import WORKFLOW, Ground, Reason, State, grounds
from tocsin.model.people import Principal
from tocsin.services.duty import Duty
from tocsin.settings import Settings


@dataclass(frozen=True, slots=True)
class ElementLine:
    """An element of a request as its page shows it: the basis's label and source beside it."""

    id: str
    label: str
    source: str
    required: bool
    value: str


@dataclass(frozen=True, slots=True)
class RequestView:
    """One request as its page shows it."""

    request: Request
    steps: tuple[Step, ...]
    clocks: tuple[ClockView, ...]  # the duty's view of them, nearest due first
    contact: Contact | None
    stale: bool  # the counterpart has not been confirmed reachable for 12 months
    parent: Request | None
    children: tuple[Request, ...]
    warnings: tuple[str, ...]
    can_change: bool
    moves: tuple[State, ...]  # what the person may move it to (the workflow's moves)
    grounds: tuple[Ground, ...]  # a refusal's grounds, for this basis
    reasons: tuple[Reason, ...]  # a non-execution's reasons
    elements: tuple[ElementLine, ...]  # the basis's elements in order, then any other given
    ledger: tuple[LedgerEntry, ...]  # the personal-data ledger, oldest first
    messages: tuple[Message, ...]  # the exchange log, oldest first


def request_view(
    assist: Assistance,
    contacts: Contacts,
    duty: Duty,
    exchange: Exchange,
    who: Principal,
    ref: str,
) -> RequestView:
    """A request by reference (or number), NotFound when ``who`` may not see it."""
    request = assist.find(who, ref)
    steps = tuple(assist.steps(who, request.id))
    contact = contacts.get(who, request.counterpart_id) if request.counterpart_id else None
    writable = may_write(who)
    return RequestView(
        request=request,
        steps=steps,
        clocks=duty.clocks(who, request.id).clocks,
        contact=contact,
        stale=contact is not None and contacts.stale(contact),
        parent=_parent(assist, who, request),
        children=tuple(assist.children(who, request.id)),
        warnings=assist.warnings(request),
        can_change=writable,
        moves=WORKFLOW.allowed(request.state) if writable else (),
        grounds=grounds(request.basis),
        reasons=tuple(Reason),
        elements=element_lines(request),
        ledger=tuple(assist.ledger.entries(who, request.id)),
        messages=tuple(exchange.messages(who, request.id)),
    )


def element_labels(basis: str) -> tuple[bases.Element, ...]:
    """The elements of a basis named by its code, for the new-request form."""
    return bases.elements(InvalidValue.check("basis", basis, Basis.parse))


def element_lines(request: Request) -> tuple[ElementLine, ...]:
    declared = bases.elements(request.basis)
    known = {e.id for e in declared}
    given = request.elements
    return (
        *(ElementLine(e.id, e.label, e.source, e.required, given.get(e.id, "")) for e in declared),
        *(ElementLine(k, k, "", False, v) for k, v in given.items() if k not in known),
    )


def ours(settings: Settings) -> dict[str, str]:
    """The team's own details on a printed form (``formats.tcy``)."""
    return {
        "organisation": settings.notify_team,
        "email": settings.notify_from,
        "channel": "tocsin",
        "office_hours": "24/7",
    }


def _parent(assist: Assistance, who: Principal, request: Request) -> Request | None:
    if request.parent_id is None:
        return None
    try:
        return assist.get(who, request.parent_id)
    except NotFound:  # one the person may not see: not named
        return None


__all__ = ["ElementLine", "RequestView", "element_labels", "may_write", "ours", "request_view"]
