"""The access matrix over HTTP: every console route and API route × every role (and another
team's analyst) × each TLP level answers the expected status, on SQLite and PostgreSQL, and no
refused answer — nor a queue, hand-over or search page — shows a hidden incident's title or
indicator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"
ACTORS = ("admin", "lead", "analyst", "auditor", "partner", "outsider")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
SECRET_TITLE = "secret title of a hidden incident"
SECRET_NAME = "hidden-indicator.example"


@dataclass
class Session:
    client: TestClient
    csrf: str
    token: str


@dataclass
class World:
    team: Team
    sessions: dict[str, Session]
    app_client: TestClient


@pytest.fixture
def world(settings: Settings, store: Store) -> Iterator[World]:
    """Six people who log in (one per role, and another team's analyst), each with a session
    and a read-write token."""
    team = make_team(store)
    accounts = Accounts(store, now=team.clock)
    for actor in ACTORS:
        user = store.people.user_named(actor)
        assert user is not None
        accounts.reset_password(Principal.system(), actor, PASSWORD)
    app = create_app(settings, clock=team.clock)
    sessions: dict[str, Session] = {}
    with TestClient(app) as first:
        for actor in ACTORS:
            client = TestClient(app)
            page = client.get("/login").text
            csrf = _csrf(page)
            answer = client.post(
                "/login",
                data={"username": actor, "password": PASSWORD, "csrf": csrf},
                follow_redirects=False,
            )
            assert answer.status_code == 303, (actor, answer.text[:300])
            csrf = _csrf(client.get("/handover").text)
            user = store.people.user_named(actor)
            assert user is not None
            token = accounts.create_token(Principal.of(user), "matrix", "read,write").secret
            sessions[actor] = Session(client, csrf, token)
        yield World(team, sessions, first)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def hidden_incident(world: World, tlp: str) -> int:
    """An incident of the team, assigned to the second analyst, carrying a secret title and a
    secret indicator."""
    team = world.team
    incident = team.desk.create(
        team.people["lead"],
        title=SECRET_TITLE,
        type="phishing",
        priority="P2",
        tlp=tlp,
        indicators=[("fqdn", SECRET_NAME)],
    )
    team.desk.assign(team.people["lead"], incident.id, team.people["analyst2"].user_id)
    return incident.id


def sees(actor: str, tlp: str) -> bool:
    if actor in ("partner", "outsider"):
        return False
    return not (tlp == "RED" and actor == "analyst")


def changes(actor: str, tlp: str) -> bool:
    return sees(actor, tlp) and actor != "auditor"


def expected_read(actor: str, tlp: str) -> int:
    return 200 if sees(actor, tlp) else 404


def on_console(actor: str, expected: int) -> int:
    """Partners have no console: every console page and form answers them 403."""
    return 403 if actor == "partner" else expected


def expected_write(actor: str, tlp: str, ok: int) -> int:
    if not sees(actor, tlp):
        return 404
    return ok if changes(actor, tlp) else 403


FORMS = {
    "transition": {"status": "acknowledged", "comment": "x"},
    "assign": {"assignee": ""},
    "priority": {"priority": "P1"},
    "notes": {"text": "a note"},
    "tasks": {"title": "a task"},
    "indicators": {"kind": "ip", "value": "192.0.2.77"},
}
API_WRITES = {
    "transition": {"status": "acknowledged", "comment": "x"},
    "notes": {"text": "a note"},
    "assign": {"assignee_id": None},
}


@pytest.mark.parametrize("tlp", TLPS)
def test_console_routes_by_role_and_tlp(world: World, tlp: str) -> None:
    """Each console page and form answers each person as the policy says, and a refusal never
    shows the incident's title or indicator."""
    for actor in ACTORS:
        session = world.sessions[actor]
        incident_id = hidden_incident(world, tlp)
        page = session.client.get(f"/incidents/{incident_id}")
        assert page.status_code == on_console(actor, expected_read(actor, tlp)), actor
        if page.status_code != 200:
            assert SECRET_TITLE not in page.text and SECRET_NAME not in page.text
        for route, form in FORMS.items():
            target = hidden_incident(world, tlp)
            answer = session.client.post(
                f"/incidents/{target}/{route}",
                data={**form, "csrf": session.csrf},
                follow_redirects=False,
            )
            wanted = on_console(actor, expected_write(actor, tlp, 303))
            assert answer.status_code == wanted, (actor, route)
            assert SECRET_TITLE not in answer.text or sees(actor, tlp)
        for listing in (
            "/console",
            "/handover?since=2026-01-01T00:00",
            f"/events?fqdn={SECRET_NAME}",
        ):
            answer = session.client.get(listing)
            assert answer.status_code == on_console(actor, 200), (actor, listing)
            if not sees(actor, tlp):
                assert SECRET_TITLE not in answer.text, (actor, listing)


@pytest.mark.parametrize("tlp", TLPS)
def test_api_routes_by_role_and_tlp(world: World, tlp: str) -> None:
    """Each incidents API route answers each token as the policy says, with no leak."""
    for actor in ACTORS:
        headers = {"Authorization": f"Bearer {world.sessions[actor].token}"}
        client = world.app_client
        incident_id = hidden_incident(world, tlp)
        for path in (
            f"/api/v1/incidents/{incident_id}",
            f"/api/v1/incidents/{incident_id}/related",
        ):
            answer = client.get(path, headers=headers)
            assert answer.status_code == expected_read(actor, tlp), (actor, path)
            if answer.status_code != 200:
                assert SECRET_TITLE not in answer.text and SECRET_NAME not in answer.text
        listed = client.get("/api/v1/incidents", headers=headers)
        assert listed.status_code == 200
        assert (SECRET_TITLE in listed.text) is sees(actor, tlp), (actor, "queue")
        for route, body in API_WRITES.items():
            target = hidden_incident(world, tlp)
            answer = client.post(f"/api/v1/incidents/{target}/{route}", json=body, headers=headers)
            ok = 204 if route == "notes" else 200
            assert answer.status_code == expected_write(actor, tlp, ok), (actor, route)


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_pages_by_role(world: World, actor: str) -> None:
    """Users: admins only; the audit log: admins, leads and auditors; the events API: staff."""
    session = world.sessions[actor]
    assert session.client.get("/users").status_code == (200 if actor == "admin" else 403)
    audit = 200 if actor in ("admin", "lead", "auditor") else 403
    assert session.client.get("/audit").status_code == audit
    dashboard = 403 if actor == "partner" else 200
    assert session.client.get("/dashboard").status_code == dashboard
    headers = {"Authorization": f"Bearer {session.token}"}
    events = world.app_client.get("/api/v1/events", headers=headers).status_code
    assert events == (403 if actor == "partner" else 200)
