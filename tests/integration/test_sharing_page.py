"""The console's ``/sharing`` page on SQLite and PostgreSQL: staff see what waits for a second
lead; a lead other than the author approves or refuses it with a CSRF-checked form; the author,
an analyst and a partner cannot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tocsin.model.people import Principal
from tocsin.model.share import ReleaseState
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.publish import Publisher
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store
from tocsin.store.shapes import EventFilter
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"


@dataclass
class Page:
    team: Team
    release_id: int
    clients: dict[str, tuple[TestClient, str]]  # who -> (logged-in client, CSRF token)

    def post(self, who: str, path: str, **form: str) -> Any:
        client, csrf = self.clients[who]
        return client.post(path, data={"csrf": csrf, **form}, follow_redirects=False)

    def state(self) -> ReleaseState:
        found = self.team.store.share.release(self.release_id)
        assert found is not None
        return found[0].state


@pytest.fixture
def page(settings: Settings, store: Store) -> Iterator[Page]:
    team = make_team(store)
    store.write(rows(make_event(source__ip="203.0.113.5", tlp="AMBER+STRICT")), [])
    sharing = Sharing(store, now=team.clock)
    lead = team.people["lead"]
    sharing.add_collection(lead, "community", "Community")
    sharing.add_partner(lead, "CERT-XY")
    sharing.set_agreement(
        lead,
        "CERT-XY",
        "community",
        read=True,
        write=False,
        max_tlp=TLP.AMBER_STRICT,
        approval=True,
    )
    publisher = Publisher(sharing, team.desk, "National CSIRT")
    pending = publisher.events(lead, "community", EventFilter(), partner="CERT-XY").release
    accounts = Accounts(store, now=team.clock)
    clients: dict[str, tuple[TestClient, str]] = {}
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as first:
        for who in ("admin", "lead", "analyst", "partner"):
            accounts.reset_password(Principal.system(), who, PASSWORD)
            client = TestClient(first.app)
            csrf = _csrf(client.get("/login").text)
            answer = client.post(
                "/login",
                data={"username": who, "password": PASSWORD, "csrf": csrf},
                follow_redirects=False,
            )
            assert answer.status_code == 303
            clients[who] = (client, _csrf(client.get("/handover").text))
        yield Page(team, pending.id, clients)


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found, "no CSRF field on the page"
    return found.group(1)


def test_staff_see_the_waiting_release_and_only_another_lead_gets_the_buttons(page: Page) -> None:
    seen = {who: page.clients[who][0].get("/sharing") for who in ("lead", "admin", "analyst")}
    assert all(answer.status_code == 200 for answer in seen.values())
    assert all("CERT-XY" in answer.text for answer in seen.values())
    action = f"/sharing/releases/{page.release_id}/approve"
    assert action in seen["admin"].text
    assert action not in seen["lead"].text  # its author
    assert "waits for another lead" in seen["lead"].text
    assert action not in seen["analyst"].text
    assert page.clients["partner"][0].get("/sharing").status_code == 403


def test_the_author_cannot_approve_another_lead_can(page: Page) -> None:
    path = f"/sharing/releases/{page.release_id}/approve"
    refused = page.post("lead", path)
    assert refused.status_code == 403 and "four eyes" in refused.text
    assert page.post("analyst", path).status_code == 403
    assert page.state() is ReleaseState.PENDING
    done = page.post("admin", path)
    assert (done.status_code, done.headers["location"]) == (303, "/sharing")
    assert page.state() is ReleaseState.RELEASED


def test_a_refusal_needs_a_reason_and_a_csrf_token(page: Page) -> None:
    path = f"/sharing/releases/{page.release_id}/refuse"
    empty = page.post("admin", path, reason="  ")
    assert empty.status_code == 400 and "Say why" in empty.text
    forged = page.clients["admin"][0].post(path, data={"reason": "no"}, follow_redirects=False)
    assert forged.status_code in (400, 403)
    assert page.state() is ReleaseState.PENDING
    assert page.post("admin", path, reason="names a victim").status_code == 303
    assert page.state() is ReleaseState.REFUSED
    entry = [e for e in page.team.store.cases.audit() if e.action == "share.refuse"][-1]
    assert entry.details["reason"] == "names a victim"
