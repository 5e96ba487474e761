"""An incident's page and API show the notices its events went out in, with their
acknowledgement, and its correspondence (mail and the reporter's words); the page has a table of
its sections. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.factories import make_event, rows
from tests.integration.test_console_http import Desk, ana, desk
from tocsin.model.people import Principal, Role
from tocsin.services.accounts import Accounts
from tocsin.store import Store

__all__ = ["ana", "desk"]


def notice(
    recipient: str, *, priority: str = "P1", acknowledged: int | None = None
) -> dict[str, Any]:
    return {
        "recipient": recipient,
        "addresses": "soc@northwind.example",
        "period": "now:1",
        "lang": "en",
        "priority": priority,
        "created": 1_795_830_000,
        "status": "sent",
        "attempts": 1,
        "last_error": "",
        "ack_hash": "0" * 64,
        "events": 1,
        "sent_at": 1_795_830_060,
        "acknowledged_at": acknowledged,
    }


def linked_notices(desk: Desk) -> tuple[int, int]:
    """The phishing incident's event in a notice nobody acknowledged; another event, not
    linked to it, in an acknowledged one. Their ids."""
    store: Store = desk.team.store
    store.write(
        rows(make_event(source__ip="198.51.100.7"), make_event(source__ip="198.51.100.8")), []
    )
    (mine, _), (other, _) = store.cases.events_since(0, 10)
    desk.team.desk.link_events(desk.team.people["analyst"], desk.phish.id, [mine])
    with store.transaction() as tx:
        ours = store.notices.add(tx, notice("Northwind Power"), [mine])
        theirs = store.notices.add(
            tx, notice("Harbour Telecom", acknowledged=1_795_831_000), [other]
        )
    return ours, theirs


def test_the_store_finds_an_incident_s_notices_through_its_events(desk: Desk) -> None:
    ours, _ = linked_notices(desk)
    found = desk.team.store.notices.for_incident(desk.phish.id)
    assert [n["id"] for n in found] == [ours]
    assert desk.team.store.notices.for_incident(desk.ddos.id) == []


def test_the_page_lists_the_notices_and_the_correspondence(desk: Desk, ana: Principal) -> None:
    linked_notices(desk)
    with desk.team.store.transaction() as tx:
        desk.team.store.cases.add_timeline(
            tx, desk.phish.id, 1_795_830_500, "mail", "mail", "a reply to notice 1: port closed"
        )
    page = desk.client.get(f"/incidents/{desk.phish.id}")
    assert page.status_code == 200
    notices = page.text.split('id="notices"')[1].split("</section>")[0]
    assert "Northwind Power" in notices and "not acknowledged" in notices
    assert "Harbour Telecom" not in notices
    letters = page.text.split('id="correspondence"')[1].split("</section>")[0]
    assert "port closed" in letters
    assert 'href="#notices">Notices (1)' in page.text
    assert 'href="#correspondence">Correspondence (1)' in page.text


def test_the_api_gives_the_notices_with_their_acknowledgement(desk: Desk) -> None:
    linked_notices(desk)
    accounts = Accounts(desk.team.store, now=desk.team.clock)
    secret = accounts.create_token(desk.team.people["analyst"], "t", "read").secret
    answer = desk.client.get(
        f"/api/v1/incidents/{desk.phish.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.text
    [only] = answer.json()["notices"]
    assert (only["recipient"], only["status"], only["acknowledged_at"]) == (
        "Northwind Power",
        "sent",
        None,
    )


def test_a_partner_sees_no_notices_of_an_incident(desk: Desk) -> None:
    """Notices name their recipients' addresses: the desk's staff only."""
    linked_notices(desk)
    partner = Principal(999, "p", Role.PARTNER, desk.team.org_id)
    assert desk.team.desk.notices(partner, desk.phish) == []
