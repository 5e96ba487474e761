"""How requests hang together, on SQLite and PostgreSQL: incidents linked (only those the person
may see), a follow-up (Art. 29 → Art. 31, EPOC-PR → EPOC) and a next hop (an Art. 30 answer names
a provider abroad: an Art. 29 request to that country's 24/7 contact), each pre-filled, linked to
the request it follows and audited on both."""

from __future__ import annotations

import pytest

from tests.assist_desk import ART29, Desk, audit_actions, make_desk
from tocsin.errors import InvalidValue, NotFound
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Link
from tocsin.store import Store

ART30 = {
    "authority": "Public Prosecutor's Office, Cybercrime Unit",
    "preservation_ref": "DE-PRES-2026-17",
    "communication": "The connection of 2026-11-20 10:00 UTC to the VPS",
    "data": "Traffic data enough to identify the next provider",
}
EPOC_PR = {
    "authority": "Public Prosecutor's Office",
    "provider": "Example Cloud SE",
    "data": "Subscriber data of account 4411",
    "offence": "Extortion (Art. 3(1)(c))",
    "facts": "A ransom note was sent from the account.",
    "necessity": "The account is the only lead.",
    "contact": "cyber@prosecutor.example",
}


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def incident(desk: Desk, **changes: object) -> int:
    values: dict[str, object] = {
        "title": "Ransomware at the water utility",
        "type": "infected-system",
        "priority": "P1",
        **changes,
    }
    return desk.team.desk.create(desk.who("analyst"), **values).id  # type: ignore[arg-type]


def test_an_incident_the_liaison_may_see_is_linked_once_and_audited(desk: Desk) -> None:
    request = desk.draft()
    seen = incident(desk)
    liaison = desk.who("liaison")
    linked = desk.assist.link_incident(liaison, request.id, seen)
    assert desk.assist.link_incident(liaison, request.id, seen).incident_ids == (seen,)
    assert linked.incident_ids == (seen,)
    assert audit_actions(desk.team.store, request).count("assist.link_incident") == 1


def test_an_incident_the_person_may_not_see_is_not_linked(desk: Desk) -> None:
    request = desk.draft()
    red = incident(desk, tlp="RED")  # its assignee, leads, admins and auditors see it
    with pytest.raises(NotFound, match="no such incident"):
        desk.assist.link_incident(desk.who("liaison"), request.id, red)
    with pytest.raises(NotFound, match="no such incident"):
        desk.assist.link_incident(desk.who("liaison"), request.id, red + 100)
    assert desk.assist.link_incident(desk.who("lead"), request.id, red).incident_ids == (red,)


def test_a_preservation_is_followed_by_an_art_31_request_to_the_same_counterpart(
    desk: Desk,
) -> None:
    contact = desk.contact("DE")
    parent = desk.draft(counterpart_id=contact.id, their_ref="DE-2026-9")
    child = desk.assist.follow_up(desk.who("liaison"), parent.id).request
    assert (child.basis, child.link, child.parent_id) == (Basis.BC_31, Link.FOLLOW_UP, parent.id)
    assert child.counterpart_id == contact.id and child.safeguards == parent.safeguards
    assert child.elements["preservation_ref"] == f"{parent.ref} (DE-2026-9)"
    assert child.elements["custodian"] == ART29["custodian"]
    assert "necessity" not in child.elements  # not an element of Art. 31
    assert [r.id for r in desk.assist.children(desk.who("lead"), parent.id)] == [child.id]
    assert "assist.follow_up" in audit_actions(desk.team.store, parent)
    with pytest.raises(InvalidValue, match="no follow-up"):
        desk.assist.follow_up(desk.who("liaison"), child.id)


def test_an_epoc_pr_is_followed_by_an_epoc(desk: Desk) -> None:
    parent = desk.draft(basis="EPOC-PR", elements=EPOC_PR)
    child = desk.assist.follow_up(desk.who("liaison"), parent.id).request
    assert child.basis is Basis.EPOC and child.elements["earlier_orders"] == parent.ref
    assert child.elements["provider"] == EPOC_PR["provider"]


def test_an_art_30_answer_naming_a_provider_abroad_makes_a_next_hop(desk: Desk) -> None:
    germany = desk.contact("DE")
    dutch = desk.contact("NL", languages="nl,en", timezone="Europe/Amsterdam")
    desk.contact("NL", kind="central_authority", authority="NL Ministry of Justice")
    parent = desk.draft(basis="BC-30", elements=ART30, counterpart_id=germany.id)
    liaison = desk.who("liaison")
    hop = desk.assist.next_hop(liaison, parent.id, country="nl", provider="Hoster BV").request
    assert (hop.basis, hop.link, hop.parent_id) == (Basis.BC_29, Link.NEXT_HOP, parent.id)
    assert (hop.counterpart_id, hop.language) == (dutch.id, "nl")
    assert hop.elements["custodian"] == "Hoster BV (NL)"
    assert hop.elements["authority"] == ART30["authority"]
    assert "assist.next_hop" in audit_actions(desk.team.store, parent)
    with pytest.raises(InvalidValue, match="another country"):
        desk.assist.next_hop(liaison, parent.id, country="DE", provider="x")
    with pytest.raises(InvalidValue, match="no 24/7 contact"):
        desk.assist.next_hop(liaison, parent.id, country="FR", provider="x")
