"""The lifecycle of a request for assistance, its guards, and the closed lists of grounds and
reasons."""

from __future__ import annotations

import itertools
import re

import pytest

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.states import (
    ELEMENTS_COMPLETE,
    EMERGENCY_JUSTIFIED,
    FINAL,
    GROUND_GIVEN,
    GUARDS,
    INCOMING_STARTS,
    OPEN,
    OUTCOMES,
    OUTGOING_START,
    PAUSED,
    REASON_GIVEN,
    SAFEGUARDS_COMPLETE,
    SECOND_PERSON,
    WORKFLOW,
    Ground,
    Reason,
    State,
    grounds,
    outcome_code,
)
from tocsin.model.workflow import Check, IllegalTransition

S = State
MAIN_LINE = [
    S.DRAFT,
    S.AWAITING_APPROVAL,
    S.APPROVED,
    S.SENT,
    S.DELIVERED,
    S.ACKNOWLEDGED,
    S.IN_EXECUTION,
    S.PRODUCED,
    S.CLOSED,
]


def passing() -> dict[str, Check]:
    return {name: lambda: None for name in GUARDS}


def test_the_main_line_is_allowed() -> None:
    for current, wanted in itertools.pairwise(MAIN_LINE):
        WORKFLOW.check(current, wanted, passing())


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.DRAFT, S.SENT),
        (S.DRAFT, S.APPROVED),
        (S.AWAITING_APPROVAL, S.SENT),
        (S.SENT, S.PRODUCED),
        (S.PRODUCED, S.IN_EXECUTION),
        (S.CLOSED, S.DRAFT),
        (S.REFUSED, S.IN_EXECUTION),
        (S.WITHDRAWN, S.SENT),
    ],
    ids=str,
)
def test_an_illegal_move_is_refused_with_the_allowed_list(current: State, wanted: State) -> None:
    with pytest.raises(IllegalTransition) as caught:
        WORKFLOW.check(current, wanted, passing())
    allowed = WORKFLOW.allowed(current)
    assert caught.value.allowed == allowed
    text = str(caught.value)
    assert f"that is {current.label} cannot become {wanted.label}" in text
    assert text.endswith(", ".join(s.label for s in allowed) or "none")


@pytest.mark.parametrize(
    ("current", "wanted", "guards"),
    [
        (S.DRAFT, S.AWAITING_APPROVAL, (ELEMENTS_COMPLETE, SAFEGUARDS_COMPLETE)),
        (S.AWAITING_APPROVAL, S.APPROVED, (SECOND_PERSON,)),
        (S.APPROVED, S.SENT, (ELEMENTS_COMPLETE, SAFEGUARDS_COMPLETE)),
        (S.IN_EXECUTION, S.REFUSED, (GROUND_GIVEN,)),
        (S.IN_EXECUTION, S.NOT_EXECUTED, (REASON_GIVEN,)),
        (S.PRODUCED, S.CLOSED, (EMERGENCY_JUSTIFIED,)),
        (S.IN_EXECUTION, S.PRODUCED, ()),
    ],
    ids=str,
)
def test_moves_name_their_guards(current: State, wanted: State, guards: tuple[str, ...]) -> None:
    assert WORKFLOW.guards(current, wanted) == guards


def test_a_failing_guard_stops_the_move() -> None:
    def refuse() -> None:
        raise PermissionError("the approver wrote the request")

    checks = passing() | {SECOND_PERSON: refuse}
    with pytest.raises(PermissionError, match="approver"):
        WORKFLOW.check(S.AWAITING_APPROVAL, S.APPROVED, checks)


def test_every_guard_is_exported_and_used() -> None:
    assert WORKFLOW.guard_names == frozenset(GUARDS)


def test_every_way_into_closed_needs_the_emergency_justification() -> None:
    into = [s for s in State if S.CLOSED in WORKFLOW.allowed(s)]
    assert into
    assert all(EMERGENCY_JUSTIFIED in WORKFLOW.guards(s, S.CLOSED) for s in into)


def test_every_way_into_refused_or_not_executed_needs_its_code() -> None:
    for source in State:
        if S.REFUSED in WORKFLOW.allowed(source):
            assert WORKFLOW.guards(source, S.REFUSED) == (GROUND_GIVEN,)
        if S.NOT_EXECUTED in WORKFLOW.allowed(source):
            assert WORKFLOW.guards(source, S.NOT_EXECUTED) == (REASON_GIVEN,)


@pytest.mark.parametrize("state", sorted(OPEN), ids=str)
def test_withdrawn_from_any_open_state(state: State) -> None:
    assert S.WITHDRAWN in WORKFLOW.allowed(state)


@pytest.mark.parametrize("state", [S.SENT, S.DELIVERED, S.ACKNOWLEDGED, S.IN_EXECUTION], ids=str)
def test_clarification_pauses_and_resumes_where_it_stood(state: State) -> None:
    WORKFLOW.check(state, S.CLARIFICATION_REQUESTED)
    WORKFLOW.check(S.CLARIFICATION_REQUESTED, state)
    assert S.CLARIFICATION_REQUESTED in PAUSED


def test_an_extension_granted_returns_to_preserved_or_execution() -> None:
    WORKFLOW.check(S.PRESERVED, S.EXTENSION_REQUESTED)
    WORKFLOW.check(S.EXTENSION_REQUESTED, S.PRESERVED)
    WORKFLOW.check(S.IN_EXECUTION, S.EXTENSION_REQUESTED)
    WORKFLOW.check(S.EXTENSION_REQUESTED, S.IN_EXECUTION)


