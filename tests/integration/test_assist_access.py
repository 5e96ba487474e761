"""Who sees and changes requests for assistance, on SQLite and PostgreSQL: liaisons, leads and
admins of the team read and change them, auditors only read, analysts, partners and other teams
see none (NotFound, as for a reference that does not exist); a TLP:RED request is read by its
holder, leads, admins and auditors only; a read-only token changes nothing."""

from __future__ import annotations

import pytest

from tests.assist_desk import Desk, make_desk
from tests.desk import START
from tocsin.errors import Forbidden, NotFound
from tocsin.model.people import Principal, Role
from tocsin.store import Store


@pytest.fixture
def desk(store: Store) -> Desk:
    made = make_desk(store)
    with store.transaction() as conn:
        for name, org in (("liaison2", made.team.org_id), ("abroad", made.team.other_org_id)):
            user = store.people.add_user(
                conn,
                username=name,
                display_name=name,
                role="liaison",
                org_id=org,
                disabled=False,
                password_hash="!",
                created=START,
            )
            made.team.people[name] = Principal.of(user)
    return made


@pytest.mark.parametrize("name", ["analyst", "partner", "outsider", "abroad"])
def test_who_may_not_read_requests_finds_none(desk: Desk, name: str) -> None:
    request = desk.draft()
    who = desk.who(name)
    with pytest.raises(NotFound):
        desk.assist.get(who, request.id)
    with pytest.raises(NotFound):
        desk.assist.by_ref(who, request.ref)
    with pytest.raises(NotFound):
        desk.assist.move(who, request.id, "awaiting_approval")
    if desk.who(name).role in (Role.ANALYST, Role.PARTNER):
        with pytest.raises(NotFound):
            desk.assist.register(who)
    else:  # a liaison of another team: the register holds none of this team's requests
        assert desk.assist.register(who) == []


def test_an_auditor_reads_requests_and_changes_none(desk: Desk) -> None:
    request = desk.draft()
    auditor = desk.who("auditor")
    assert desk.assist.get(auditor, request.id).ref == request.ref
    assert [r.ref for r in desk.assist.register(auditor)] == [request.ref]
    assert len(desk.assist.steps(auditor, request.id)) == 1
    with pytest.raises(Forbidden):
        desk.assist.move(auditor, request.id, "awaiting_approval")
    with pytest.raises(Forbidden):
        desk.assist.update(auditor, request.id, title="changed")
    with pytest.raises(Forbidden):
        desk.draft("auditor")
    with pytest.raises(Forbidden):
        desk.assist.ledger.add(auditor, request.id, kind="purpose", text="x")


@pytest.mark.parametrize("name", ["liaison2", "lead", "admin"])
def test_the_team_s_liaisons_leads_and_admins_change_requests(desk: Desk, name: str) -> None:
    request = desk.draft()
    moved = desk.assist.move(desk.who(name), request.id, "awaiting_approval").request
    assert moved.state.value == "awaiting_approval"


def test_a_red_request_is_read_by_its_holder_leads_admins_and_auditors_only(desk: Desk) -> None:
    red = desk.draft(tlp="RED")
    for name in ("liaison", "lead", "admin", "auditor"):
        assert desk.assist.get(desk.who(name), red.id).id == red.id
    with pytest.raises(NotFound):
        desk.assist.get(desk.who("liaison2"), red.id)
    assert desk.assist.register(desk.who("liaison2")) == []


def test_a_read_only_token_changes_nothing(desk: Desk) -> None:
    request = desk.draft()
    liaison = desk.who("liaison")
    reading = Principal(
        liaison.user_id, liaison.username, liaison.role, liaison.org_id, frozenset({"read"})
    )
    assert desk.assist.get(reading, request.id).id == request.id
    with pytest.raises(Forbidden):
        desk.assist.move(reading, request.id, "awaiting_approval")
