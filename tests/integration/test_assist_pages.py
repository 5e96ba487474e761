"""The console's pages of requests for assistance on SQLite and PostgreSQL: the register puts the
emergency on top with its countdown from the injected clock; people who may not read requests
find neither the pages nor the menu entries; an auditor reads without forms; a form without its
CSRF token is refused; a move goes through the page; the printed form downloads as a PDF."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tocsin.assist.directory import Contacts
from tocsin.assist.requests import Assistance
from tocsin.model.assist.request import Request
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"
PEOPLE = ("liaison", "lead", "analyst", "auditor")
ART29 = {
    "authority": "Public Prosecutor's Office, Cybercrime Unit",
    "offence": "Unauthorised access to a computer system (Art. 2)",
    "facts": "A ransomware group used a VPS to stage stolen data.",
    "data": "Subscriber and traffic data of the VPS account",
    "relation": "The VPS received the stolen data on 2026-11-20.",
    "custodian": "Example Hosting Ltd, Frankfurt",
    "necessity": "The provider deletes logs after 30 days.",
    "mla_intent": "A request for mutual assistance will follow within 60 days.",
}
SAFEGUARDS: dict[str, Any] = {
    "necessity": "Only the logs of one account for ten days.",
    "approving_authority": "Public Prosecutor J. Martin",
    "data_categories": ["subscriber", "traffic"],
    "scope_from": "2026-11-18T00:00:00+00:00",
    "scope_to": "2026-11-28T00:00:00+00:00",
    "retention_until": "2027-11-28T00:00:00+00:00",
    "onward_transfer": "None without the requested Party's consent.",
}


@dataclass
class Pages:
    team: Team
    assist: Assistance
    preservation: Request  # outgoing BC-29, a draft, made first
    emergency: Request  # incoming P2-9, delivered, received 1 h 48 min before the others
    clients: dict[str, TestClient]

    def csrf(self, who: str, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.clients[who].get(path).text)
        assert found, path
        return found.group(1)


@pytest.fixture
def pages(settings: Settings, store: Store) -> Iterator[Pages]:
    team = make_team(store)
    assist = Assistance(store, now=team.clock)
    liaison = team.people["liaison"]
    contact = Contacts(store, now=team.clock).add(
        liaison,
        country="DE",
        authority="Fictional Federal Cyber Desk",
        channel="email",
        address="24-7@fictional-desk.example",
        languages="de,en",
        timezone="Europe/Berlin",
    )
    preservation = assist.create(
        liaison,
        basis="BC-29",
        title="Preserve the VPS account's logs",
        elements=ART29,
        safeguards=SAFEGUARDS,
        counterpart_id=contact.id,
    ).request
    # received 1 h 48 min ago (a clock of its own: moving the app's clock ends the sessions)
    emergency = (
        Assistance(store, now=lambda: team.clock() - 108 * 60)
        .create(
            liaison,
            basis="P2-9",
            title="Kidnapping threat: subscriber of a mail account",
            direction="incoming",
            emergency=True,
            counterpart_id=contact.id,
        )
        .request
    )
    accounts = Accounts(store, now=team.clock)
    clients: dict[str, TestClient] = {}
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as first:
        for who in PEOPLE:
            accounts.reset_password(Principal.system(), who, PASSWORD)
            client = TestClient(first.app)
            found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert found
            form = {"username": who, "password": PASSWORD, "csrf": found.group(1)}
            client.post("/login", data=form, follow_redirects=False)
            clients[who] = client
        yield Pages(team, assist, preservation, emergency, clients)


def test_the_register_puts_the_emergency_on_top_with_its_countdown(pages: Pages) -> None:
    """The emergency comes first; its 8-hour clock, started when it was received 1 h 48 min
    ago, reads from the injected clock."""
    listing = pages.clients["liaison"].get("/requests")
    assert listing.status_code == 200
    refs = re.findall(r'<a href="/requests/(RFA-\d{4}-\d{4})">', listing.text)
    assert refs == [pages.emergency.ref, pages.preservation.ref]
    assert "6 h 12 min left" in listing.text
    outgoing = pages.clients["liaison"].get("/requests?direction=outgoing").text
    assert pages.preservation.ref in outgoing and pages.emergency.ref not in outgoing
    only = pages.clients["liaison"].get("/requests?emergency=yes").text
    assert pages.emergency.ref in only and pages.preservation.ref not in only
    assert pages.clients["liaison"].get("/requests?state=nonsense").status_code == 400


def test_a_breached_deadline_is_marked_and_comes_first(pages: Pages) -> None:
    late = Assistance(pages.team.store, now=lambda: pages.team.clock() - 9 * 3600).create(
        pages.team.people["liaison"],
        basis="P2-9",
        title="Bomb threat: who sent the mail",
        direction="incoming",
        emergency=True,
    )
    listing = pages.clients["lead"].get("/requests").text
    refs = re.findall(r'<a href="/requests/(RFA-\d{4}-\d{4})">', listing)
    assert refs[0] == late.request.ref
    assert listing.count("Deadline breached") == 1 and "breached 1 h ago" in listing


def test_an_analyst_finds_no_request_and_no_menu_entry(pages: Pages) -> None:
    analyst = pages.clients["analyst"]
    assert analyst.get(f"/requests/{pages.emergency.ref}").status_code == 404
    assert analyst.get("/requests").status_code == 404
    assert analyst.get(f"/requests/{pages.emergency.ref}/print.pdf").status_code == 404
    queue = analyst.get("/console").text
    assert 'href="/requests"' not in queue and 'href="/contacts"' not in queue
    liaison_queue = pages.clients["liaison"].get("/console").text
    assert 'href="/requests"' in liaison_queue and 'href="/contacts"' in liaison_queue


def test_an_auditor_reads_a_request_but_has_no_forms(pages: Pages) -> None:
    auditor = pages.clients["auditor"]
    page = auditor.get(f"/requests/{pages.emergency.ref}")
    assert page.status_code == 200 and pages.emergency.title in page.text
    assert "/move" not in page.text and "/approve" not in page.text
    assert 'href="/requests"' in page.text
    csrf = pages.csrf("auditor", f"/requests/{pages.emergency.ref}")
    refused = auditor.post(
        f"/requests/{pages.emergency.ref}/move",
        data={"csrf": csrf, "state": "acknowledged"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert pages.assist.get(pages.team.people["lead"], pages.emergency.id).state.value == (
        "delivered"
    )


def test_a_form_without_its_csrf_token_is_refused(pages: Pages) -> None:
    answer = pages.clients["liaison"].post(
        f"/requests/{pages.emergency.ref}/move",
        data={"state": "acknowledged"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    found = pages.assist.get(pages.team.people["lead"], pages.emergency.id)
    assert found.state.value == "delivered"


def test_a_move_through_the_page_is_made_and_audited(pages: Pages) -> None:
    path = f"/requests/{pages.emergency.ref}"
    page = pages.clients["liaison"].get(path).text
    assert 'value="acknowledged"' in page and 'value="closed"' not in page
    answer = pages.clients["liaison"].post(
        f"{path}/move",
        data={"csrf": pages.csrf("liaison", path), "state": "acknowledged", "note": "on it"},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, path)
    shown = pages.clients["liaison"].get(path).text
    assert "acknowledged" in shown and "on it" in shown
    moves = [
        e.details
        for e in pages.team.store.cases.audit_for("assist", pages.emergency.ref)
        if e.action == "assist.move"
    ]
    assert moves == [{"from": "delivered", "to": "acknowledged", "note": "on it"}]


def test_a_move_the_state_does_not_allow_shows_why(pages: Pages) -> None:
    path = f"/requests/{pages.preservation.ref}"
    answer = pages.clients["liaison"].post(
        f"{path}/move",
        data={"csrf": pages.csrf("liaison", path), "state": "sent"},
        follow_redirects=False,
    )
    assert answer.status_code == 409 and "That was not done." in answer.text


def test_the_print_downloads_as_a_pdf_and_shows_as_a_page_under_the_csp(
    pages: Pages, tmp_path: Any
) -> None:
    path = f"/requests/{pages.preservation.ref}"
    pdf = pages.clients["lead"].get(f"{path}/print.pdf?lang=fr")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert disposition == f'attachment; filename="{pages.preservation.ref.lower()}-fr.pdf"'
    (tmp_path / "p.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "p.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert pages.preservation.ref in text and "Example Hosting Ltd" in text
    html = pages.clients["lead"].get(f"{path}/print.html")
    policy = html.headers["content-security-policy"]
    assert html.status_code == 200 and pages.preservation.ref in html.text
    assert "style-src 'sha256-" in policy and "script-src" not in policy
    assert pages.clients["lead"].get(f"{path}/print.pdf?lang=xx").status_code == 400
    printed = [e for e in pages.team.store.cases.audit() if e.action == "assist.print"]
    assert [e.details["format"] for e in printed] == ["pdf", "html"]


def test_the_directory_lists_by_country_marks_the_stale_and_keeps_versions(pages: Pages) -> None:
    liaison = pages.clients["liaison"]
    csrf = pages.csrf("liaison", "/contacts")
    form = {
        "csrf": csrf,
        "country": "br",
        "authority": "Fictional Federal Police 24/7",
        "kind": "24/7",
        "channel": "phone",
        "address": "+55 61 5550 0100",
        "languages": "pt,en",
        "timezone": "America/Sao_Paulo",
        "office_hours": "24/7",
        "notes": "",
    }
    added = liaison.post("/contacts", data=form, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, "/contacts?country=BR")
    listing = liaison.get("/contacts").text
    assert listing.index('id="country-BR"') < listing.index('id="country-DE"')
    assert listing.count("stale</strong>") == 2  # neither has been confirmed yet
    found = re.search(r'<a href="/contacts/(\d+)">Fictional Federal Police', listing)
    assert found
    path = f"/contacts/{found.group(1)}"
    changed = liaison.post(
        path, data={**form, "address": "+55 61 5550 0199"}, follow_redirects=False
    )
    assert changed.status_code == 303
    liaison.post(f"{path}/confirm", data={"csrf": csrf}, follow_redirects=False)
    page = liaison.get(path).text
    assert "version 1" in page and "version 2" in page and "+55 61 5550 0199" in page
    assert "stale</strong>" not in page
    bad = liaison.post("/contacts", data={**form, "timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    auditor = pages.clients["auditor"].get(path).text
    assert "Fictional Federal Police" in auditor and 'action="/contacts' not in auditor
    assert pages.clients["analyst"].get("/contacts").status_code == 404


def test_a_request_is_registered_through_the_new_request_form(pages: Pages) -> None:
    liaison = pages.clients["liaison"]
    form = liaison.get("/requests/new?basis=BC-29")
    assert form.status_code == 200 and "Custodian" in form.text and "Art. 29(2)" in form.text
    fields = {f"e-{k}": v for k, v in ART29.items()}
    safeguards = {
        f"s-{k}": ",".join(v) if isinstance(v, list) else v for k, v in SAFEGUARDS.items()
    }
    data = {
        "csrf": pages.csrf("liaison", "/requests/new?basis=BC-29"),
        "basis": "BC-29",
        "title": "Preserve a forum account's logs",
        "direction": "outgoing",
        "identifiers": "ipv4 192.0.2.7 port=443 at=2026-11-20T10:00:00+01:00\nemail a@b.example",
        **fields,
        **safeguards,
    }
    made = liaison.post("/requests/new", data=data, follow_redirects=False)
    assert made.status_code == 303, made.text[-600:]
    page = liaison.get(made.headers["location"]).text
    assert "Preserve a forum account&#39;s logs" in page and "192.0.2.7" in page
    naive = liaison.post(
        "/requests/new",
        data={**data, "identifiers": "ipv4 192.0.2.7 port=443 at=2026-11-20T10:00:00"},
    )
    assert naive.status_code == 400 and "zone" in naive.text
    assert pages.clients["analyst"].get("/requests/new").status_code == 404