def test_the_sets() -> None:
    assert OUTGOING_START is S.DRAFT
    assert {S.DELIVERED, S.ACKNOWLEDGED} == INCOMING_STARTS
    assert {S.CLOSED} == FINAL
    assert (
        frozenset(
            {
                S.PRESERVED,
                S.PRODUCED,
                S.PARTLY_EXECUTED,
                S.REFUSED,
                S.NOT_EXECUTED,
                S.WITHDRAWN,
            }
        )
        == OUTCOMES
    )
    assert S.PRESERVED in OPEN and S.PRODUCED not in OPEN and S.CLOSED not in OPEN
    assert all(WORKFLOW.allowed(s) for s in OPEN | OUTCOMES)
    assert WORKFLOW.allowed(S.CLOSED) == ()


def test_every_state_can_reach_closed() -> None:
    reached = {S.CLOSED}
    changed = True
    while changed:
        before = len(reached)
        reached |= {s for s in State if set(WORKFLOW.allowed(s)) & reached}
        changed = len(reached) != before
    assert reached == set(State)


@pytest.mark.parametrize("ground", list(Ground), ids=str)
def test_each_ground_has_words_and_a_citation(ground: Ground) -> None:
    assert ground.label and ground.citation
    assert Ground.parse(ground.value) is ground
    assert Ground.parse(ground.name.lower()) is ground


@pytest.mark.parametrize(
    ("ground", "cited"),
    [
        (Ground.POLITICAL_OFFENCE, "Art. 29(5)(a)"),
        (Ground.ESSENTIAL_INTERESTS, "Art. 29(5)(b)"),
        (Ground.DUAL_CRIMINALITY_RESERVATION, "Art. 29(4)"),
        (Ground.NE_BIS_IN_IDEM, "2023/1543 Art. 12"),
        (Ground.FUNDAMENTAL_RIGHTS, "2023/1543 Art. 12"),
    ],
    ids=str,
)
def test_grounds_cite_their_articles(ground: Ground, cited: str) -> None:
    assert cited in ground.citation


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_each_reason_has_words_and_a_citation(reason: Reason) -> None:
    assert reason.label and "Annex III" in reason.citation
    assert Reason.parse(reason.value.lower()) is reason


def test_the_reason_codes_are_the_form_3_codes() -> None:
    assert [r.value for r in Reason] == [
        "Incomplete",
        "ManifestErrors",
        "InsufficientInformation",
        "DataNotHeld",
        "DeFactoImpossibility",
        "InvalidIssuingAuthority",
        "OffenceNotCovered",
        "ServiceNotCovered",
        "ImmunitiesOrPrivileges",
        "ConflictOfLaw",
    ]
    assert {r for r in Reason if r.correctable} == {
        Reason.INCOMPLETE,
        Reason.MANIFEST_ERRORS,
        Reason.INSUFFICIENT_INFORMATION,
    }


def test_unknown_codes_are_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match=r"not a ground of refusal .*ne_bis_in_idem"):
        Ground.parse("too busy")
    with pytest.raises(ValueError, match=r"not a reason of non-execution .*DataNotHeld"):
        Reason.parse("lost")
    with pytest.raises(ValueError, match="not a state of a request for assistance"):
        State.parse("lost")


def test_the_outcome_code_fits_the_state() -> None:
    assert outcome_code(S.REFUSED, "POLITICAL_OFFENCE") == "political_offence"
    assert outcome_code(S.NOT_EXECUTED, "datanotheld") == "DataNotHeld"
    assert outcome_code(S.PRODUCED, "") == ""
    with pytest.raises(ValueError, match="not a ground"):
        outcome_code(S.REFUSED, "DataNotHeld")
    with pytest.raises(ValueError, match="carries no ground or reason"):
        outcome_code(S.PRODUCED, "DataNotHeld")


@pytest.mark.parametrize(
    ("basis", "allowed", "source"),
    [
        (
            Basis.BC_29,
            {
                Ground.POLITICAL_OFFENCE,
                Ground.ESSENTIAL_INTERESTS,
                Ground.DUAL_CRIMINALITY_RESERVATION,
            },
            "Art. 29(4)-(5)",
        ),
        (Basis.BC_30, {Ground.POLITICAL_OFFENCE, Ground.ESSENTIAL_INTERESTS}, "Art. 30(2)"),
        (
            Basis.EPOC,
            {
                Ground.IMMUNITIES,
                Ground.FUNDAMENTAL_RIGHTS,
                Ground.NE_BIS_IN_IDEM,
                Ground.DUAL_CRIMINALITY,
            },
            "Art. 12(1)",
        ),
    ],
    ids=lambda x: str(x) if isinstance(x, Basis) else "",
)
def test_where_the_grounds_are_closed_only_those_refuse(
    basis: Basis, allowed: set[Ground], source: str
) -> None:
    assert set(grounds(basis)) == allowed
    for ground in Ground:
        if ground in allowed:
            assert outcome_code(S.REFUSED, ground.value, basis) == ground.value
        else:
            with pytest.raises(ValueError, match=f"refused only on: .*{re.escape(source)}"):
                outcome_code(S.REFUSED, ground.value, basis)


def test_other_bases_may_be_refused_on_any_ground() -> None:
    assert grounds(Basis.BILATERAL) == tuple(Ground)
    assert outcome_code(S.REFUSED, "treaty_ground", Basis.BC_31) == "treaty_ground"
