"""The lifecycle every request for assistance shares, and the closed lists of why one ends unmet.

One workflow (``tocsin.model.workflow``) for every legal basis: draft → awaiting approval →
approved → sent → delivered → acknowledged → in execution → an outcome (preserved, produced, partly
executed, refused with a ground, not executed with a reason, withdrawn) → closed; with a request for
clarification (which pauses the clock) and an extension asked and granted beside the main line.

An outgoing request starts as a ``draft``. An incoming request starts at ``delivered`` (it reached
us, nobody has answered yet), or at ``acknowledged`` when it is recorded after its acknowledgement
was already given (by telephone, say). Moves name guards (the constants below) whose checks the
assistance service supplies.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tocsin.model.assist.bases import Basis
from tocsin.model.workflow import Move, Workflow


class State(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENT = "sent"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    IN_EXECUTION = "in_execution"
    CLARIFICATION_REQUESTED = "clarification_requested"  # the clock is paused
    EXTENSION_REQUESTED = "extension_requested"
    PRESERVED = "preserved"
    PRODUCED = "produced"
    PARTLY_EXECUTED = "partly_executed"
    REFUSED = "refused"  # with a Ground
    NOT_EXECUTED = "not_executed"  # with a Reason
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: Any) -> State:
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"not a state of a request for assistance ({names})") from None


# The guards: what a move needs first. The assistance service hands one check per name.
ELEMENTS_COMPLETE = "elements complete"  # every required element of the basis (bases.require)
SAFEGUARDS_COMPLETE = "safeguards complete"  # Budapest Art. 15; Second Protocol Art. 13–14
SECOND_PERSON = "approved by a second person"  # four eyes: the approver is not the author
GROUND_GIVEN = "ground given"  # a refusal names its Ground
REASON_GIVEN = "reason given"  # a non-execution names its Reason
EMERGENCY_JUSTIFIED = "emergency justified"  # an emergency closes only with its justification
GUARDS = (
    ELEMENTS_COMPLETE,
    SAFEGUARDS_COMPLETE,
    SECOND_PERSON,
    GROUND_GIVEN,
    REASON_GIVEN,
    EMERGENCY_JUSTIFIED,
)

OUTGOING_START = State.DRAFT
INCOMING_STARTS = frozenset({State.DELIVERED, State.ACKNOWLEDGED})

_REFUSE = Move(State.REFUSED, GROUND_GIVEN)
_NOT_EXECUTED = Move(State.NOT_EXECUTED, REASON_GIVEN)
_CLOSE = Move(State.CLOSED, EMERGENCY_JUSTIFIED)
_ANSWERS = (State.PRESERVED, State.PRODUCED, State.PARTLY_EXECUTED, _REFUSE, _NOT_EXECUTED)

WORKFLOW: Workflow[State] = Workflow(
    "a request for assistance",
    {
        State.DRAFT: (
            Move(State.AWAITING_APPROVAL, ELEMENTS_COMPLETE, SAFEGUARDS_COMPLETE),
            State.WITHDRAWN,
        ),
        State.AWAITING_APPROVAL: (
            Move(State.APPROVED, SECOND_PERSON),
            State.DRAFT,  # sent back for changes
            State.WITHDRAWN,
        ),
        State.APPROVED: (
            Move(State.SENT, ELEMENTS_COMPLETE, SAFEGUARDS_COMPLETE),
            State.DRAFT,  # changed after approval: approved again
            State.WITHDRAWN,
        ),
        # a channel without delivery receipts goes from sent straight to acknowledged
        State.SENT: (
            State.DELIVERED,
            State.ACKNOWLEDGED,
            State.CLARIFICATION_REQUESTED,
            _REFUSE,
            _NOT_EXECUTED,
            State.WITHDRAWN,
        ),
        State.DELIVERED: (
            State.ACKNOWLEDGED,
            State.IN_EXECUTION,
            State.CLARIFICATION_REQUESTED,
            _REFUSE,
            _NOT_EXECUTED,
            State.WITHDRAWN,
        ),
        State.ACKNOWLEDGED: (
            State.IN_EXECUTION,
            State.CLARIFICATION_REQUESTED,
            *_ANSWERS,
            State.WITHDRAWN,
        ),
        State.IN_EXECUTION: (
            *_ANSWERS,
            State.CLARIFICATION_REQUESTED,
            State.EXTENSION_REQUESTED,
            State.WITHDRAWN,
        ),
        # resumes where it stood (the service knows from the steps); unanswered, it is not executed
        State.CLARIFICATION_REQUESTED: (
            State.SENT,
            State.DELIVERED,
            State.ACKNOWLEDGED,
            State.IN_EXECUTION,
            _REFUSE,
            _NOT_EXECUTED,
            State.WITHDRAWN,
        ),
        # granted: back to preserved (a longer preservation) or in execution (a later deadline)
        State.EXTENSION_REQUESTED: (
            State.PRESERVED,
            State.IN_EXECUTION,
            _NOT_EXECUTED,
            State.WITHDRAWN,
            _CLOSE,  # not granted: the preservation lapses
        ),
        # the data are kept until the follow-up request obtains them, or the term runs out
        State.PRESERVED: (State.EXTENSION_REQUESTED, State.WITHDRAWN, _CLOSE),
        State.PRODUCED: (_CLOSE,),
        State.PARTLY_EXECUTED: (_CLOSE,),
        State.REFUSED: (_CLOSE,),
        State.NOT_EXECUTED: (_CLOSE,),
        State.WITHDRAWN: (_CLOSE,),
        State.CLOSED: (),
    },
)
TRANSITIONS = WORKFLOW.transitions

OUTCOMES = frozenset(
    {
        State.PRESERVED,
        State.PRODUCED,
        State.PARTLY_EXECUTED,
        State.REFUSED,
        State.NOT_EXECUTED,
        State.WITHDRAWN,
    }
)
FINAL = frozenset({State.CLOSED})
# open: still moving; a preserved request stays open until its preservation ends
OPEN = frozenset(set(State) - OUTCOMES - FINAL) | {State.PRESERVED}
PAUSED = frozenset({State.CLARIFICATION_REQUESTED})  # the clock does not run


def _parse(cls: Any, value: Any, noun: str) -> Any:
    text = str(value).strip()
    for member in cls:
        if text.lower() in (member.value.lower(), member.name.lower()):
            return member
    names = ", ".join(m.value for m in cls)
    raise ValueError(f"not {noun} ({names})")


class Ground(StrEnum):
    """Why a requested Party refuses: only the grounds the instrument allows."""

    POLITICAL_OFFENCE = "political_offence"
    ESSENTIAL_INTERESTS = "essential_interests"
    DUAL_CRIMINALITY_RESERVATION = "dual_criminality_reservation"
    IMMUNITIES = "immunities_or_privileges"
    FUNDAMENTAL_RIGHTS = "fundamental_rights"
    NE_BIS_IN_IDEM = "ne_bis_in_idem"
    DUAL_CRIMINALITY = "dual_criminality"
    TREATY = "treaty_ground"

    @property
    def label(self) -> str:
        return _GROUNDS[self][0]

    @property
    def citation(self) -> str:
        return _GROUNDS[self][1]

    @classmethod
    def parse(cls, value: Any) -> Ground:
        result: Ground = _parse(cls, value, "a ground of refusal")
        return result


_BC = "Budapest Convention"
_EEV = "Regulation (EU) 2023/1543"
_GROUNDS: dict[Ground, tuple[str, str]] = {
    Ground.POLITICAL_OFFENCE: (
        "political offence or an offence connected with one",
        f"{_BC} Art. 29(5)(a), 30(2)(a), 27(4)(a)",
    ),
    Ground.ESSENTIAL_INTERESTS: (
        "prejudice to sovereignty, security, ordre public or other essential interests",
        f"{_BC} Art. 29(5)(b), 30(2)(b), 27(4)(b)",
    ),
    Ground.DUAL_CRIMINALITY_RESERVATION: (
        "dual criminality reserved and not met at disclosure",
        f"{_BC} Art. 29(4)",
    ),
    Ground.IMMUNITIES: (
        "immunities or privileges, or rules on press freedom and freedom of expression",
        f"{_EEV} Art. 12(1)(a)",
    ),
    Ground.FUNDAMENTAL_RIGHTS: (
        "manifest breach of a fundamental right",
        f"{_EEV} Art. 12(1)(b)",
    ),
    Ground.NE_BIS_IN_IDEM: ("ne bis in idem", f"{_EEV} Art. 12(1)(c)"),
    Ground.DUAL_CRIMINALITY: (
        "the conduct is no offence in the enforcing State",
        f"{_EEV} Art. 12(1)(d)",
    ),
    Ground.TREATY: (
        "a ground the applicable treaty or the requested Party's law provides",
        f"{_BC} Art. 25(4)",
    ),
}


class Reason(StrEnum):
    """Why an addressee could not execute: the e-Evidence non-execution codes (the Annex III
    form of Regulation 2023/1543, its Form 3 codes in ETSI TS 104 144)."""

    INCOMPLETE = "Incomplete"
    MANIFEST_ERRORS = "ManifestErrors"
    INSUFFICIENT_INFORMATION = "InsufficientInformation"
    DATA_NOT_HELD = "DataNotHeld"
    DE_FACTO_IMPOSSIBILITY = "DeFactoImpossibility"
    INVALID_ISSUING_AUTHORITY = "InvalidIssuingAuthority"
    OFFENCE_NOT_COVERED = "OffenceNotCovered"
    SERVICE_NOT_COVERED = "ServiceNotCovered"
    IMMUNITIES_OR_PRIVILEGES = "ImmunitiesOrPrivileges"
    CONFLICT_OF_LAW = "ConflictOfLaw"

    @property
    def label(self) -> str:
        return _REASONS[self][0]

    @property
    def citation(self) -> str:
        return _REASONS[self][1]

    @property
    def correctable(self) -> bool:
        """The issuer may correct the order and send it again."""
        return self in _CORRECTABLE

    @classmethod
    def parse(cls, value: Any) -> Reason:
        result: Reason = _parse(cls, value, "a reason of non-execution")
        return result


_A3 = f"{_EEV} Annex III"
_A10 = f"{_EEV} Art. 10 and 11; {_A3}"
_REASONS: dict[Reason, tuple[str, str]] = {
    Reason.INCOMPLETE: ("the order is incomplete", _A10),
    Reason.MANIFEST_ERRORS: ("the order contains manifest errors", _A10),
    Reason.INSUFFICIENT_INFORMATION: ("the order does not contain sufficient information", _A10),
    Reason.DATA_NOT_HELD: (
        "the data were not stored by or for the provider when the order was received",
        _A10,
    ),
    Reason.DE_FACTO_IMPOSSIBILITY: (
        "other de facto impossibility not attributable to the addressee or the provider",
        _A10,
    ),
    Reason.INVALID_ISSUING_AUTHORITY: (
        "not issued or validated by an issuing authority as Art. 4 provides",
        f"{_EEV} Art. 4; {_A3}",
    ),
    Reason.OFFENCE_NOT_COVERED: (
        "issued for an offence the Regulation does not cover",
        f"{_EEV} Art. 5(4); {_A3}",
    ),
    Reason.SERVICE_NOT_COVERED: (
        "the service is not covered by the Regulation",
        f"{_EEV} Art. 2 and 3; {_A3}",
    ),
    Reason.IMMUNITIES_OR_PRIVILEGES: (
        "the data are protected by immunities or privileges, or by press freedom",
        _A10,
    ),
    Reason.CONFLICT_OF_LAW: (
        "compliance would conflict with an obligation under a third country's law",
        f"{_EEV} Art. 17(1); {_A3}",
    ),
}
_CORRECTABLE = frozenset(
    {Reason.INCOMPLETE, Reason.MANIFEST_ERRORS, Reason.INSUFFICIENT_INFORMATION}
)


# Where the instrument says a request may be refused "only" on its grounds, the closed list of
# those grounds and the paragraph that closes it; any other basis may be refused on any Ground.
_ONLY: dict[Basis, tuple[tuple[Ground, ...], str]] = {
    Basis.BC_29: (
        (Ground.POLITICAL_OFFENCE, Ground.ESSENTIAL_INTERESTS, Ground.DUAL_CRIMINALITY_RESERVATION),
        "Budapest Convention Art. 29(4)-(5)",
    ),
    Basis.BC_30: (
        (Ground.POLITICAL_OFFENCE, Ground.ESSENTIAL_INTERESTS),
        "Budapest Convention Art. 30(2)",
    ),
    Basis.EPOC: (
        (
            Ground.IMMUNITIES,
            Ground.FUNDAMENTAL_RIGHTS,
            Ground.NE_BIS_IN_IDEM,
            Ground.DUAL_CRIMINALITY,
        ),
        "Regulation (EU) 2023/1543 Art. 12(1)",
    ),
}


def grounds(basis: Basis) -> tuple[Ground, ...]:
    """The grounds a request on ``basis`` may be refused on."""
    return _ONLY[basis][0] if basis in _ONLY else tuple(Ground)


def outcome_code(state: State, code: str, basis: Basis | None = None) -> str:
    """The checked ``Request.outcome`` for ``state``: a Ground's code when refused (one that
    ``basis`` allows, when given), a Reason's when not executed, and "" otherwise (where a code
    given is refused)."""
    if state is State.REFUSED:
        ground = Ground.parse(code)
        if basis is not None and ground not in grounds(basis):
            allowed, source = _ONLY[basis]
            names = ", ".join(g.value for g in allowed)
            raise ValueError(f"a {basis} request may be refused only on: {names} ({source})")
        return ground.value
    if state is State.NOT_EXECUTED:
        return Reason.parse(code).value
    if str(code).strip():
        raise ValueError(f"a request that is {state.label} carries no ground or reason")
    return ""
