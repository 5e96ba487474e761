"""The dimensions and measures of statistics releases on the store, SQLite and PostgreSQL:
requests for assistance counted by legal basis and direction as the yearly figures count them;
incidents by the country the registry gives their constituent; victims each counted once; and
a release reproduced from its stored declaration gives the same snapshot and CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.desk import Team, make_team
from tests.integration.test_assist_figures import seed
from tocsin.assist.figures import AssistFigures
from tocsin.model.constituent import Constituent
from tocsin.stats.releases import Oversight
from tocsin.stats.tables import spec_of
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def at(month: int, day: int = 5) -> int:
    return int(datetime(2026, month, day, tzinfo=UTC).timestamp())


def cells(oversight: Oversight, team: Team, **declared: object) -> dict[str, int]:
    spec = spec_of({"name": "t", "threshold": 1, **declared})
    checked = oversight.check(team.people["lead"], spec)
    return {"/".join(r["key"]): r["value"] for r in checked.rows()}


def test_requests_are_counted_by_basis_and_direction_as_the_yearly_figures_count_them(
    store: Store, team: Team
) -> None:
    seed(store, team.org_id)
    figures = AssistFigures(store).table(team.people["liaison"], 2026, "requests", "UTC")
    expected: dict[str, int] = {}
    for row in figures.records():
        if row["country"] == "total" and row["emergency"] == "total":
            expected[f"{row['basis']}/{row['direction']}"] = int(row["requests"] or 0)
    got = cells(
        Oversight(store, now=team.clock),
        team,
        measure="requests",
        rows="basis",
        columns="direction",
        **{"from": "2026-01", "to": "2026-12"},
    )
    assert sum(expected.values()) > 3
    assert {k: got[k] for k in expected} == expected
    assert got["Total/Total"] == sum(expected.values())


def test_incidents_are_counted_by_their_constituents_country(store: Store, team: Team) -> None:
    store.replace_constituents(
        [Constituent("Port of Tallinn", country="EE"), Constituent("Riga Water", country="LV")]
    )
    team.clock.now = at(3)
    analyst = team.people["analyst"]
    for constituent in ("Port of Tallinn", "Port of Tallinn", "Riga Water", None):
        team.desk.create(analyst, title="DDoS", type="ddos", priority="P2", constituent=constituent)
    got = cells(Oversight(store, now=team.clock), team, rows="country", **{"from": "2026-03"})
    assert (got["EE"], got["LV"], got["ZZ"], got["FI"], got["Total"]) == (2, 1, 1, 0, 4)


def test_a_table_of_victims_counts_a_constituent_once(store: Store, team: Team) -> None:
    team.clock.now = at(3)
    analyst = team.people["analyst"]
    for title in ("one", "two", "three"):
        team.desk.create(
            analyst, title=title, type="ddos", priority="P2", constituent="grid", sector="energy"
        )
    oversight = Oversight(store, now=team.clock)
    victims = cells(oversight, team, measure="victims", rows="sector", **{"from": "2026-03"})
    incidents = cells(oversight, team, rows="sector", **{"from": "2026-03"})
    assert (victims["energy"], incidents["energy"]) == (1, 3)


def test_a_release_reproduced_from_its_declaration_gives_the_same_snapshot_and_csv(
    store: Store, team: Team
) -> None:
    team.clock.now = at(3)
    for n in range(12):
        team.desk.create(
            team.people["analyst"], title=f"n{n}", type="phishing", priority="P3", sector="health"
        )
    oversight = Oversight(store, now=team.clock)
    spec = spec_of({"name": "march", "rows": "sector", "from": "2026-03"})
    kept = oversight.release(team.people["lead"], spec)
    again = oversight.reproduce(team.people["admin"], kept["id"])
    assert again.same and again.snapshot == kept["snapshot"]
    team.clock.now = at(3, 20)  # an incident of March recorded late: the data moved
    team.desk.create(
        team.people["analyst"], title="late", type="phishing", priority="P3", sector="health"
    )
    moved = oversight.reproduce(team.people["admin"], kept["id"])
    assert not moved.same and moved.snapshot != kept["snapshot"]
