"""Builders for the desk's tests: a team, people of every role, an injected clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.cases.incidents import Incidents
from tocsin.model.people import OrgKind, Principal, Role
from tocsin.store import Store

START = 1_795_830_000  # 2026-11-28T01:40:00Z


@dataclass
class FakeClock:
    """Time that tests move by hand."""

    now: int = START

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


@dataclass
class Team:
    store: Store
    clock: FakeClock
    desk: Incidents
    org_id: int
    other_org_id: int
    people: dict[str, Principal] = field(default_factory=dict)


def make_team(store: Store) -> Team:
    """The national team with one user per role, and a second team that must see nothing."""
    clock = FakeClock()
    with store.transaction() as conn:
        team = store.people.add_organisation(conn, "National CSIRT", OrgKind.TEAM)
        other = store.people.add_organisation(conn, "Other Team", OrgKind.TEAM)
        people: dict[str, Principal] = {}
        for role in Role:
            user = store.people.add_user(
                conn,
                username=role.value,
                display_name=role.value.title(),
                role=role.value,
                org_id=team.id,
                disabled=False,
                password_hash="!",
                created=START,
            )
            people[role.value] = Principal.of(user)
        outsider = store.people.add_user(
            conn,
            username="outsider",
            display_name="Outsider",
            role="analyst",
            org_id=other.id,
            disabled=False,
            password_hash="!",
            created=START,
        )
        people["outsider"] = Principal.of(outsider)
        second = store.people.add_user(
            conn,
            username="analyst2",
            display_name="Analyst Two",
            role="analyst",
            org_id=team.id,
            disabled=False,
            password_hash="!",
            created=START,
        )
        people["analyst2"] = Principal.of(second)
    return Team(store, clock, Incidents(store, now=clock), team.id, other.id, people)
