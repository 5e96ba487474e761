"""Numbers that name nothing — past a signed 64-bit integer, negative, written in other digits
("²", "١٢"), or not whole ("1e9") — in a URL, a query's cursor, a form or a JSON body: each is
answered 404 or 4xx, never 500, on SQLite and PostgreSQL. The databases keep ids and cursors as
signed 64-bit integers, which a bigger number overflows."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.convertors import IntegerConvertor

from tests.desk import Team, make_team
from tests.integration.test_taxii import TAXII, Desk, desk
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

__all__ = ["desk"]  # the TAXII server with two partners, from test_taxii

PASSWORD = "correct horse battery staple"
OUT_OF_RANGE = (
    str(2**63),  # one past the largest id either database stores
    str(2**64),
    "9" * 30,
    "-1",
    "0",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits: int() reads them, a URL's id is ASCII
    "1e9",
    "1_000",
)


@dataclass
class Console:
    app: FastAPI
    team: Team
    client: TestClient  # logged in as the lead
    csrf: str
    token: str  # the lead's read-write API token
    incident_id: int


@pytest.fixture
def console(settings: Settings, store: Store) -> Iterator[Console]:
    """The app with the lead logged in (a session and a read-write token) and one incident;
    server errors come back as 500 answers rather than exceptions."""
    team = make_team(store)
    accounts = Accounts(store, now=team.clock)
    accounts.reset_password(Principal.system(), "lead", PASSWORD)
    lead = team.people["lead"]
    token = accounts.create_token(lead, "numbers", "read,write").secret
    incident = team.desk.create(lead, title="Phishing", type="phishing", priority="P2", tlp="AMBER")
    app = create_app(settings, clock=team.clock, watch_clocks=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        csrf = _csrf(client.get("/login").text)
        logged = client.post(
            "/login",
            data={"username": "lead", "password": PASSWORD, "csrf": csrf},
            follow_redirects=False,
        )
        assert logged.status_code == 303, logged.text[:300]
        yield Console(app, team, client, _csrf(client.get("/handover").text), token, incident.id)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def number_params(route: APIRoute) -> set[str]:
    """The path parameters of a route that are whole numbers, by its converter or its type."""
    by_convertor = {
        name for name, conv in route.param_convertors.items() if isinstance(conv, IntegerConvertor)
    }
    by_type = {p.name for p in route.dependant.path_params if p.field_info.annotation is int}
    return by_convertor | by_type


def numbered_routes(app: FastAPI) -> list[tuple[str, APIRoute, str]]:
    """Each (full path, route, whole-number parameter) of the app, routers included."""
    return [
        (context.path, context.route, name)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute)
        for name in sorted(number_params(context.route))
    ]


def _ask(console: Console, method: str, path: str) -> httpx2.Response:
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {console.token}"}
        body = {"json": {}} if method != "GET" else {}
        return console.client.request(method, path, headers=headers, **body)
    form = {"data": {"csrf": console.csrf}} if method != "GET" else {}
    return console.client.request(method, path, follow_redirects=False, **form)


def test_every_route_with_a_number_in_its_path_refuses_numbers_out_of_range(
    console: Console,
) -> None:
    """Walks the app's route table (so a route added later is walked too): each whole-number
    path parameter, given each number out of range, is answered 404 or 422, never 500."""
    routes = numbered_routes(console.app)
    paths = {path for path, _, _ in routes}
    assert {"/incidents/{incident_id:int}", "/api/v1/incidents/{incident_id}"} <= paths
    assert "/notices/{notice_id:int}/ack/{token}" in paths  # answered to anyone
    for template, route, name in routes:
        for value in OUT_OF_RANGE:
            path = template
            for param in route.param_convertors:
                given = value if param == name else str(console.incident_id)
                filler = given if param in number_params(route) else "x"
                path = re.sub(r"\{" + param + r"(:[a-z]+)?\}", filler, path)
            for method in sorted(route.methods or ()):
                answer = _ask(console, method, path)
                assert answer.status_code in (404, 422), (method, path, answer.status_code)


def test_the_largest_id_is_only_not_found(console: Console) -> None:
    """2**63-1, the largest id a database stores, is an id like another: 404 on a page and over
    the API."""
    largest = str(2**63 - 1)
    assert console.client.get(f"/incidents/{largest}").status_code == 404
    over_api = _ask(console, "GET", f"/api/v1/incidents/{largest}")
    assert over_api.status_code == 404
    assert over_api.headers["content-type"] == "application/problem+json"


def test_cursors_out_of_range_are_refused(console: Console) -> None:
    """The events page's and the events API's ``cursor`` and the audit log's ``after``, out of
    range, are refused with 400 or 422."""
    token = {"Authorization": f"Bearer {console.token}"}
    for value in OUT_OF_RANGE:
        page = console.client.get("/events", params={"cursor": value})
        api = console.client.get("/api/v1/events", params={"cursor": value}, headers=token)
        audit = console.client.get("/audit", params={"after": value})
        assert (page.status_code, api.status_code) == (400, 422), value
        assert audit.status_code in (200, 400), value


def test_console_forms_refuse_numbers_out_of_range(console: Console) -> None:
    """Assigning to, or splitting off an event numbered, out of range shows the form's error
    (400) and changes nothing."""
    base = f"/incidents/{console.incident_id}"
    for value in OUT_OF_RANGE:
        assign = console.client.post(
            f"{base}/assign", data={"csrf": console.csrf, "assignee": value}, follow_redirects=False
        )
        split = console.client.post(
            f"{base}/split",
            data={"csrf": console.csrf, "event": value, "title": "Split off"},
            follow_redirects=False,
        )
        assert (assign.status_code, split.status_code) == (400, 400), value
    incident = console.team.desk.get(console.team.people["lead"], console.incident_id)
    assert incident.assignee_id is None


def test_api_bodies_refuse_numbers_out_of_range(console: Console) -> None:
    """An assignee, a merge target or an event to split off out of range is a 422 over the
    API."""
    headers = {"Authorization": f"Bearer {console.token}"}
    base = f"/api/v1/incidents/{console.incident_id}"
    for value in (2**63, 2**64, -1, 0, "²", "1_000"):
        bodies = {
            "assign": {"assignee_id": value},
            "merge": {"into": value},
            "split": {"event_ids": [value], "title": "Split off"},
        }
        for route, body in bodies.items():
            answer = console.client.post(f"{base}/{route}", json=body, headers=headers)
            assert answer.status_code == 422, (route, value, answer.status_code)


def test_taxii_numbers_out_of_range_are_refused(desk: Desk) -> None:
    """A ``next`` that encodes no cursor this server gives (too big, negative, not ASCII digits)
    is a TAXII 400 on objects and the manifest; a ``limit`` past any page is the largest page,
    and one that is not a positive whole number in ASCII digits is a 400."""
    auth = ("partner-a", desk.tokens["Partner A"])
    nexts = [str(2**63), "9" * 30, "-5", "²", "١٢", " 12", "+12", "1_0", "1e9"]
    with httpx2.Client(base_url=desk.url, auth=auth, headers={"Accept": TAXII}) as client:
        for text in nexts:
            token = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
            for endpoint in ("objects", "manifest"):
                answer = client.get(
                    f"/taxii2/api/collections/community/{endpoint}/", params={"next": token}
                )
                assert answer.status_code == 400, (text, endpoint, answer.text)
                assert answer.json()["http_status"] == "400"
        for limit, status in ((str(2**64), 200), ("9" * 5000, 200), ("²", 400), ("-1", 400)):
            answer = client.get(
                "/taxii2/api/collections/community/objects/", params={"limit": limit}
            )
            assert answer.status_code == status, limit
