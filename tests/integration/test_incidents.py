"""The incident workflow on a real store (SQLite and PostgreSQL): states, SLA clocks, merge,
split, access, and an audit entry for every change."""

from __future__ import annotations

import pytest

from tests.audit_keys import AUDIT_KEY
from tests.desk import Team, make_team
from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model.audit import verify
from tocsin.model.incident import Status
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def open_one(team: Team, **kw: object) -> int:
    values: dict[str, object] = {
        "title": "Telnet open on the parliament's router",
        "type": "vulnerable-system",
        "priority": "P2",
        "indicators": [("ip", "192.0.2.130")],
    }
    values.update(kw)
    return team.desk.create(team.people["analyst"], **values).id  # type: ignore[arg-type]


def test_an_incident_gets_a_reference_and_starts_new(team: Team) -> None:
    """A new incident is numbered per year, is new, and its indicator is stored canonical."""
    incident = team.desk.get(team.people["analyst"], open_one(team))
    assert incident.reference == "TOC-2026-000001"
    assert incident.status is Status.NEW
    assert team.store.cases.indicators(incident.id) == [("ip", "192.0.2.130")]
    second = team.desk.get(team.people["analyst"], open_one(team))
    assert second.reference == "TOC-2026-000002"


def test_the_workflow_refuses_illegal_moves_clearly(team: Team) -> None:
    """new → closed is refused with a message naming the allowed moves; legal moves pass."""
    analyst = team.people["analyst"]
    incident_id = open_one(team)
    with pytest.raises(Conflict, match="cannot become closed; it can become: acknowledged"):
        team.desk.transition(analyst, incident_id, "closed")
    for status in ("acknowledged", "in_progress", "waiting", "in_progress", "resolved", "closed"):
        team.desk.transition(analyst, incident_id, status, "the hoster fixed it")
    reopened = team.desk.transition(analyst, incident_id, "in_progress", "the router is open again")
    assert reopened.status is Status.IN_PROGRESS and reopened.closed_at is None


def test_waiting_pauses_the_resolve_clock(team: Team) -> None:
    """Time spent waiting on an outside party is not counted against time to resolve."""
    analyst = team.people["analyst"]
    incident_id = open_one(team)  # P2: resolve within a day
    team.desk.transition(analyst, incident_id, "acknowledged")
    before = team.desk.clock(team.desk.get(analyst, incident_id)).resolve_left
    team.desk.transition(analyst, incident_id, "waiting")
    team.clock.advance(6 * 3600)
    paused = team.desk.clock(team.desk.get(analyst, incident_id)).resolve_left
    assert paused == before
    team.desk.transition(analyst, incident_id, "in_progress")
    team.clock.advance(3600)
    assert team.desk.clock(team.desk.get(analyst, incident_id)).resolve_left == before - 3600


def test_a_breach_is_marked_once_written_down_and_raised_in_the_queue(team: Team) -> None:
    """When the P1 acknowledge clock runs out, the breach is recorded once and the incident
    goes to the top of the queue, above a newer but unbreached P1."""
    analyst = team.people["analyst"]
    late = open_one(team, priority="P1", title="late")
    team.clock.advance(16 * 60)
    fresh = open_one(team, priority="P1", title="fresh")
    assert [i.reference for i in team.desk.check_sla()] == ["TOC-2026-000001"]
    assert team.desk.check_sla() == []
    queue = team.desk.queue(analyst)
    assert [row.incident.id for row in queue][:2] == [late, fresh]
    assert "acknowledge" in queue[0].clock.breached
    lines = [t["text"] for t in team.store.cases.timeline(late)]
    assert "SLA breached: time to acknowledge ran out" in lines


def test_assign_note_task_and_indicator_each_reach_timeline_and_audit(team: Team) -> None:
    """Every change is on the incident's timeline and in a verifiable audit log."""
    analyst, lead = team.people["analyst"], team.people["lead"]
    incident_id = open_one(team)
    team.desk.assign(lead, incident_id, analyst.user_id)
    team.desk.add_note(analyst, incident_id, "Called the parliament's IT desk.")
    task = team.desk.add_task(analyst, incident_id, "Confirm the port is closed")
    team.desk.set_task(analyst, incident_id, task, done=True)
    team.desk.add_indicator(analyst, incident_id, "fqdn", "Router.Parliament.Example.")
    kinds = [t["kind"] for t in team.store.cases.timeline(incident_id)]
    assert kinds == ["created", "assign", "note", "task", "task", "indicator"]
    audit = team.store.cases.audit()
    assert [e.action for e in audit] == [
        "incident.create",
        "incident.assign",
        "incident.note",
        "task.create",
        "task.update",
        "indicator.add",
    ]
    assert verify(audit, AUDIT_KEY).ok
    assert ("fqdn", "router.parliament.example") in team.store.cases.indicators(incident_id)


