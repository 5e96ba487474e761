"""The checks behind the guards of a request's moves (``model.assist.states.WORKFLOW`` names
them): the elements its basis requires, complete safeguards, four eyes, a ground for a refusal, a
reason for a non-execution, the written justification of an emergency before it closes."""

from __future__ import annotations

from collections.abc import Callable

from tocsin.assist.access import WRITERS
from tocsin.errors import Conflict, Forbidden
from tocsin.model.assist import bases
from tocsin.model.assist import states as s
from tocsin.model.assist.request import Direction, Request
from tocsin.model.assist.states import State
from tocsin.model.people import Principal

Check = Callable[[], object]

SAFEGUARDS = (
    "necessity",
    "approving_authority",
    "data_categories",
    "scope_from",
    "scope_to",
    "retention_until",
    "onward_transfer",
)


def missing_safeguards(request: Request) -> list[str]:
    """The safeguards Budapest Art. 15 and Second Protocol Art. 13–14 ask that are not given."""
    given = request.safeguards
    return [name for name in SAFEGUARDS if not getattr(given, name)]


def second_person(who: Principal, request: Request) -> None:
    """Four eyes: a person of the desk who may change requests, not the one who drafted it."""
    if who.user_id is None:
        raise Forbidden("a person approves a request for assistance, not the system")
    if who.role not in WRITERS:
        raise Forbidden("a liaison, a lead or an admin approves a request for assistance")
    if who.user_id == request.created_by:
        raise Forbidden("a second person approves a request: not the one who drafted it")


def safeguards_complete(request: Request) -> None:
    """An outgoing request is not submitted nor sent before its safeguards are all given."""
    if request.direction is Direction.OUTGOING:
        missing = missing_safeguards(request)
        if missing:
            raise Conflict("the safeguards are not complete; missing: " + ", ".join(missing))


def outcome_given(wanted: State, outcome: str) -> None:
    if not outcome:
        kind = "ground" if wanted is State.REFUSED else "reason"
        raise Conflict(f"a request {wanted.label} names its {kind}: give its code")


def justified(request: Request) -> None:
    if request.emergency and not request.justification.strip():
        raise Conflict("an emergency request cannot close without its written justification")


def checks(who: Principal, request: Request, wanted: State, outcome: str) -> dict[str, Check]:
    """The check of each guard, for this request moved to ``wanted`` by ``who`` with ``outcome``
    (the checked ground or reason code)."""
    return {
        s.ELEMENTS_COMPLETE: lambda: bases.require(request.basis, request.elements),
        s.SAFEGUARDS_COMPLETE: lambda: safeguards_complete(request),
        s.SECOND_PERSON: lambda: second_person(who, request),
        s.GROUND_GIVEN: lambda: outcome_given(wanted, outcome),
        s.REASON_GIVEN: lambda: outcome_given(wanted, outcome),
        s.EMERGENCY_JUSTIFIED: lambda: justified(request),
    }


__all__ = ["SAFEGUARDS", "checks", "missing_safeguards", "second_person"]
