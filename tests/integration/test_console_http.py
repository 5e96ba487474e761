"""The analyst console and the incidents API over HTTP, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.desk import Team, make_team
from tocsin.model.incident import Incident, Status
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app
from tocsin.web.common.deps import web_of
from tocsin.web.common.sessions import Session
from tocsin.web.console.auth import local_path

PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Desk:
    team: Team
    accounts: Accounts
    client: TestClient
    phish: Incident  # P1, new, unassigned
    ddos: Incident  # P4, assigned to the analyst of make_team

    def user(self, name: str, role: str = "analyst", org_id: int | None = None) -> Principal:
        """A person who can log in (argon2 makes this cost about 0.1 s: create few)."""
        created = self.accounts.add_user(
            Principal.system(),
            name=name,
            password=PASSWORD,
            role=role,
            org_id=self.team.org_id if org_id is None else org_id,
        )
        return Principal.of(created)

    def timeline(self, incident: Incident) -> list[str]:
        return [line["text"] for line in self.team.store.cases.timeline(incident.id)]

    def token(self, who: Principal, scopes: str) -> dict[str, str]:
        secret = self.accounts.create_token(who, "test", scopes).secret
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def desk(settings: Settings, store: Store) -> Iterator[Desk]:
    """The team of tests.desk with two open incidents, and the app on the team's fake clock."""
    team = make_team(store)
    analyst = team.people["analyst"]
    phish = team.desk.create(
        analyst,
        title="Phishing kit on a ministry site",
        type="phishing",
        priority="P1",
        constituent="Ministry of Finance",
    )
    ddos = team.desk.create(
        analyst, title="DDoS on the national portal", type="ddos", priority="P4"
    )
    ddos = team.desk.assign(analyst, ddos.id, analyst.user_id)
    accounts = Accounts(store, now=team.clock)
    with TestClient(create_app(settings, clock=team.clock), follow_redirects=False) as client:
        yield Desk(team, accounts, client, phish, ddos)


@pytest.fixture
def ana(desk: Desk) -> Principal:
    """An analyst of the team, logged in on ``desk.client``."""
    who = desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    return who


def csrf_of(client: TestClient, path: str = "/console") -> str:
    page = client.get(path)
    assert page.status_code in (200, 400), page.text
    found = CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD, next: str = "") -> Response:
    token = csrf_of(client, "/login")
    form = {"csrf": token, "username": name, "password": password, "next": next}
    return client.post("/login", data=form)


def post(client: TestClient, path: str, **fields: str) -> Response:
    """A form POST with the CSRF token of the page the form is on (the incident's, or the queue)."""
    on_incident = re.match(r"/incidents/\d+", path)
    page = on_incident.group(0) if on_incident else "/console"
    return client.post(path, data={"csrf": csrf_of(client, page), **fields})


# -- logging in and out --------------------------------------------------------------------------


def test_the_right_password_opens_a_session(desk: Desk) -> None:
    """A good log-in redirects (303) to ``next`` and the queue then shows the open incidents."""
    desk.user("ana")
    response = log_in(desk.client, "ana", next=f"/incidents/{desk.phish.id}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{desk.phish.id}"
    queue = desk.client.get("/console")
    assert queue.status_code == 200
    assert desk.phish.reference in queue.text and desk.ddos.reference in queue.text
    assert 'Logged in as <a href="/account"><strong>ana</strong></a>' in queue.text


def test_a_failed_log_in_is_one_401_message(desk: Desk) -> None:
    """A wrong password and an unknown user both get 401 and the same message, and no session."""
    desk.user("ana")
    texts = []
    for name, password in (("ana", "wrong password, sorry"), ("nobody", PASSWORD)):
        response = log_in(desk.client, name, password)
        assert response.status_code == 401
        texts.append(response.text.split('role="alert"')[1].split("</div>")[0])
    assert texts[0] == texts[1]
    assert "Wrong user name, password or code." in texts[0]
    assert desk.client.get("/console").status_code == 303


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x", ""]
)
def test_next_never_leaves_the_site(target: str) -> None:
    """Only local paths are followed after logging in; anything else goes to the queue."""
    assert local_path(target) == "/console"


