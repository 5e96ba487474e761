"""The API of requests for assistance and the directory on SQLite and PostgreSQL, with real
tokens: the register and one request as the service lets each role read them, a move and the
four-eyes approval, the printed form, and the directory's versions and confirmations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tests.integration.test_assist_pages import ART29, SAFEGUARDS
from tocsin.assist.requests import Assistance
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app


@dataclass
class Api:
    team: Team
    client: TestClient
    tokens: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    team = make_team(store)
    accounts = Accounts(store, now=team.clock)
    tokens = {}
    for name in ("liaison", "lead", "analyst", "auditor"):
        user = store.people.user_named(name)
        assert user is not None
        scopes = "read" if name == "auditor" else "read,write"
        tokens[name] = accounts.create_token(Principal.of(user), "api", scopes).secret
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as client:
        yield Api(team, client, tokens)


def test_a_request_is_made_moved_approved_and_printed_through_the_api(api: Api) -> None:
    body = {"basis": "BC-29", "title": "Preserve", "elements": ART29, "safeguards": SAFEGUARDS}
    made = api.client.post("/api/v1/requests", json=body, headers=api.as_("liaison"))
    assert made.status_code == 201, made.text
    ref = made.json()["request"]["ref"]
    assert made.headers["location"].endswith(f"/api/v1/requests/{ref}")
    moved = api.client.post(
        f"/api/v1/requests/{ref}/moves",
        json={"state": "awaiting_approval"},
        headers=api.as_("liaison"),
    )
    assert moved.json()["request"]["state"] == "awaiting_approval"
    own = api.client.post(f"/api/v1/requests/{ref}/approve", json={}, headers=api.as_("liaison"))
    assert own.status_code == 403 and own.headers["content-type"] == "application/problem+json"
    approved = api.client.post(f"/api/v1/requests/{ref}/approve", json={}, headers=api.as_("lead"))
    assert approved.json()["request"]["state"] == "approved"
    late = api.client.post(
        f"/api/v1/requests/{ref}/moves", json={"state": "closed"}, headers=api.as_("liaison")
    )
    assert late.status_code == 409
    shown = api.client.get(f"/api/v1/requests/{ref}", headers=api.as_("auditor")).json()
    assert [s["state"] for s in shown["steps"]] == ["draft", "awaiting_approval", "approved"]
    assert shown["moves"] == []  # a read-only auditor moves nothing
    assert shown["elements"]["custodian"] == ART29["custodian"]
    printed = api.client.get(
        f"/api/v1/requests/{ref}/print?format=pdf&lang=fr", headers=api.as_("auditor")
    )
    assert printed.content.startswith(b"%PDF")
    assert printed.headers["content-disposition"].startswith("attachment;")


def test_the_register_is_read_by_the_roles_that_may_and_no_other(api: Api) -> None:
    liaison = api.team.people["liaison"]
    Assistance(api.team.store, now=api.team.clock).create(
        liaison, basis="P2-9", title="Threat", direction="incoming", emergency=True
    )
    listed = api.client.get("/api/v1/requests", headers=api.as_("auditor"))
    assert listed.status_code == 200
    item = listed.json()[0]
    assert item["request"]["emergency"] is True
    assert item["next_clock"]["left"] == 8 * 3600
    ref = item["request"]["ref"]
    assert api.client.get("/api/v1/requests", headers=api.as_("analyst")).status_code == 404
    hidden = api.client.get(f"/api/v1/requests/{ref}", headers=api.as_("analyst"))
    assert hidden.status_code == 404
    assert api.client.get("/api/v1/requests").status_code == 401


def test_the_directory_keeps_versions_and_confirmations(api: Api) -> None:
    body = {
        "country": "fr",
        "authority": "Fictional 24/7 desk",
        "channel": "email",
        "address": "desk@fictional.example",
        "languages": ["fr", "en"],
        "timezone": "Europe/Paris",
    }
    added = api.client.post("/api/v1/contacts", json=body, headers=api.as_("liaison"))
    assert added.status_code == 201, added.text
    contact = added.json()
    assert (contact["country"], contact["version"], contact["stale"]) == ("FR", 1, True)
    changed = api.client.patch(
        f"/api/v1/contacts/{contact['id']}",
        json={"address": "new@fictional.example"},
        headers=api.as_("liaison"),
    ).json()
    assert (changed["address"], changed["version"]) == ("new@fictional.example", 2)
    confirmed = api.client.post(
        f"/api/v1/contacts/{contact['id']}/confirm", headers=api.as_("lead")
    ).json()
    assert confirmed["stale"] is False and confirmed["confirmed_at"] is not None
    refused = api.client.post(
        f"/api/v1/contacts/{contact['id']}/confirm", headers=api.as_("auditor")
    )
    assert refused.status_code == 403
    listed = api.client.get("/api/v1/contacts?country=FR", headers=api.as_("auditor")).json()
    assert [c["id"] for c in listed] == [contact["id"]]
    bad = api.client.post(
        "/api/v1/contacts", json={**body, "timezone": "Mars/Olympus"}, headers=api.as_("lead")
    )
    assert bad.status_code == 400 and "timezone" in bad.json()["detail"]