def test_merge_moves_everything_and_closes_the_source(team: Team) -> None:
    """Merging moves indicators to the target and closes the source, pointing at the target."""
    analyst = team.people["analyst"]
    first = open_one(team, indicators=[("ip", "192.0.2.1")])
    second = open_one(team, indicators=[("ip", "192.0.2.2")])
    target = team.desk.merge(analyst, first, second)
    assert {v for _, v in team.store.cases.indicators(target.id)} == {"192.0.2.1", "192.0.2.2"}
    source = team.store.cases.incident(first)
    assert source is not None and source.merged_into == second and source.status is Status.CLOSED
    with pytest.raises(Conflict):
        team.desk.merge(analyst, second, second)


def test_access_follows_role_organisation_and_tlp(team: Team) -> None:
    """Auditors read but cannot change; another team and partners cannot even see; TLP:RED is
    for the assignee, leads, admins and auditors only."""
    p = team.people
    incident_id = open_one(team)
    assert team.desk.get(p["auditor"], incident_id).id == incident_id
    with pytest.raises(Forbidden):
        team.desk.add_note(p["auditor"], incident_id, "no")
    for outsider in ("outsider", "partner"):
        with pytest.raises(NotFound):
            team.desk.get(p[outsider], incident_id)
        assert team.desk.queue(p[outsider]) == []
    red = open_one(team, tlp="RED", title="red")
    team.desk.assign(p["lead"], red, p["analyst"].user_id)
    assert team.desk.get(p["analyst"], red).tlp == "RED"
    with pytest.raises(NotFound):
        team.desk.get(p["analyst2"], red)
    assert red not in [row.incident.id for row in team.desk.queue(p["analyst2"])]


def test_bad_values_are_refused_naming_the_field(team: Team) -> None:
    """An unknown type, priority or indicator is refused with the field and the reason."""
    with pytest.raises(InvalidValue, match="type"):
        open_one(team, type="scaner")
    with pytest.raises(InvalidValue, match="priority"):
        open_one(team, priority="P9")
    with pytest.raises(InvalidValue, match="indicator"):
        open_one(team, indicators=[("ip", "192.0.2.999")])
    assert team.store.cases.incidents() == []


def test_mtta_and_mttr_by_priority_and_month_leave_out_waiting(team: Team) -> None:
    """Mean times count from creation; time spent waiting does not count towards resolving."""
    from tocsin.cases.metrics import mean_times

    analyst = team.people["analyst"]
    incident_id = open_one(team, priority="P1")
    team.clock.advance(600)
    team.desk.transition(analyst, incident_id, "acknowledged")
    team.desk.transition(analyst, incident_id, "waiting")
    team.clock.advance(3600)
    team.desk.transition(analyst, incident_id, "in_progress")
    team.clock.advance(1200)
    team.desk.transition(analyst, incident_id, "resolved", "fixed")
    open_one(team, priority="P3")
    rows = {r.priority: r for r in mean_times(team.store.cases.incidents(limit=100))}
    assert (rows["P1"].month, rows["P1"].incidents) == ("2026-11", 1)
    assert rows["P1"].mtta_seconds == 600
    assert rows["P1"].mttr_seconds == 600 + 1200
    assert rows["P3"].mtta_seconds is None and rows["P3"].mttr_seconds is None


def test_the_queue_orders_by_the_next_deadline_and_paused_clocks_last(team: Team) -> None:
    """An older P4 comes after a newer P1; an incident waiting on an outside party comes last."""
    analyst = team.people["analyst"]
    waiting = open_one(team, priority="P1", title="waiting")
    team.desk.transition(analyst, waiting, "acknowledged")
    team.desk.transition(analyst, waiting, "waiting")
    old_p4 = open_one(team, priority="P4", title="old P4")
    team.clock.advance(3600)
    new_p1 = open_one(team, priority="P1", title="new P1")
    order = [row.incident.id for row in team.desk.queue(analyst)]
    assert order == [new_p1, old_p4, waiting]
    assert team.store.cases.incident(waiting).due is None  # type: ignore[union-attr]


def test_resolving_or_closing_needs_a_reason(team: Team) -> None:
    """Resolved or closed without saying why is refused naming the comment; the incident keeps
    its state; with a reason the move is made and the reason is on the timeline."""
    analyst = team.people["analyst"]
    incident_id = open_one(team)
    with pytest.raises(InvalidValue, match="say why it is resolved"):
        team.desk.transition(analyst, incident_id, "resolved", "   ")
    assert team.desk.get(analyst, incident_id).status is Status.NEW
    team.desk.transition(analyst, incident_id, "resolved", "false positive: a test page")
    with pytest.raises(InvalidValue, match="say why it is closed"):
        team.desk.transition(analyst, incident_id, "closed")
    lines = [x["text"] for x in team.store.cases.timeline(incident_id)]
    assert "new → resolved: false positive: a test page" in lines
