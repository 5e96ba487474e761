"""Partners have no console: a partner who logs in lands on a page with their TAXII details and
nothing else, and every console page and form answers them 403. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.integration.test_console_http import Desk, csrf_of, desk, log_in
from tocsin.model.people import OrgKind, Principal
from tocsin.model.tlp import TLP
from tocsin.services.types import Sharing

__all__ = ["desk"]

CONSOLE_PAGES = (
    "/console",
    "/incidents/new",
    "/incidents/{phish}",
    "/incidents/{phish}/related",
    "/handover",
    "/events",
    "/notices",
    "/account",
    "/users",
    "/audit",
    "/sharing",
    "/cvd",
)
STAFF_NAVIGATION = ("Queue", "New incident", "Hand-over", 'href="/events"', 'href="/account"')


def partner(desk: Desk) -> Principal:
    """Pat, of Partner A, whose agreement reads the community collection up to AMBER."""
    lead = desk.team.people["lead"]
    sharing = Sharing(desk.team.store, now=desk.team.clock)
    sharing.add_collection(lead, "community", "Community feed")
    sharing.add_collection(lead, "private", "Not for partners")
    org = desk.accounts.ensure_organisation("Partner A", OrgKind.PARTNER)
    sharing.set_agreement(
        lead, "Partner A", "community", read=True, write=False, max_tlp=TLP.AMBER, approval=False
    )
    return desk.user("pat", role="partner", org_id=org)


def test_a_partner_who_logs_in_lands_on_their_taxii_details(desk: Desk) -> None:
    """Whatever ``next`` says, a partner goes to /partner, which names the TAXII discovery and
    API root, their collection with its access, and shows no staff navigation."""
    partner(desk)
    answer = log_in(desk.client, "pat", next="/console")
    assert (answer.status_code, answer.headers["location"]) == (303, "/partner")
    page = desk.client.get("/partner")
    assert page.status_code == 200
    assert "http://testserver/taxii2/" in page.text
    assert "http://testserver/taxii2/api/" in page.text
    assert "Community feed" in page.text and "TLP:AMBER" in page.text
    assert "Not for partners" not in page.text
    assert not any(word in page.text for word in STAFF_NAVIGATION)
    assert re.search(r'action="/logout"', page.text)


def test_every_console_page_and_form_answers_a_partner_403(desk: Desk) -> None:
    """Each console page, and a form on an incident, answers 403 without the staff navigation."""
    partner(desk)
    assert log_in(desk.client, "pat").status_code == 303
    for path in CONSOLE_PAGES:
        answer = desk.client.get(path.format(phish=desk.phish.id))
        assert answer.status_code == 403, (path, answer.status_code)
        assert not any(word in answer.text for word in STAFF_NAVIGATION), path
    token = csrf_of(desk.client, "/partner")
    note = desk.client.post(
        f"/incidents/{desk.phish.id}/notes", data={"csrf": token, "text": "from a partner"}
    )
    assert note.status_code == 403


def test_a_partner_can_log_out(desk: Desk) -> None:
    partner(desk)
    assert log_in(desk.client, "pat").status_code == 303
    token = csrf_of(desk.client, "/partner")
    out = desk.client.post("/logout", data={"csrf": token})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert desk.client.get("/partner").status_code == 303  # to log in again


def test_staff_keep_their_console_and_are_sent_there_from_the_partner_page(desk: Desk) -> None:
    desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    assert desk.client.get("/console").status_code == 200
    answer = desk.client.get("/partner")
    assert (answer.status_code, answer.headers["location"]) == (303, "/console")
