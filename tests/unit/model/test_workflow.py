"""The one workflow engine: a move a state allows passes, any other is refused with the list of
the allowed ones, guarded moves run their checks in order; incidents and vulnerability cases are
moved through the workflow they declare with it (a service given another workflow obeys it)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from tests.desk import Team, make_team
from tocsin.cases.incidents import Incidents
from tocsin.cvd.cases import Cvd
from tocsin.errors import Conflict
from tocsin.formats.csaf import EmbargoInForce
from tocsin.model import cvd, incident
from tocsin.model.workflow import IllegalTransition, Move, Workflow
from tocsin.store import Store


class Light(StrEnum):
    RED = "red"
    RED_AMBER = "red_amber"
    GREEN = "green"
    AMBER = "amber"
    OFF = "off"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


LIGHTS: Workflow[Light] = Workflow(
    "a traffic light",
    {
        Light.RED: (Light.RED_AMBER, Move(Light.OFF, "road closed")),
        Light.RED_AMBER: (Move(Light.GREEN, "crossing clear", "signal on"),),
        Light.GREEN: (Light.AMBER,),
        Light.AMBER: (Light.RED,),
        Light.OFF: (),
    },
)


# -- the engine ----------------------------------------------------------------------------------


def test_an_allowed_move_passes_and_the_moves_keep_their_declared_order() -> None:
    """Red may become red-amber; the allowed moves are listed as declared, guarded ones too."""
    LIGHTS.check(Light.RED, Light.RED_AMBER)
    assert LIGHTS.allowed(Light.RED) == (Light.RED_AMBER, Light.OFF)
    assert LIGHTS.transitions[Light.OFF] == ()
    assert LIGHTS.states == tuple(Light)


def test_a_refused_move_lists_the_allowed_ones() -> None:
    """Green cannot become red: the error names the record, both states and what it can become."""
    with pytest.raises(IllegalTransition) as caught:
        LIGHTS.check(Light.GREEN, Light.RED)
    assert (
        str(caught.value) == "a traffic light that is green cannot become red; it can become: amber"
    )
    assert (caught.value.current, caught.value.wanted) == (Light.GREEN, Light.RED)
    assert caught.value.allowed == (Light.AMBER,)


def test_a_final_state_says_it_can_become_none() -> None:
    """A state without moves refuses every one, saying none."""
    with pytest.raises(IllegalTransition, match=r"it can become: none$"):
        LIGHTS.check(Light.OFF, Light.RED)


def test_a_guarded_move_runs_its_checks_in_declared_order_and_only_those() -> None:
    """Red-amber → green runs "crossing clear" then "signal on"; "road closed" is not its guard."""
    ran: list[str] = []
    checks = {name: (lambda name=name: ran.append(name)) for name in LIGHTS.guard_names}
    LIGHTS.check(Light.RED_AMBER, Light.GREEN, checks)
    assert ran == ["crossing clear", "signal on"]
    assert LIGHTS.guards(Light.RED_AMBER, Light.GREEN) == ("crossing clear", "signal on")
    assert LIGHTS.guard_names == {"road closed", "crossing clear", "signal on"}


def test_a_failing_guard_refuses_the_move_with_its_own_error() -> None:
    """The first check that raises stops the move; the later ones do not run."""
    ran: list[str] = []

    def blocked() -> None:
        raise Conflict("someone is crossing")

    with pytest.raises(Conflict, match="someone is crossing"):
        LIGHTS.check(
            Light.RED_AMBER,
            Light.GREEN,
            {"crossing clear": blocked, "signal on": lambda: ran.append("signal on")},
        )
    assert ran == []


def test_a_refused_move_runs_no_guard_and_a_missing_check_is_a_mistake() -> None:
    """An illegal move is refused before any check; a guard the service gave no check for fails
    loudly instead of letting the move through."""
    with pytest.raises(IllegalTransition):
        LIGHTS.check(Light.AMBER, Light.OFF, {"road closed": pytest.fail})
    with pytest.raises(LookupError, match="road closed"):
        LIGHTS.check(Light.RED, Light.OFF)


def test_a_declaration_naming_an_unknown_state_or_a_move_twice_is_refused() -> None:
    """Every target must be a declared state, and each move is declared once."""
    with pytest.raises(ValueError, match="not a state"):
        Workflow("a light", {Light.RED: (Light.GREEN,)})
    with pytest.raises(ValueError, match="declared twice"):
        Workflow("a light", {Light.RED: (Light.RED, Move(Light.RED, "again"))})


# -- incidents and vulnerability cases declare theirs with it -------------------------------------


def test_incidents_and_cases_declare_their_moves_with_the_engine() -> None:
    """Both workflows are the engine's declarations; their refusals read as they always did."""
    assert incident.TRANSITIONS is incident.WORKFLOW.transitions
    assert cvd.TRANSITIONS is cvd.WORKFLOW.transitions
    with pytest.raises(IllegalTransition, match="an incident that is new cannot become closed"):
        incident.WORKFLOW.check(incident.Status.NEW, incident.Status.CLOSED)
    assert cvd.WORKFLOW.guards(cvd.State.FIX_IN_PROGRESS, cvd.State.PUBLISHED) == (
        "products named",
        "embargo over",
    )


@pytest.fixture
def team(memory_store: Store) -> Team:
    return make_team(memory_store)


def test_the_incident_service_moves_through_the_workflow_it_is_given(team: Team) -> None:
    """With a workflow where a new incident may only be acknowledged, a move the usual workflow
    allows (new → in progress) is refused with that workflow's list, and the allowed one passes."""
    analyst = team.people["analyst"]
    strict = Workflow(
        "an incident",
        {s: (incident.Status.ACKNOWLEDGED,) for s in incident.Status},
    )
    desk = Incidents(team.store, now=team.clock)
    desk.workflow = strict
    case = desk.create(analyst, title="Phishing wave", type="phishing", priority="P2")
    with pytest.raises(
        Conflict, match="new cannot become in progress; it can become: acknowledged"
    ):
        desk.transition(analyst, case.id, "in_progress")
    assert desk.transition(analyst, case.id, "acknowledged").status is incident.Status.ACKNOWLEDGED


def test_the_cvd_service_runs_the_guards_its_workflow_names(team: Team) -> None:
    """With a workflow that guards triage by the embargo, triaging an embargoed case is refused
    by the service's embargo check, and the move passes once the case has none."""
    analyst = team.people["analyst"]
    moves: dict[cvd.State, tuple[cvd.State | Move[cvd.State], ...]] = {s: () for s in cvd.State}
    moves[cvd.State.RECEIVED] = (Move(cvd.State.TRIAGED, "embargo over"),)
    service = Cvd(team.store, now=team.clock)
    service.workflow = Workflow("a vulnerability case", moves)
    case = service.create(
        analyst, title="Overflow in the Acme router", reporter="Ana", embargo="2027-06-01T09:00"
    )
    with pytest.raises(EmbargoInForce):
        service.move(analyst, case.id, "triaged")
    service.update(analyst, case.id, embargo="")
    assert service.move(analyst, case.id, "triaged").state is cvd.State.TRIAGED
