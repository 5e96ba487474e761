"""Builders for the tests of requests for assistance: a team with a person of every role, the
request and contact services on its clock, a complete Art. 29 request and its safeguards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.desk import Team, make_team
from tocsin.assist.directory import Contacts
from tocsin.assist.requests import Assistance
from tocsin.model.assist.request import Contact, Request
from tocsin.model.people import Principal
from tocsin.store import Store

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
class Desk:
    team: Team
    assist: Assistance
    contacts: Contacts

    def who(self, name: str) -> Principal:
        return self.team.people[name]

    def draft_with(self, service: Assistance, name: str = "liaison") -> Request:
        values = {"basis": "BC-29", "title": "t", "elements": ART29, "safeguards": SAFEGUARDS}
        return service.create(self.who(name), **values).request

    def draft(self, name: str = "liaison", **changes: Any) -> Request:
        values: dict[str, Any] = {
            "basis": "BC-29",
            "title": "Preserve the VPS account's logs",
            "elements": ART29,
            "safeguards": SAFEGUARDS,
            **changes,
        }
        return self.assist.create(self.who(name), **values).request

    def contact(self, country: str = "DE", **changes: Any) -> Contact:
        values: dict[str, Any] = {
            "country": country,
            "authority": f"{country} 24/7 point of contact",
            "channel": "email",
            "address": f"24-7@{country.lower()}.example",
            "languages": "en",
            "timezone": "Europe/Berlin",
            **changes,
        }
        return self.contacts.add(self.who("liaison"), **values)


def make_desk(store: Store) -> Desk:
    team = make_team(store)
    return Desk(team, Assistance(store, now=team.clock), Contacts(store, now=team.clock))


def audit_actions(store: Store, request: Request) -> list[str]:
    return [e.action for e in store.cases.audit_for("assist", request.ref)]
