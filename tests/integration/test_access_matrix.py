"""The access matrix of the service layer: every operation × every role (and another team's
analyst) × every TLP level gives the expected allow or deny, on SQLite and PostgreSQL.

A denied read is NotFound (an incident one may not see does not exist for one); a denied change
to a visible incident is Forbidden. Nothing about a hidden incident leaks: not its title, not its
indicators, not its place in a count.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.desk import Team, make_team
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cases.related import related
from tocsin.errors import Forbidden, NotFound
from tocsin.model.people import Principal
from tocsin.store import Store

ACTORS = ("admin", "lead", "analyst", "auditor", "partner", "outsider")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
Op = Callable[[Team, Principal, int, Evidence], Any]

OPERATIONS: dict[str, tuple[bool, Op]] = {
    # name: (is a change, operation)
    "read": (False, lambda t, w, i, e: t.desk.get(w, i)),
    "related": (False, lambda t, w, i, e: related(t.desk, w, i)),
    "evidence list": (False, lambda t, w, i, e: e.items(w, i)),
    "transition": (True, lambda t, w, i, e: t.desk.transition(w, i, "acknowledged")),
    "assign": (True, lambda t, w, i, e: t.desk.assign(w, i, None)),
    "note": (True, lambda t, w, i, e: t.desk.add_note(w, i, "a note")),
    "task": (True, lambda t, w, i, e: t.desk.add_task(w, i, "a task")),
    "indicator": (True, lambda t, w, i, e: t.desk.add_indicator(w, i, "ip", "192.0.2.9")),
    "priority": (True, lambda t, w, i, e: t.desk.set_priority(w, i, "P1")),
    "evidence upload": (True, lambda t, w, i, e: e.upload(w, i, io.BytesIO(b"x"), "x.txt")),
}


def expected(actor: str, tlp: str, change: bool) -> type[Exception] | None:
    """None for allowed, else the error the service must raise."""
    if actor in ("partner", "outsider"):
        return NotFound
    if tlp == "RED" and actor == "analyst":  # the RED incident is assigned to someone else
        return NotFound
    if change and actor == "auditor":
        return Forbidden
    return None


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("tlp", TLPS)
def test_access_matrix(team: Team, tmp_path: Path, operation: str, tlp: str) -> None:
    """For one operation and TLP level, each actor is allowed or refused as the policy says."""
    change, run = OPERATIONS[operation]
    evidence = Evidence(team.store, team.desk, EvidenceFiles(tmp_path / "evidence"))
    lead = team.people["lead"]
    for actor in ACTORS:
        incident = team.desk.create(
            lead,
            title=f"secret title {actor}",
            type="phishing",
            priority="P3",
            tlp=tlp,
            indicators=[("fqdn", "hidden.example")],
        )
        team.desk.assign(lead, incident.id, team.people["analyst2"].user_id)
        want = expected(actor, tlp, change)
        if want is None:
            run(team, team.people[actor], incident.id, evidence)
        else:
            with pytest.raises(want):
                run(team, team.people[actor], incident.id, evidence)


@pytest.mark.parametrize("actor", ACTORS)
def test_hidden_incidents_leak_nothing_through_the_queue_or_related(team: Team, actor: str) -> None:
    """A person who may not see an incident finds neither its title nor its indicator in their
    queue or through a related search from an incident they can see, and the queue's count
    leaves it out."""
    lead = team.people["lead"]
    hidden = team.desk.create(
        lead,
        title="hidden title",
        type="phishing",
        priority="P1",
        tlp="RED",
        indicators=[("fqdn", "shared.example")],
    )
    team.desk.assign(lead, hidden.id, team.people["analyst2"].user_id)
    seen = team.desk.create(
        lead,
        title="seen",
        type="phishing",
        priority="P3",
        tlp="GREEN",
        indicators=[("fqdn", "shared.example")],
    )
    who = team.people[actor]
    queue = team.desk.queue(who)
    may_see_hidden = actor in ("admin", "lead", "auditor")
    assert any(r.incident.id == hidden.id for r in queue) is may_see_hidden
    assert len(queue) == (2 if may_see_hidden else 1 if actor == "analyst" else 0)
    if actor in ("partner", "outsider"):
        return
    found = related(team.desk, who, seen.id)
    assert any(i.id == hidden.id for i, _ in found.incidents) is may_see_hidden
    assert all(i.title != "hidden title" or may_see_hidden for i, _ in found.incidents)


@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_manage_people_and_only_some_read_the_audit_log(team: Team, actor: str) -> None:
    """Listing users: admin, lead, auditor; adding one: admin only; the audit log: admin, lead,
    auditor."""
    from tocsin.cases.audit import read as read_audit
    from tocsin.services.accounts import Accounts

    accounts = Accounts(team.store, now=team.clock)
    who = team.people[actor]
    readers = actor in ("admin", "lead", "auditor")
    if readers:
        accounts.users(who)
        read_audit(team.store, who)
    else:
        with pytest.raises(Forbidden):
            accounts.users(who)
        with pytest.raises(Forbidden):
            read_audit(team.store, who)
    if actor != "admin":
        with pytest.raises(Forbidden):
            accounts.add_user(
                who,
                name="newcomer",
                password="correct horse battery",
                role="analyst",
                org_id=team.org_id,
            )


@pytest.mark.parametrize("actor", ACTORS)
def test_red_events_reach_only_named_readers(team: Team, actor: str) -> None:
    """A TLP:RED event shows in searches for admins, leads and auditors only; partners may not
    search events at all."""
    from tests.factories import make_event, rows
    from tocsin.services import events as event_service
    from tocsin.store import EventFilter

    team.store.write(rows(make_event(source__ip="192.0.2.66", tlp="RED")), [])
    who = team.people[actor]
    if actor == "partner":
        with pytest.raises(Forbidden):
            event_service.search(team.store, who, EventFilter())
        return
    found = event_service.search(team.store, who, EventFilter()).events
    assert bool(found) is (actor in ("admin", "lead", "auditor"))
