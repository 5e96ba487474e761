"""Requests for assistance: the register of requests to and from counterparts abroad — create,
update a draft, move through the lifecycle, approve (four eyes), link incidents, follow up and
take the next hop, keep the personal-data ledger — each change in one transaction with its audit
entry and, for a move, a step of the request's history. Who may see and change a request is
decided in ``access``; the checks behind the moves' guards are in ``lifecycle``; reading, creating
and editing in ``drafts``; links in ``links``; the ledger in ``ledger``; the directory of 24/7
contacts is ``directory.Contacts``.
"""

from __future__ import annotations

from typing import Any

from tocsin.assist import fields
from tocsin.assist.access import changeable
from tocsin.assist.ledger import Ledger
from tocsin.assist.lifecycle import checks
from tocsin.assist.links import Links
from tocsin.assist.record import Result
from tocsin.errors import Conflict, InvalidValue
from tocsin.model.assist.states import WORKFLOW, State, outcome_code
from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Principal
from tocsin.model.workflow import IllegalTransition, Workflow
from tocsin.store.base import Store

STAMPS = {
    State.SENT: "sent_at",
    State.ACKNOWLEDGED: "acknowledged_at",
    State.CLOSED: "closed_at",
}


class Assistance(Links):
    """The assistance desk's request service; ``ledger`` is the requests' personal-data ledger."""

    workflow: Workflow[State] = WORKFLOW

    def __init__(self, store: Store, *, now: Now = wall_clock) -> None:
        super().__init__(store, now=now)
        self.ledger = Ledger(store, now=now)

    # -- the lifecycle ---------------------------------------------------------------------------

    def move(
        self, who: Principal, request_id: int, state: str, *, code: str = "", note: str = ""
    ) -> Result:
        """Move a request; ``code`` is the ground of a refusal or the reason of a non-execution,
        ``note`` what is said with the move (kept in the step)."""
        wanted = InvalidValue.check("state", state, State.parse)
        said = fields.text("note", note, "assist.note", required=False)
        with self.store.transaction() as conn:
            request = changeable(who, self.assist.request(request_id, conn))
            outcome = InvalidValue.check(
                "code", code, lambda c: outcome_code(wanted, c, request.basis)
            )
            found = checks(who, request, wanted, outcome)
            try:
                self.workflow.check(request.state, wanted, found)
            except IllegalTransition as exc:
                raise Conflict(str(exc)) from None
            changes: dict[str, Any] = {"state": wanted, "updated_at": self.now()}
            if wanted in STAMPS:
                changes[STAMPS[wanted]] = self.now()
            if wanted is State.APPROVED:
                changes["approved_by"] = who.user_id
            elif wanted is State.DRAFT:
                changes["approved_by"] = None
            if wanted in (State.REFUSED, State.NOT_EXECUTED):
                changes.update(outcome=outcome, outcome_note=said)
            self.assist.update_request(conn, request.id, **changes)
            detail = {"from": request.state.value, **({"code": outcome} if outcome else {})}
            self._step(conn, who, request.id, wanted, said, **detail)
            self._audit(
                conn,
                who,
                request,
                "assist.move",
                {**detail, "to": wanted.value, **({"note": said} if said else {})},
            )
            moved = self._read(conn, request.id)
        self._changed(moved)  # an acknowledged emergency's alarm is resolved
        return Result(moved, self.warnings(moved) if wanted is State.SENT else ())

    def approve(self, who: Principal, request_id: int, *, note: str = "") -> Result:
        """The second person's approval (four eyes): from awaiting approval to approved."""
        return self.move(who, request_id, State.APPROVED.value, note=note)


__all__ = ["Assistance", "Result"]
