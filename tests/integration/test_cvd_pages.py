"""The console's vulnerability pages on SQLite and PostgreSQL: staff read the cases and their
log; the reporter's contact reaches leads, admins and the handler only, each reading audited; a
partner reads none of it; the advisory downloads as a CSAF draft until publication."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tocsin.cvd.cases import Cvd
from tocsin.model.cvd import Case
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"
CONTACT = "finder7731@researcher.example"


@dataclass
class Pages:
    team: Team
    case: Case
    clients: dict[str, TestClient]


@pytest.fixture
def pages(settings: Settings, store: Store) -> Iterator[Pages]:
    team = make_team(store)
    cvd = Cvd(store, now=team.clock)
    case = cvd.create(
        team.people["analyst"],
        title="Stored XSS in the Acme router",
        reporter="Ana Lima",
        contact=CONTACT,
        vendors=["Acme"],
        products=[("Acme", "cpe:2.3:h:acme:router:1.2.0:*:*:*:*:*:*:*")],
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        description="A stored XSS.",
    )
    cvd.log(
        team.people["analyst"],
        case.id,
        text="Details sent to Acme",
        party="Acme",
        direction="out",
        tlp="AMBER",
    )
    accounts = Accounts(store, now=team.clock)
    clients: dict[str, TestClient] = {}
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as first:
        for who in ("lead", "analyst", "analyst2", "partner"):
            accounts.reset_password(Principal.system(), who, PASSWORD)
            client = TestClient(first.app)
            found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert found
            form = {"username": who, "password": PASSWORD, "csrf": found.group(1)}
            client.post("/login", data=form, follow_redirects=False)
            clients[who] = client
        yield Pages(team, case, clients)


def test_staff_read_the_cases_and_the_log(pages: Pages) -> None:
    listing = pages.clients["analyst2"].get("/cvd")
    assert listing.status_code == 200 and pages.case.public_id in listing.text
    shown = pages.clients["analyst2"].get(f"/cvd/{pages.case.public_id}")
    assert shown.status_code == 200
    assert "Details sent to Acme" in shown.text and "6.1" in shown.text
    assert CONTACT not in shown.text and "contact details</a>" not in shown.text
    assert pages.clients["analyst2"].get("/cvd?state=nonsense").status_code == 400


def test_the_contact_reaches_the_handler_and_leads_each_reading_audited(pages: Pages) -> None:
    path = f"/cvd/{pages.case.public_id}/contact"
    answers = {who: pages.clients[who].get(path) for who in ("analyst", "lead", "analyst2")}
    assert [answers[w].status_code for w in ("analyst", "lead", "analyst2")] == [200, 200, 403]
    assert (
        CONTACT in answers["lead"].text and answers["lead"].headers["cache-control"] == "no-store"
    )
    readers = [e.actor for e in pages.team.store.cases.audit() if e.action == "cvd.contact_read"]
    assert readers == ["analyst", "lead"]


def test_a_partner_reads_no_vulnerability_page(pages: Pages) -> None:
    partner = pages.clients["partner"]
    paths = [
        "/cvd",
        f"/cvd/{pages.case.public_id}",
        f"/cvd/{pages.case.public_id}/contact",
        f"/cvd/{pages.case.public_id}/advisory.json",
    ]
    # partners have no console: every page answers 403 before it looks for the case
    assert [partner.get(p).status_code for p in paths] == [403, 403, 403, 403]


def test_the_advisory_downloads_as_a_draft_before_publication(pages: Pages) -> None:
    answer = pages.clients["analyst2"].get(f"/cvd/{pages.case.public_id}/advisory.json")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    document = orjson.loads(answer.content)
    assert document["document"]["tracking"]["status"] == "draft"
    assert document["document"]["category"] == "csaf_security_advisory"
    assert CONTACT.encode() not in answer.content
