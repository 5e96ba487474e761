"""The directory of 24/7 contacts, on SQLite and PostgreSQL: each change makes a new version
(the old ones kept, the id the same), a contact not confirmed reachable for 12 months is stale
and a request sent to it carries a warning; liaisons, leads and admins change it, auditors read
it, analysts find nothing."""

from __future__ import annotations

import pytest

from tests.assist_desk import Desk, make_desk
from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.store import Store

DAY = 86_400


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def test_an_update_makes_a_new_version_and_keeps_the_old(desk: Desk) -> None:
    first = desk.contact("DE", address="old@bka.example")
    desk.team.clock.advance(DAY)
    second = desk.contacts.update(desk.who("lead"), first.id, address="new@bka.example")
    assert (second.id, second.version, second.address) == (first.id, 2, "new@bka.example")
    versions = desk.contacts.versions(desk.who("auditor"), first.id)
    assert [(v.version, v.address) for v in versions] == [
        (1, "old@bka.example"),
        (2, "new@bka.example"),
    ]
    logged = [e.action for e in desk.team.store.cases.audit_for("assist_contact", str(first.id))]
    assert logged == ["assist.contact_add", "assist.contact_update"]


def test_the_directory_is_searched_by_country_and_words(desk: Desk) -> None:
    desk.contact("DE")
    desk.contact("NL", notes="answers in Dutch first")
    liaison = desk.who("liaison")
    assert [c.country for c in desk.contacts.search(liaison, country="nl")] == ["NL"]
    assert [c.country for c in desk.contacts.search(liaison, text="DUTCH")] == ["NL"]
    assert [c.country for c in desk.contacts.search(liaison)] == ["DE", "NL"]


def test_a_request_sent_to_a_contact_not_confirmed_for_a_year_carries_a_warning(
    desk: Desk,
) -> None:
    contact = desk.contact("DE")
    liaison, lead = desk.who("liaison"), desk.who("lead")
    assert desk.contacts.stale(contact)  # never confirmed
    confirmed = desk.contacts.confirm(liaison, contact.id)
    assert not desk.contacts.stale(confirmed)
    request = desk.draft(counterpart_id=contact.id)
    desk.assist.move(liaison, request.id, "awaiting_approval")
    desk.assist.approve(lead, request.id)
    desk.team.clock.advance(366 * DAY)
    sent = desk.assist.move(liaison, request.id, "sent")
    assert any("not been confirmed reachable" in w for w in sent.warnings)
    desk.contacts.confirm(liaison, contact.id)
    assert desk.assist.warnings(desk.assist.get(lead, request.id)) == ()


def test_who_may_change_the_directory(desk: Desk) -> None:
    contact = desk.contact("DE")
    with pytest.raises(Forbidden):
        desk.contacts.confirm(desk.who("auditor"), contact.id)
    assert desk.contacts.get(desk.who("auditor"), contact.id).id == contact.id
    with pytest.raises(NotFound):
        desk.contacts.search(desk.who("analyst"))
    with pytest.raises(NotFound):
        desk.contacts.confirm(desk.who("liaison"), contact.id + 100)


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "Germany"), ("timezone", "Berlin"), ("languages", "german"), ("channel", "fax")],
)
def test_a_contact_s_fields_are_checked(desk: Desk, field: str, value: str) -> None:
    values = {"country": "DE", field: value}
    with pytest.raises(InvalidValue, match=field):
        desk.contact(**values)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("https://tocsin.ccb.be.example", False),
        ("http://127.0.0.1:8443", False),
        ("http://[::1]:8443", False),
        ("http://localhost:8443", False),
        ("http://tocsin.ccb.be.example", True),  # plain http beyond this machine
        ("http://10.0.0.7:8000", True),
        ("ftp://tocsin.ccb.be.example", True),
        ("https://", True),
        ("tocsin.ccb.be.example", True),
    ],
)
def test_a_tocsin_contact_s_address_is_https_or_the_loopback(
    desk: Desk, address: str, refused: bool
) -> None:
    """A contact reached Tocsin to Tocsin has its base URL as address: https, or plain http to
    this machine only; the same rule holds when an update changes the address or the channel."""
    if refused:
        with pytest.raises(InvalidValue, match="address"):
            desk.contact(channel="tocsin", address=address)
        mailed = desk.contact(channel="email", address="24-7@de.example")
        with pytest.raises(InvalidValue, match="address"):
            desk.contacts.update(desk.who("liaison"), mailed.id, channel="tocsin", address=address)
        web = desk.contact(channel="tocsin", address="https://tocsin.de.example")
        with pytest.raises(InvalidValue, match="address"):
            desk.contacts.update(desk.who("liaison"), web.id, address=address)
    else:
        assert desk.contact(channel="tocsin", address=address).address == address
