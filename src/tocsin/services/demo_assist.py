"""The demo's requests for assistance: a directory of made-up 24/7 contacts (fictional
authorities, ``.example`` addresses, several countries and time zones, one not confirmed for
more than a year) and a few made-up requests in different states, each moved through the request
service by the demo's liaison and approved by its lead, on clocks set back so that their
deadlines run: an outgoing Art. 29 preservation that is preserved, an incoming Second Protocol
Art. 9 emergency acknowledged, an EPOC-PR awaiting approval, an incoming request refused with a
ground, and the Art. 31 follow-up of the preservation, closed. Loaded once: a store that holds
contacts or requests already gets none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.assist.directory import Contacts
from tocsin.assist.requests import Assistance
from tocsin.model.assist import bases
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Contact, Request
from tocsin.model.people import Principal
from tocsin.store.base import Store

Now = Callable[[], int]
HOUR = 3600
DAY = 24 * HOUR

DEMO_CONTACTS: tuple[dict[str, Any], ...] = (
    {
        "country": "DE",
        "authority": "Fictional Federal Cyber Desk (demo)",
        "channel": "email",
        "address": "24-7@cyber-desk.de.example",
        "languages": "de,en",
        "timezone": "Europe/Berlin",
    },
    {
        "country": "FR",
        "authority": "Office fictif de lutte contre la cybercriminalité (démo)",
        "channel": "tocsin",
        "address": "https://tocsin.ofc.fr.example",
        "languages": "fr,en",
        "timezone": "Europe/Paris",
    },
    {
        "country": "BR",
        "authority": "Fictional Federal Police 24/7 Unit (demo)",
        "channel": "phone",
        "address": "+55 61 5550 0100",
        "languages": "pt,en",
        "timezone": "America/Sao_Paulo",
    },
    {
        "country": "JP",
        "authority": "Fictional National Police Cyber Centre (demo)",
        "channel": "email",
        "address": "poc@cyber-centre.jp.example",
        "languages": "ja,en",
        "timezone": "Asia/Tokyo",
        "office_hours": "Mo-Fr 09:00-18:00",
    },
)
STALE = "JP"  # last confirmed reachable more than 12 months ago
SAFEGUARDS: dict[str, Any] = {
    "necessity": "Only one account's records for ten days; nothing less would show who acted.",
    "approving_authority": "Public Prosecutor A. Example (demo)",
    "data_categories": ["subscriber", "traffic"],
    "scope_from": "2026-11-01T00:00:00+00:00",
    "scope_to": "2026-11-11T00:00:00+00:00",
    "retention_until": "2027-12-31T00:00:00+00:00",
    "onward_transfer": "None without the requested Party's written consent.",
}


def at(now: Now, back: int) -> Now:
    """The demo's clock set ``back`` seconds earlier."""
    return lambda: now() - back


def filled(basis: Basis, given: dict[str, str] | None = None) -> dict[str, str]:
    """Every element ``basis`` requires, made-up text where none is given."""
    found = dict(given or {})
    for element in bases.elements(basis):
        if element.required and not found.get(element.id):
            found[element.id] = f"Made-up demo text: {element.label.lower()}."
    return found


def load_assist(store: Store, now: Now) -> list[str]:
    """The demo's directory and requests (once); the references of the requests made."""
    liaison, lead = store.people.user_named("liaison"), store.people.user_named("lead")
    if liaison is None or lead is None or store.assist.requests(limit=1):
        return []
    people = (Principal.of(liaison), Principal.of(lead))
    directory = load_contacts(store, now, people[0])
    if not directory:
        return []
    return [r.ref for r in load_requests(store, now, people, directory)]


def load_contacts(store: Store, now: Now, liaison: Principal) -> dict[str, Contact]:
    if store.assist.contacts():
        return {}
    found: dict[str, Contact] = {}
    for values in DEMO_CONTACTS:
        contact = Contacts(store, now=at(now, 30 * DAY)).add(liaison, **values)
        back = 400 * DAY if contact.country == STALE else 20 * DAY
        found[contact.country] = Contacts(store, now=at(now, back)).confirm(liaison, contact.id)
    return found


def load_requests(
    store: Store, now: Now, people: tuple[Principal, Principal], directory: dict[str, Contact]
) -> list[Request]:
    liaison, lead = people

    def desk(back: int) -> Assistance:
        return Assistance(store, now=at(now, back))

    def moves(request: Request, back: int, *states: str) -> None:
        for state in states:
            back -= 10 * 60
            if state == "approved":
                desk(back).approve(lead, request.id, note="Checked: necessary and proportionate.")
            else:
                desk(back).move(liaison, request.id, state)

    preservation = (
        desk(12 * DAY)
        .create(
            liaison,
            basis="BC-29",
            title="Preserve the logs of a VPS used to stage stolen data (demo)",
            elements=filled(Basis.BC_29, {"custodian": "Example Hosting GmbH, Frankfurt (demo)"}),
            identifiers=[
                {
                    "kind": "ipv4",
                    "value": "192.0.2.44",
                    "port": 51234,
                    "at": "2026-11-03T14:22:07+00:00",
                }
            ],
            safeguards=SAFEGUARDS,
            counterpart_id=directory["DE"].id,
            their_ref="",
        )
        .request
    )
    moves(preservation, 12 * DAY, "awaiting_approval", "approved", "sent", "delivered")
    moves(preservation, 11 * DAY, "acknowledged", "preserved")

    follow_up = (
        desk(10 * DAY)
        .follow_up(liaison, preservation.id, title="Obtain the preserved VPS logs (demo)")
        .request
    )
    desk(10 * DAY).update(
        liaison,
        follow_up.id,
        elements=filled(Basis.BC_31, dict(follow_up.elements)),
        safeguards=SAFEGUARDS,
    )
    moves(follow_up, 10 * DAY, "awaiting_approval", "approved", "sent", "acknowledged")
    moves(follow_up, 3 * DAY, "in_execution", "produced", "closed")

    emergency = (
        desk(2 * HOUR)
        .create(
            liaison,
            basis="P2-9",
            title="Threat to a person's life: subscriber of a mail account (demo)",
            direction="incoming",
            emergency=True,
            justification="A message announces harm to a named person within the day.",
            elements=filled(Basis.P2_9),
            identifiers=[{"kind": "email", "value": "sender@mail.fr.example"}],
            counterpart_id=directory["FR"].id,
            their_ref="OFC-2026-0917 (demo)",
        )
        .request
    )
    moves(emergency, HOUR, "acknowledged")

    epoc_pr = (
        desk(5 * HOUR)
        .create(
            liaison,
            basis="EPOC-PR",
            title="Preserve a messaging account's data before it is deleted (demo)",
            elements=filled(Basis.EPOC_PR),
            safeguards=SAFEGUARDS,
            counterpart_id=directory["FR"].id,
        )
        .request
    )
    moves(epoc_pr, 4 * HOUR, "awaiting_approval")

    refused = (
        desk(6 * DAY)
        .create(
            liaison,
            basis="BC-29",
            title="Preserve a news site's visitor logs (demo)",
            direction="incoming",
            elements=filled(Basis.BC_29),
            counterpart_id=directory["BR"].id,
            their_ref="PF-2026-3310 (demo)",
        )
        .request
    )
    desk(5 * DAY).move(
        lead,
        refused.id,
        "refused",
        code="essential_interests",
        note="The request targets journalists' sources (made-up case).",
    )
    return [preservation, follow_up, emergency, epoc_pr, refused]


__all__ = ["DEMO_CONTACTS", "load_assist"]
