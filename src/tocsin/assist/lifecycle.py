"""The checks behind a request's moves: four eyes, complete safeguards, a ground for a refusal,
a reason for a non-execution, the written justification of an emergency before it closes.

The service runs the rule for the state a move goes to (``rules``), whatever the workflow
declares, and hands the same checks to the workflow for the guards its moves name (``checks``).
"""

from __future__ import annotations

from collections.abc import Callable

from tocsin.assist.access import WRITERS
from tocsin.errors import Conflict, Forbidden
from tocsin.model.assist import states
from tocsin.model.assist.request import Direction, Request
from tocsin.model.assist.states import State
from tocsin.model.people import Principal
from tocsin.model.workflow import Move, Workflow

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
    """An outgoing request is not sent before its safeguards are all given."""
    if request.direction is Direction.OUTGOING:
        missing = missing_safeguards(request)
        if missing:
            raise Conflict("the safeguards are not complete; missing: " + ", ".join(missing))


def outcome_given(wanted: State, outcome: str) -> None:
    if not outcome:
        raise Conflict(f"a request {wanted.label} needs its code: a ground or a reason")


def justified(request: Request) -> None:
    if request.emergency and not request.justification.strip():
        raise Conflict("an emergency request cannot close without its written justification")


def checks(who: Principal, request: Request, wanted: State, outcome: str) -> dict[str, Check]:
    """The check of each guard, for this request moved to ``wanted`` by ``who`` with ``outcome``
    (a ground or a reason code)."""
    return {
        "approved by a second person": lambda: second_person(who, request),
        "safeguards complete": lambda: safeguards_complete(request),
        "ground given": lambda: outcome_given(wanted, outcome),
        "reason given": lambda: outcome_given(wanted, outcome),
        "justification written": lambda: justified(request),
    }


RULES: dict[State, tuple[str, ...]] = {
    State.APPROVED: ("approved by a second person",),
    State.SENT: ("safeguards complete",),
    State.REFUSED: ("ground given",),
    State.NOT_EXECUTED: ("reason given",),
    State.CLOSED: ("justification written",),
}


def enforce(wanted: State, found: dict[str, Check]) -> None:
    """The rules of the state a request moves to, whichever state it comes from."""
    for name in RULES.get(wanted, ()):
        found[name]()


_S = State
_ENDS = (
    Move(_S.REFUSED, "ground given"),
    Move(_S.NOT_EXECUTED, "reason given"),
    _S.WITHDRAWN,
)
_WORKING = (_S.PRESERVED, _S.PRODUCED, _S.PARTLY_EXECUTED, *_ENDS)
_CLOSE = Move(_S.CLOSED, "justification written")
_PROVISIONAL: Workflow[State] = Workflow(
    "a request for assistance",
    {
        _S.DRAFT: (_S.AWAITING_APPROVAL, _S.WITHDRAWN),
        _S.AWAITING_APPROVAL: (Move(_S.APPROVED, "approved by a second person"), _S.DRAFT),
        _S.APPROVED: (Move(_S.SENT, "safeguards complete"), _S.DRAFT, _S.WITHDRAWN),
        _S.SENT: (_S.DELIVERED, _S.ACKNOWLEDGED, *_ENDS),
        _S.DELIVERED: (_S.ACKNOWLEDGED, _S.IN_EXECUTION, *_ENDS),
        _S.ACKNOWLEDGED: (_S.IN_EXECUTION, _S.CLARIFICATION_REQUESTED, *_WORKING),
        _S.IN_EXECUTION: (_S.CLARIFICATION_REQUESTED, _S.EXTENSION_REQUESTED, *_WORKING),
        _S.CLARIFICATION_REQUESTED: (_S.IN_EXECUTION, *_ENDS),
        _S.EXTENSION_REQUESTED: (_S.IN_EXECUTION, *_WORKING),
        _S.PRESERVED: (_S.PRODUCED, _CLOSE),
        _S.PRODUCED: (_CLOSE,),
        _S.PARTLY_EXECUTED: (_CLOSE,),
        _S.REFUSED: (_CLOSE,),
        _S.NOT_EXECUTED: (_CLOSE,),
        _S.WITHDRAWN: (_CLOSE,),
        _S.CLOSED: (),
    },
)
# The workflow of ``model.assist.states`` once declared there; this one stands in until then.
WORKFLOW: Workflow[State] = getattr(states, "WORKFLOW", None) or _PROVISIONAL


__all__ = ["RULES", "SAFEGUARDS", "WORKFLOW", "checks", "enforce", "missing_safeguards"]
