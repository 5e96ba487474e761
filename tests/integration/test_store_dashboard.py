"""The dashboard's grouped counts in the store, on SQLite and PostgreSQL: where a day, an age
bucket and a period begin and end, and what the scope lets through."""

from __future__ import annotations

import pytest

from tests.desk import Team, make_team
from tocsin.model.access import IncidentScope
from tocsin.store import Store
from tocsin.store.shapes import AgeTally, IncidentTally, ResponseTally

DAY = 86_400
MIDNIGHT = 20_785 * DAY  # 2026-11-28T00:00:00Z
EVERYTHING = IncidentScope(None, True, None)


@pytest.fixture
def team(store: Store) -> Team:
    """Incidents created a second before midnight, at midnight, and 100 s after it."""
    team = make_team(store)
    for when, title in ((MIDNIGHT - 1, "late"), (MIDNIGHT, "midnight"), (MIDNIGHT + 100, "after")):
        team.clock.now = when
        team.desk.create(team.people["analyst"], title=title, type="ddos", priority="P3")
    return team


def test_a_day_starts_at_midnight_utc(team: Team) -> None:
    tallies = team.store.dashboard.incident_tallies(EVERYTHING, MIDNIGHT - DAY, MIDNIGHT + DAY)
    assert sorted(tallies, key=lambda t: t.day) == [
        IncidentTally(20_784, "ddos", None, 1),
        IncidentTally(20_785, "ddos", None, 2),
    ]


def test_the_window_includes_its_start_and_excludes_its_end(team: Team) -> None:
    tallies = team.store.dashboard.incident_tallies(EVERYTHING, MIDNIGHT, MIDNIGHT + 100)
    assert tallies == [IncidentTally(20_785, "ddos", None, 1)]


def test_an_age_bucket_holds_what_is_younger_than_its_bound(team: Team) -> None:
    now = MIDNIGHT + 100
    tallies = team.store.dashboard.open_ages(EVERYTHING, now, [100, 101, 1_000])
    assert sorted(tallies, key=lambda t: t.bucket) == [
        AgeTally("P3", 0, 1),  # 0 s old
        AgeTally("P3", 1, 1),  # exactly 100 s old: not younger than 100 s
        AgeTally("P3", 2, 1),  # 101 s old
    ]


def test_a_period_holds_its_first_second(team: Team) -> None:
    tallies = team.store.dashboard.response_tallies(
        EVERYTHING, [MIDNIGHT - DAY, MIDNIGHT, MIDNIGHT + DAY]
    )
    assert sorted(tallies, key=lambda t: t.period) == [
        ResponseTally(0, "P3", 1, 0, 0, 0, 0),
        ResponseTally(1, "P3", 2, 0, 0, 0, 0),
    ]


def test_a_scope_of_no_organisation_counts_nothing(team: Team) -> None:
    nobody = IncidentScope((), True, None)
    assert team.store.dashboard.incident_tallies(nobody, 0, MIDNIGHT + DAY) == []
    theirs = IncidentScope((team.other_org_id,), True, None)
    assert team.store.dashboard.open_ages(theirs, MIDNIGHT, [DAY]) == []
