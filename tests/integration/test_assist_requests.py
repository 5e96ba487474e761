"""The request service on SQLite and PostgreSQL: an outgoing Art. 29 request goes from its draft
through a second person's approval and its safeguards to preserved and closed; an incoming one
is registered as delivered; every move leaves a step and an audit entry; the references are
RFA-YYYY-NNNN from the year's counter."""

from __future__ import annotations

import pytest

from tests.assist_desk import ART29, SAFEGUARDS, Desk, make_desk
from tocsin.errors import Conflict, Forbidden, InvalidValue
from tocsin.model.assist.request import Direction, Request
from tocsin.model.assist.states import State
from tocsin.store import Store


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def actions(store: Store, request: Request) -> list[str]:
    return [e.action for e in store.cases.audit_for("assist", request.ref)]


def test_an_outgoing_art_29_request_goes_from_draft_to_closed(desk: Desk) -> None:
    """Safeguards missing are named when the draft is submitted and when it is sent; the one who
    drafted it cannot approve it; a second person can; each move leaves a step and an audit
    entry."""
    partial = {k: v for k, v in SAFEGUARDS.items() if k != "onward_transfer"}
    request = desk.draft(safeguards=partial)
    assert (request.state, request.direction, request.ref) == (
        State.DRAFT,
        Direction.OUTGOING,
        "RFA-2026-0001",
    )
    liaison, lead = desk.who("liaison"), desk.who("lead")
    with pytest.raises(Conflict, match="missing: onward_transfer"):
        desk.assist.move(liaison, request.id, "awaiting_approval")
    desk.assist.update(liaison, request.id, safeguards={"onward_transfer": "None."})
    desk.assist.move(liaison, request.id, "awaiting_approval")
    desk.assist.update(liaison, request.id, safeguards={"retention_until": ""})
    with pytest.raises(Forbidden, match="second person"):
        desk.assist.approve(liaison, request.id)
    approved = desk.assist.approve(lead, request.id).request
    assert (approved.state, approved.approved_by) == (State.APPROVED, lead.user_id)
    with pytest.raises(Conflict, match="missing: retention_until"):
        desk.assist.move(liaison, request.id, "sent")
    desk.assist.move(liaison, request.id, "draft")
    assert desk.assist.get(lead, request.id).approved_by is None
    retention = SAFEGUARDS["retention_until"]
    desk.assist.update(liaison, request.id, safeguards={"retention_until": retention})
    desk.assist.move(liaison, request.id, "awaiting_approval")
    desk.assist.approve(lead, request.id)
    for state in ("sent", "acknowledged", "in_execution", "preserved", "closed"):
        desk.team.clock.advance(60)
        moved = desk.assist.move(liaison, request.id, state).request
    assert moved.state is State.CLOSED
    assert moved.sent_at is not None and moved.closed_at is not None
    steps = [s.state for s in desk.assist.steps(lead, request.id)]
    assert steps[0] is State.DRAFT and steps[-1] is State.CLOSED
    assert len(steps) == 1 + 10
    logged = actions(desk.team.store, request)
    assert logged.count("assist.move") == 10 and logged.count("assist.update") == 3
    assert logged[0] == "assist.create"


def test_a_draft_missing_an_element_is_not_submitted_and_the_element_is_named(
    desk: Desk,
) -> None:
    elements = {k: v for k, v in ART29.items() if k != "custodian"}
    result = desk.assist.create(
        desk.who("liaison"), basis="BC-29", title="t", elements=elements, safeguards=SAFEGUARDS
    )
    assert any("missing element custodian" in w for w in result.warnings)
    with pytest.raises(InvalidValue, match="custodian"):
        desk.assist.move(desk.who("liaison"), result.request.id, "awaiting_approval")
    with pytest.raises(InvalidValue, match=r"elements\.colour"):
        desk.draft(elements={**ART29, "colour": "blue"})


def test_an_incoming_request_is_registered_as_delivered_and_numbered_in_turn(desk: Desk) -> None:
    first = desk.draft()
    incoming = desk.draft(direction="incoming", their_ref="BR-PF-2026/77")
    assert incoming.ref == "RFA-2026-0002" and first.ref == "RFA-2026-0001"
    assert incoming.state is State.DELIVERED and incoming.received_at is not None
    shown = desk.assist.register(desk.who("auditor"), direction="incoming")
    assert [r.ref for r in shown] == [incoming.ref]


def test_an_incoming_request_is_executed_and_closed(desk: Desk) -> None:
    incoming = desk.draft(direction="incoming", their_ref="BR-PF-2026/77")
    liaison = desk.who("liaison")
    for state in ("acknowledged", "in_execution", "preserved", "closed"):
        moved = desk.assist.move(liaison, incoming.id, state, note=f"now {state}").request
    assert moved.state is State.CLOSED and moved.acknowledged_at is not None
    notes = [s.note for s in desk.assist.steps(liaison, incoming.id)]
    assert notes == [
        "created",
        "now acknowledged",
        "now in_execution",
        "now preserved",
        "now closed",
    ]


def test_a_refusal_names_its_ground_and_a_non_execution_its_reason(desk: Desk) -> None:
    liaison = desk.who("liaison")
    refused = desk.draft(direction="incoming")
    with pytest.raises(InvalidValue, match="code"):
        desk.assist.move(liaison, refused.id, "refused")
    with pytest.raises(InvalidValue, match="code"):
        desk.assist.move(liaison, refused.id, "refused", code="DataNotHeld")
    done = desk.assist.move(liaison, refused.id, "refused", code="political_offence").request
    assert (done.state, done.outcome) == (State.REFUSED, "political_offence")
    other = desk.draft(direction="incoming")
    with pytest.raises(InvalidValue, match="code"):
        desk.assist.move(liaison, other.id, "not_executed")
    moved = desk.assist.move(liaison, other.id, "not_executed", code="DataNotHeld").request
    assert moved.outcome == "DataNotHeld"
    assert "assist.move" in actions(desk.team.store, other)


def test_an_emergency_closes_only_with_its_written_justification(desk: Desk) -> None:
    liaison = desk.who("liaison")
    emergency = desk.draft(direction="incoming", emergency=True)
    assert emergency.urgent  # an emergency is urgent too
    desk.assist.move(liaison, emergency.id, "withdrawn")
    with pytest.raises(Conflict, match="written justification"):
        desk.assist.move(liaison, emergency.id, "closed")
    desk.assist.update(liaison, emergency.id, justification="A hostage is held; life at risk.")
    assert desk.assist.move(liaison, emergency.id, "closed").request.state is State.CLOSED


def test_an_illegal_move_names_the_moves_allowed(desk: Desk) -> None:
    request = desk.draft()
    with pytest.raises(Conflict, match="it can become: awaiting approval"):
        desk.assist.move(desk.who("liaison"), request.id, "sent")
    with pytest.raises(Conflict):
        desk.assist.update(desk.who("liaison"), desk.draft(direction="incoming").id, title="x")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("scope_to", "2026-11-01T00:00:00+00:00", "before the scope's start"),
        ("retention_until", "2027-11-28T00:00:00", "without its zone"),
        ("retention_until", "next year", "ISO 8601"),
    ],
)
def test_safeguards_with_a_wrong_time_are_refused(
    desk: Desk, field: str, value: str, reason: str
) -> None:
    with pytest.raises(InvalidValue, match=reason):
        desk.draft(safeguards={**SAFEGUARDS, field: value})