def test_next_keeps_a_local_path_and_its_query() -> None:
    """A local path, query included, is where the log-in page sends people back to."""
    assert local_path("/incidents/7?x=1") == "/incidents/7?x=1"


@pytest.mark.parametrize("path", ["/console", "/incidents/1", "/incidents/new", "/handover"])
def test_pages_send_the_logged_out_to_log_in(desk: Desk, path: str) -> None:
    """Every console page redirects to /login?next=<the page> without a session."""
    response = desk.client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=" + path


def test_a_logged_out_post_changes_nothing(desk: Desk) -> None:
    """A POST without a session goes to log in, and nothing is written."""
    before = desk.timeline(desk.phish)
    response = desk.client.post(f"/incidents/{desk.phish.id}/notes", data={"text": "hi"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert desk.timeline(desk.phish) == before


def test_session_cookie_flags_over_http(desk: Desk) -> None:
    """Over http the session cookie is HttpOnly, SameSite=Lax, Path=/ and not Secure."""
    cookie = desk.client.get("/login").headers["set-cookie"]
    assert cookie.startswith("tocsin_session=")
    parts = {p.strip().lower() for p in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= parts
    assert "secure" not in parts


def test_session_cookie_is_secure_over_https(settings: Settings, store: Store) -> None:
    """Over https the cookie is Secure with the __Host- prefix, and logging in works with it."""
    team = make_team(store)
    Accounts(store, now=team.clock).add_user(
        Principal.system(), name="ana", password=PASSWORD, role="analyst", org_id=team.org_id
    )
    app = create_app(settings, clock=team.clock)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        cookie = client.get("/login").headers["set-cookie"]
        assert cookie.startswith("__Host-tocsin_session=")
        assert {"secure", "httponly", "samesite=lax", "path=/"} <= {
            p.strip().lower() for p in cookie.split(";")
        }
        response = log_in(client, "ana")
        assert response.status_code == 303
        assert "secure" in response.headers["set-cookie"].lower()
        assert client.get("/console").status_code == 200


def test_logging_in_gives_a_new_session_id(desk: Desk) -> None:
    """The CSRF token (bound to the session id) changes at log-in: no session fixation."""
    desk.user("ana")
    before = csrf_of(desk.client, "/login")
    assert log_in(desk.client, "ana").status_code == 303
    assert csrf_of(desk.client) != before


def test_logging_out_ends_the_session(desk: Desk, ana: Principal) -> None:
    """POST /logout (with its CSRF token) deletes the cookie; pages then ask to log in."""
    response = post(desk.client, "/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert desk.client.get("/console").status_code == 303


def test_a_copied_cookie_dies_with_the_log_out(desk: Desk, ana: Principal) -> None:
    """A session cookie copied before logging out opens nothing afterwards."""
    copied = dict(desk.client.cookies)
    assert desk.client.get("/console").status_code == 200
    assert post(desk.client, "/logout").status_code == 303
    desk.client.cookies.clear()
    for name, value in copied.items():
        desk.client.cookies.set(name, value)
    assert desk.client.get("/console").status_code == 303


def test_a_disabled_user_is_logged_out(desk: Desk, ana: Principal) -> None:
    """Disabling a user ends their session at the next request."""
    desk.accounts.set_disabled(Principal.system(), "ana", True)
    assert desk.client.get("/console").status_code == 303


# -- CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", [None, "x" * 43, "other session"], ids=["missing", "wrong", "other"]
)
def test_a_post_without_the_sessions_csrf_token_is_403(
    desk: Desk, ana: Principal, token: str | None
) -> None:
    """A missing, wrong, or another session's CSRF token is refused with a 403 page; nothing
    changes."""
    if token == "other session":
        sessions = web_of(desk.client.app).sessions
        token = sessions.csrf(Session("another-session-id", ana.user_id))
    before = desk.timeline(desk.phish)
    form = {"text": "sneaky"} | ({"csrf": token} if token else {})
    response = desk.client.post(f"/incidents/{desk.phish.id}/notes", data=form)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "reload the page" in response.text
    assert desk.timeline(desk.phish) == before


def test_the_log_in_form_needs_its_csrf_token(desk: Desk) -> None:
    """POST /login without the token of the log-in page's session is refused (403)."""
    desk.user("ana")
    desk.client.get("/login")
    response = desk.client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 403
    assert desk.client.get("/console").status_code == 303


def test_logging_out_needs_the_csrf_token(desk: Desk, ana: Principal) -> None:
    """POST /logout without the token is refused, and the session goes on."""
    assert desk.client.post("/logout").status_code == 403
    assert desk.client.get("/console").status_code == 200


# -- the pages and their forms -------------------------------------------------------------------


def test_queue_puts_breached_first_and_says_so(desk: Desk, ana: Principal) -> None:
    """After 20 minutes the P1 is past its 15-minute target: first, marked, "breached 5 min ago"."""
    desk.team.clock.advance(20 * 60)
    page = desk.client.get("/console").text
    rows = re.findall(r"<tr data-id=.*?</tr>", page, re.S)
    assert desk.phish.reference in rows[0] and "SLA breached" in rows[0]
    assert "breached 5 min ago" in rows[0]
    assert desk.ddos.reference in rows[1] and "breached" not in rows[1]
    assert "23 h 40 min left" in rows[1]  # the P4's day to acknowledge, less 20 minutes


def test_queue_mine_shows_only_my_incidents(desk: Desk, ana: Principal) -> None:
    """show=mine lists the incidents assigned to the viewer only."""
    desk.team.desk.assign(desk.team.people["lead"], desk.phish.id, ana.user_id)
    page = desk.client.get("/console", params={"show": "mine"}).text
    assert desk.phish.reference in page and desk.ddos.reference not in page


def test_incident_page_shows_header_and_allowed_moves(desk: Desk, ana: Principal) -> None:
    """The page shows status, priority, TLP and the clock, and a button for each allowed move."""
    page = desk.client.get(f"/incidents/{desk.phish.id}").text
    assert desk.phish.title in page and "TLP:AMBER" in page and "15 min left" in page
    buttons = re.findall(r'name="status" value="([a-z_]+)"', page)
    assert buttons == ["acknowledged", "in_progress", "resolved"]
    assert page.count('name="csrf"') == page.count('method="post"')


def test_every_form_changes_the_incident(desk: Desk, ana: Principal) -> None:
    """Assign, priority, note, task, tick, indicator and a move each 303 back and take effect."""
    incident = desk.phish
    base = f"/incidents/{incident.id}"
    steps = [
        ("/assign", {"assignee": "me"}),
        ("/priority", {"priority": "P2"}),
        ("/notes", {"text": "called the hoster"}),
        ("/tasks", {"title": "ask for a takedown"}),
        ("/indicators", {"kind": "url", "value": "http://kit.example/login"}),
        ("/transition", {"status": "acknowledged", "comment": "on it"}),
    ]
    for suffix, form in steps:
        response = post(desk.client, base + suffix, **form)
        assert response.status_code == 303, (suffix, response.text)
        assert response.headers["location"] == base
    (task,) = desk.team.store.cases.tasks(incident.id)
    assert post(desk.client, f"{base}/tasks/{task['id']}", done="1").status_code == 303
    now = desk.team.desk.get(ana, incident.id)
    assert now.assignee_id == ana.user_id
    assert now.priority == "P2"
    assert now.status is Status.ACKNOWLEDGED
    assert desk.team.store.cases.tasks(incident.id)[0]["done"]
    assert desk.team.store.cases.indicators(incident.id) == [("url", "http://kit.example/login")]
    lines = desk.timeline(incident)
    assert "called the hoster" in lines and "new → acknowledged: on it" in lines
    page = desk.client.get(base).text
    assert "called the hoster" in page and "kit.example" in page and "ask for a takedown" in page


def test_a_refused_value_shows_the_page_again_at_its_field(desk: Desk, ana: Principal) -> None:
    """A bad indicator: 400, the page again with the message linked to the field, value kept."""
    response = post(
        desk.client, f"/incidents/{desk.phish.id}/indicators", kind="ip", value="999.1.1.1"
    )
    assert response.status_code == 400
    assert 'href="#i-value"' in response.text
    assert re.search(
        r'id="i-value"[^>]*value="999\.1\.1\.1"[^>]*aria-invalid="true"', response.text
    )
    assert desk.team.store.cases.indicators(desk.phish.id) == []


def test_an_illegal_move_is_a_409_page(desk: Desk, ana: Principal) -> None:
    """Closing a new incident is refused with 409 and the workflow's message; nothing moves."""
    response = post(desk.client, f"/incidents/{desk.phish.id}/transition", status="closed")
    assert response.status_code == 409
    assert "cannot become closed" in response.text
    assert desk.team.desk.get(ana, desk.phish.id).status is Status.NEW


def test_an_incident_is_opened_by_hand(desk: Desk, ana: Principal) -> None:
    """The new-incident form creates it and redirects to its page."""
    form = {"title": "Defacement", "type": "defacement", "priority": "P2", "tlp": "GREEN"}
    response = post(desk.client, "/incidents/new", **form, constituent="")
    assert response.status_code == 303
    incident_id = int(response.headers["location"].rsplit("/", 1)[1])
    created = desk.team.desk.get(ana, incident_id)
    assert (created.title, created.priority, created.tlp) == ("Defacement", "P2", "GREEN")


def test_a_new_incident_without_a_type_is_refused_at_its_field(desk: Desk, ana: Principal) -> None:
    """No type: 400, the form again with the message linked to the type field, title kept."""
    response = post(desk.client, "/incidents/new", title="Something", type="", priority="P3")
    assert response.status_code == 400
    assert 'href="#c-type"' in response.text and 'value="Something"' in response.text


def test_an_auditor_reads_but_may_not_change(desk: Desk) -> None:
    """An auditor sees the incident without forms, and a forged POST gets 403, changing nothing."""
    desk.user("audrey", role="auditor")
    assert log_in(desk.client, "audrey").status_code == 303
    page = desk.client.get(f"/incidents/{desk.phish.id}")
    assert page.status_code == 200
    assert "may read this incident but not change it" in page.text
    assert 'action="/incidents' not in page.text
    before = desk.timeline(desk.phish)
    response = desk.client.post(
        f"/incidents/{desk.phish.id}/notes", data={"csrf": csrf_of(desk.client), "text": "x"}
    )
    assert response.status_code == 403
    assert desk.timeline(desk.phish) == before


def test_another_organisation_gets_404(desk: Desk) -> None:
    """Someone of another team gets the same 404 for our incident as for one that does not exist,
    and it is not in their queue."""
    desk.user("otto", org_id=desk.team.other_org_id)
    assert log_in(desk.client, "otto").status_code == 303
    ours = desk.client.get(f"/incidents/{desk.phish.id}")
    missing = desk.client.get("/incidents/99999")
    assert ours.status_code == missing.status_code == 404
    assert ours.text == missing.text
    assert desk.phish.reference not in desk.client.get("/console").text
    form = {"csrf": csrf_of(desk.client), "text": "x"}
    assert desk.client.post(f"/incidents/{desk.phish.id}/notes", data=form).status_code == 404


def test_handover_shows_changes_and_what_falls_due(desk: Desk, ana: Principal) -> None:
    """Changes since a time of visible incidents only, and the incidents due within two hours."""
    hidden = desk.team.desk.create(
        Principal.system(),
        title="Secret of the other team",
        type="phishing",
        priority="P1",
        org_id=desk.team.other_org_id,
    )
    desk.team.clock.advance(60)
    desk.team.desk.add_note(desk.team.people["lead"], desk.phish.id, "handed to the night shift")
    desk.team.desk.add_note(Principal.system(), hidden.id, "not for them")
    page = desk.client.get("/handover", params={"since": "2026-11-28T00:20:30"})
    assert page.status_code == 200
    assert "handed to the night shift" in page.text
    assert "not for them" not in page.text and hidden.reference not in page.text
    due = page.text.split('id="due"')[1].split('id="changes"')[0]
    assert desk.phish.reference in due and desk.ddos.reference not in due


def test_handover_with_an_unreadable_time_is_400(desk: Desk, ana: Principal) -> None:
    """A time that is not ISO 8601 shows the form again with the message at the field."""
    page = desk.client.get("/handover", params={"since": "yesterday"})
    assert page.status_code == 400 and 'href="#h-since"' in page.text


# -- the API -------------------------------------------------------------------------------------


def test_api_needs_a_valid_token(desk: Desk) -> None:
    """No token or a bad one: 401 problem+json with a Bearer challenge."""
    for headers in (
        {},
        {"Authorization": "Bearer tocsin_" + "x" * 43},
        {"Authorization": "Basic x"},
    ):
        response = desk.client.get("/api/v1/incidents", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_read_token_reads_but_may_not_write(desk: Desk) -> None:
    """A read token lists the queue and reads an incident; its POSTs are 403 problem+json."""
    headers = desk.token(desk.team.people["analyst"], "read")
    queue = desk.client.get("/api/v1/incidents", headers=headers)
    assert queue.status_code == 200
    assert queue.json()[0]["incident"]["reference"] == desk.phish.reference
    assert queue.json()[0]["clock"]["acknowledge_left"] == 15 * 60
    one = desk.client.get(f"/api/v1/incidents/{desk.phish.id}", headers=headers).json()
    assert one["incident"]["status"] == "new" and one["timeline"][0]["kind"] == "created"
    for path, body in (
        (f"/api/v1/incidents/{desk.phish.id}/transition", {"status": "acknowledged"}),
        (f"/api/v1/incidents/{desk.phish.id}/notes", {"text": "x"}),
        ("/api/v1/incidents", {"title": "x", "type": "phishing", "priority": "P1"}),
    ):
        response = desk.client.post(path, json=body, headers=headers)
        assert response.status_code == 403, path
        assert response.headers["content-type"] == PROBLEM
    assert desk.team.desk.get(desk.team.people["analyst"], desk.phish.id).status is Status.NEW


def test_a_write_token_works_the_incident(desk: Desk) -> None:
    """A write token moves, annotates, assigns and opens incidents."""
    analyst = desk.team.people["analyst"]
    headers = desk.token(analyst, "read,write")
    base = f"/api/v1/incidents/{desk.phish.id}"
    moved = desk.client.post(f"{base}/transition", json={"status": "acknowledged"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["status"] == "acknowledged"
    assert (
        desk.client.post(f"{base}/notes", json={"text": "via API"}, headers=headers).status_code
        == 204
    )
    assigned = desk.client.post(
        f"{base}/assign", json={"assignee_id": analyst.user_id}, headers=headers
    )
    assert assigned.json()["assignee_id"] == analyst.user_id
    created = desk.client.post(
        "/api/v1/incidents",
        json={
            "title": "Botnet C2",
            "type": "c2-server",
            "priority": "P2",
            "indicators": [{"kind": "ip", "value": "192.0.2.7"}],
        },
        headers=headers,
    )
    assert created.status_code == 201
    assert created.headers["location"].endswith(f"/api/v1/incidents/{created.json()['id']}")
    assert "via API" in desk.timeline(desk.phish)


def test_api_errors_are_problems(desk: Desk) -> None:
    """An illegal move is 409, a bad value 400, another team's incident 404: all problem+json."""
    headers = desk.token(desk.team.people["analyst"], "read,write")
    base = f"/api/v1/incidents/{desk.phish.id}"
    illegal = desk.client.post(f"{base}/transition", json={"status": "closed"}, headers=headers)
    assert illegal.status_code == 409 and illegal.headers["content-type"] == PROBLEM
    assert "cannot become closed" in illegal.json()["detail"]
    bad = desk.client.post(f"{base}/assign", json={"assignee_id": 99999}, headers=headers)
    assert bad.status_code == 400 and bad.json()["detail"].startswith("assignee:")
    outsider = desk.token(desk.team.people["outsider"], "read,write")
    hidden = desk.client.get(base, headers=outsider)
    assert hidden.status_code == 404 and hidden.headers["content-type"] == PROBLEM


def test_openapi_documents_the_incidents_api(desk: Desk) -> None:
    """The OpenAPI document lists the incident operations and their bearer-token security."""
    document = desk.client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/incidents"])
    assert "post" in paths["/api/v1/incidents/{incident_id}/transition"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert not any(p.startswith(("/console", "/incidents", "/login")) for p in paths)


def test_related_page_and_merge_form(desk: Desk, ana: Principal) -> None:
    """The related page lists an incident sharing an indicator; the merge form asks first (and
    warns that the constituents differ), then folds this incident into the one named by its
    reference and lands on it; an unknown reference is refused at the field."""
    first, second = desk.phish, desk.ddos
    for incident in (first, second):
        desk.team.desk.add_indicator(ana, incident.id, "fqdn", "kit.example")
    page = desk.client.get(f"/incidents/{first.id}/related").text
    assert second.reference in page and "fqdn kit.example" in page
    refused = post(desk.client, f"/incidents/{first.id}/merge", into="TOC-1999-000001")
    assert refused.status_code == 400 and 'id="m-into"' in refused.text
    asked = post(desk.client, f"/incidents/{first.id}/merge", into=second.reference.lower())
    assert asked.status_code == 200 and "Merge 2 incidents?" in asked.text
    assert "different constituents" in asked.text  # the Ministry of Finance's, and none
    assert desk.team.store.cases.incident(first.id).merged_into is None  # type: ignore[union-attr]
    merged = post(desk.client, f"/incidents/{first.id}/merge", into=second.reference, confirm="yes")
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/incidents/{second.id}"
    source = desk.team.store.cases.incident(first.id)
    assert source is not None and source.merged_into == second.id


def test_queue_filters_by_priority(desk: Desk, ana: Principal) -> None:
    """?priority=P1 shows the P1 incident and not the P4 one; a made-up priority shows all."""
    page = desk.client.get("/console", params={"priority": "P1"}).text
    assert desk.phish.title in page and desk.ddos.title not in page
    every = desk.client.get("/console", params={"priority": "P9"}).text
    assert desk.phish.title in every and desk.ddos.title in every


def test_ticked_events_split_off_into_a_new_incident(desk: Desk, ana: Principal) -> None:
    """Ticking one of two linked events and naming the new incident moves that event there;
    ticking none is refused at the field."""
    from tests.factories import make_event, rows, stored_ids

    store = desk.team.store
    events = [make_event(source__ip="192.0.2.41"), make_event(source__ip="192.0.2.42")]
    store.write(rows(*events), [])
    ids = sorted(stored_ids(store, *events))
    desk.team.desk.link_events(ana, desk.phish.id, ids)
    base = f"/incidents/{desk.phish.id}"
    refused = desk.client.post(
        f"{base}/split", data={"csrf": csrf_of(desk.client, base), "title": "x"}
    )
    assert refused.status_code == 400 and 'id="s-title"' in refused.text
    answer = desk.client.post(
        f"{base}/split",
        data={"csrf": csrf_of(desk.client, base), "event": str(ids[0]), "title": "Second kit"},
    )
    assert answer.status_code == 303
    new_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert store.cases.count_incident_events(new_id) == 1
    assert store.cases.count_incident_events(desk.phish.id) == 1
    no_csrf = desk.client.post(f"{base}/split", data={"event": str(ids[1]), "title": "y"})
    assert no_csrf.status_code == 403


def test_a_user_sets_up_a_second_factor_and_changes_the_password(
    desk: Desk, ana: Principal
) -> None:
    """From /account: a wrong code is refused at its field; the right one turns TOTP on and
    log-ins then need a code; the password changes only with the current one."""
    import pyotp

    started = post(desk.client, "/account/totp/start")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', started.text)
    assert started.status_code == 200 and secret
    wrong = desk.client.post(
        "/account/totp/confirm",
        data={
            "csrf": csrf_of(desk.client, "/account"),
            "secret": secret.group(1),
            "code": "000000",
        },
    )
    assert wrong.status_code == 400 and 'id="t-code"' in wrong.text
    code = pyotp.TOTP(secret.group(1)).at(desk.team.clock())
    right = desk.client.post(
        "/account/totp/confirm",
        data={
            "csrf": csrf_of(desk.client, "/account"),
            "secret": secret.group(1),
            "code": code,
            "current": PASSWORD,
        },
    )
    assert right.status_code == 303
    user = desk.team.store.people.user_named("ana")
    assert user is not None and user.totp_secret == secret.group(1)
    bad = post(desk.client, "/account/password", current="not it at all", password="x" * 20)
    assert bad.status_code == 400
    good = post(
        desk.client, "/account/password", current=PASSWORD, password="another long password"
    )
    assert good.status_code == 303
    assert "user.totp" in [e.action for e in desk.team.store.cases.audit()]
