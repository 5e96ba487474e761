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
        for who in ("admin", "lead", "analyst", "auditor", "partner"):
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


def _released(page: Page) -> list[Any]:
    return page.team.store.share.releases(None)


def test_a_lead_adds_a_collection_a_partner_and_their_agreement(page: Page) -> None:
    added = page.post("lead", "/sharing/collections", alias="elections", title="Elections")
    assert (added.status_code, added.headers["location"]) == (303, "/sharing#collections")
    assert page.post("lead", "/sharing/partners", name="CERT-ZZ").status_code == 303
    agreed = page.post(
        "lead",
        "/sharing/agreements",
        partner="CERT-ZZ",
        collection="elections",
        max_tlp="AMBER",
        read="on",
    )
    assert agreed.status_code == 303
    shown = page.clients["admin"][0].get("/sharing").text
    assert "elections" in shown and "CERT-ZZ" in shown
    share = page.team.store.share
    collection = share.collection("elections")
    org = page.team.store.people.organisation_named("CERT-ZZ")
    assert collection is not None and org is not None
    (agreement,) = share.agreements(org_id=org.id, collection_id=collection.id)
    assert (agreement.can_read, agreement.can_write, agreement.approval) == (True, False, False)
    assert agreement.max_tlp is TLP.AMBER
    actions = [e.action for e in page.team.store.cases.audit()]
    assert {"share.collection", "partner.create", "partner.agreement"} <= set(actions)


def test_a_wrong_value_is_named_on_the_form_and_changes_nothing(page: Page) -> None:
    bad = page.post("lead", "/sharing/collections", alias="no spaces!", title="X")
    assert bad.status_code == 400
    assert 'id="collection-alias"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="no spaces!"' in bad.text  # what was typed stays
    red = page.post(
        "lead", "/sharing/agreements", partner="CERT-XY", collection="community", max_tlp="RED"
    )
    assert red.status_code == 400 and "never leaves" in red.text
    assert page.team.store.share.collection("no spaces!") is None


def test_an_analyst_releases_an_incident_but_keeps_no_partner_or_collection(page: Page) -> None:
    team = page.team
    analyst = team.people["analyst"]
    incident = team.desk.create(
        analyst, title="Phish kit", type="phishing", priority="P3", tlp="GREEN"
    )
    shown = page.clients["analyst"][0].get(f"/incidents/{incident.id}").text
    assert f"/sharing?incident={incident.reference}" in shown
    form = page.clients["analyst"][0].get(f"/sharing?incident={incident.reference}").text
    assert f'value="{incident.reference}"' in form
    assert 'action="/sharing/collections"' not in form  # no form that ends in 403
    before = len(_released(page))
    done = page.post(
        "analyst", "/sharing/publish", collection="community", incident=incident.reference
    )
    assert (done.status_code, done.headers["location"]) == (303, "/sharing#latest")
    newest = _released(page)[0]
    assert len(_released(page)) == before + 1
    assert (newest.author, newest.state) == ("analyst", ReleaseState.RELEASED)
    assert incident.reference in newest.summary
    assert page.post("analyst", "/sharing/collections", alias="mine").status_code == 403
    assert page.post("analyst", "/sharing/partners", name="CERT-QQ").status_code == 403
    assert page.team.store.people.organisation_named("CERT-QQ") is None


def test_an_empty_release_form_releases_nothing(page: Page) -> None:
    before = len(_released(page))
    empty = page.post("analyst", "/sharing/publish", collection="community")
    assert empty.status_code == 400 and "name an incident" in empty.text
    bad_time = page.post("analyst", "/sharing/publish", collection="community", since="yesterday")
    assert bad_time.status_code == 400 and 'id="publish-since"' in bad_time.text
    assert len(_released(page)) == before


def test_events_released_for_a_partner_wait_for_a_second_lead(page: Page) -> None:
    done = page.post(
        "analyst", "/sharing/publish", collection="community", partner="CERT-XY", since="2020-01-01"
    )
    assert done.status_code == 303
    newest = _released(page)[0]
    assert newest.state is ReleaseState.PENDING and newest.tlp is TLP.AMBER_STRICT
    assert (
        page.post(
            "auditor", "/sharing/publish", collection="community", since="2020-01-01"
        ).status_code
        == 403
    )
