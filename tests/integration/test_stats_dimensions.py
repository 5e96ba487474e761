"""The dimensions and measures of statistics releases on the store, SQLite and PostgreSQL:
events counted by the database and judged on their victims;
requests for assistance counted by legal basis and direction as the yearly figures count them;
incidents by the country the registry gives their constituent; victims each counted once; and
a release reproduced from its stored declaration gives the same snapshot and CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import orjson
import pytest

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tests.integration.test_assist_figures import seed
from tocsin.assist.figures import AssistFigures
from tocsin.errors import Conflict
from tocsin.model.constituent import Constituent
from tocsin.model.sla import SlaPolicy
from tocsin.services.report import ParliamentReport
from tocsin.settings import ConfigError, Settings
from tocsin.stats.outputs import schema
from tocsin.stats.releases import RELEASE_LOCK, Oversight
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


def test_a_release_waits_for_the_one_being_made(store: Store, team: Team) -> None:
    """Two releases made at once would each be audited without the other: while one holds the
    store's release lock, another is refused, saying so, and nothing is kept."""
    oversight = Oversight(store, now=team.clock)
    spec = spec_of({"name": "march", "rows": "sector", "from": "2026-03"})
    with store.try_lock(RELEASE_LOCK) as held:
        assert held
        with pytest.raises(Conflict, match="another statistics release is being made"):
            oversight.release(team.people["lead"], spec)
    assert oversight.releases(team.people["lead"]) == []
    assert oversight.release(team.people["lead"], spec)["state"] == "pending"


def test_a_templates_tables_are_released_together_or_not_at_all(store: Store, team: Team) -> None:
    team.clock.now = at(3)
    for n in range(12):
        team.desk.create(
            team.people["analyst"], title=f"n{n}", type="ddos", priority="P2", sector="health"
        )
    oversight = Oversight(store, now=team.clock)
    _, specs = oversight.template("art14", 2026)
    kept = oversight.release_all(team.people["lead"], specs)
    assert [r["name"] for r in kept] == ["offences-2026", "offences-by-sector-2026"]
    offences = {"/".join(c["key"]): c["shown"] for c in kept[0]["cells"]}
    assert (offences["art4"], offences["Total"]) == (12, 12)


def test_tables_released_together_are_kept_all_or_none(store: Store, team: Team) -> None:
    """January to October, November, then January to November by sector: the last minus the
    first is November, whose health cell (one victim) November's table hides. Released
    together, the third is refused, named, and none of the three is kept."""
    for month, health in ((1, 3), (10, 3), (11, 1)):
        team.clock.now = at(month)
        for sector, victims in (("energy", 4), ("health", health)):
            for n in range(victims):
                team.desk.create(
                    team.people["analyst"],
                    title=f"{sector} {n}",
                    type="phishing",
                    priority="P3",
                    constituent=f"{sector}-{n}",
                    sector=sector,
                )
    oversight = Oversight(store, now=team.clock)
    specs = [
        spec_of({"name": name, "rows": "sector", "from": first, "to": last, "threshold": 2})
        for name, first, last in (
            ("to-oct", "2026-01", "2026-10"),
            ("nov", "2026-11", "2026-11"),
            ("to-nov", "2026-01", "2026-11"),
        )
    ]
    with pytest.raises(Conflict, match=r"refused: to-nov: .*health"):
        oversight.release_all(team.people["lead"], specs)
    assert oversight.releases(team.people["lead"]) == []
    assert len(oversight.release_all(team.people["lead"], specs[:2])) == 2


def test_events_are_counted_by_the_database_and_judged_on_their_victims(
    store: Store, team: Team
) -> None:
    """Reports before they are incidents: three constituents' events and one network's, by
    RSIT class; each cell's victims are the constituents, else the networks (ASNs), behind it."""
    store.replace_constituents(
        [Constituent(f"c{n}", sector="health", country="EE") for n in range(3)]
    )
    events = [
        make_event(
            source__ip=f"192.0.2.{n}",
            time__source=f"2026-03-{1 + n % 28:02d}T10:00:00+00:00",
            tocsin__constituent=f"c{n % 3}",
        )
        for n in range(30)
    ]
    events += [
        make_event(
            source__ip="198.51.100.9",
            source__asn=64500,
            classification__type="ddos",
            time__source="2026-03-09T10:00:00+00:00",
        ),
        make_event(source__ip="192.0.2.99", time__source="2026-04-02T10:00:00+00:00"),
    ]
    store.write(rows(*events), [])
    oversight = Oversight(store, now=team.clock)
    spec = spec_of({"name": "e", "measure": "events", "rows": "taxonomy", "from": "2026-03"})
    checked = {"/".join(r["key"]): r for r in oversight.check(team.people["lead"], spec).rows()}
    scans, attacks = checked["information-gathering"], checked["availability"]
    assert (scans["value"], scans["victims"], attacks["value"], attacks["victims"]) == (30, 3, 1, 1)
    assert checked["Total"]["value"] == 31  # April's event is not in March
    assert scans["suppressed"]  # 3 victims: fewer than 10, however many events
    by_sector = cells(
        oversight, team, measure="events", rows="sector", columns="country", **{"from": "2026-03"}
    )
    assert (by_sector["health/EE"], by_sector["other/ZZ"]) == (30, 1)


def test_incidents_are_counted_by_the_region_the_registry_gives_and_the_desks_list(
    store: Store, team: Team
) -> None:
    store.replace_constituents(
        [
            Constituent("Tallinn Port", country="EE", region="EE001"),
            Constituent("Tartu Clinic", country="EE", region="EE008"),
            Constituent("Riga Water", country="LV", region="LV006"),
        ]
    )
    team.clock.now = at(3)
    for name in ("Tallinn Port", "Tallinn Port", "Tartu Clinic", "Riga Water", None):
        team.desk.create(
            team.people["analyst"], title="DDoS", type="ddos", priority="P2", constituent=name
        )
    settings = Settings.load({"TOCSIN_STATS_REGIONS": "ee001, EE004 EE008"})
    oversight = Oversight(store, now=team.clock, regions=settings.regions)
    spec = oversight.spec('name = "r"\nrows = "region"\nfrom = "2026-03"\nthreshold = 1\n')
    checked = {
        "/".join(r["key"]): r["value"] for r in oversight.check(team.people["lead"], spec).rows()
    }
    assert checked == {"EE001": 2, "EE004": 0, "EE008": 1, "other": 2, "Total": 5}


def test_the_desks_regions_must_be_region_codes() -> None:
    with pytest.raises(ConfigError, match="stats_regions"):
        Settings.load({"TOCSIN_STATS_REGIONS": "EE001 Tallinn"})


def test_the_annual_template_checks_reports_incidents_and_victims_together(
    store: Store, team: Team
) -> None:
    team.clock.now = at(5)
    for n in range(15):
        team.desk.create(
            team.people["analyst"],
            title=f"n{n}",
            type="phishing",
            priority="P3",
            constituent=f"bank-{n % 11}",
            sector="banking",
        )
    store.write(rows(make_event(source__ip="192.0.2.1", time__source="2026-05-02T10:00:00Z")), [])
    oversight = Oversight(store, now=team.clock)
    title, specs = oversight.template("annual", 2026)
    found = oversight.check_all(team.people["lead"], specs)
    totals = {c.table.spec.name: c.rows()[-1]["value"] for c in found}
    assert "annual report" in title
    assert totals == {
        "events-by-class-2026": 1,
        "incidents-by-month-2026": 15,
        "incidents-by-class-and-priority-2026": 15,
        "incidents-by-sector-2026": 15,
        "incidents-by-reporter-2026": 15,
        "victims-by-sector-2026": 11,
    }
    assert not any(c.leaks for c in found)


def test_a_release_says_what_it_counts_in_its_files_and_the_report(
    store: Store, team: Team
) -> None:
    store.write(
        rows(*(make_event(source__ip=f"192.0.2.{n}", source__asn=64500 + n) for n in range(12))),
        [],
    )
    oversight = Oversight(store, now=team.clock)
    spec = spec_of({"name": "reports", "measure": "events", "rows": "taxonomy", "from": "2026-11"})
    kept = oversight.release(team.people["lead"], spec)
    oversight.approve(team.people["admin"], kept["id"])
    assert oversight.csv(None, kept["id"]).startswith("taxonomy,events\n")
    published = orjson.loads(oversight.output(None, kept["id"], "json"))
    jsonschema.validate(published, schema())
    assert published["measure"] == "events"
    parliament = ParliamentReport(
        store, oversight, SlaPolicy.default(), AssistFigures(store), team.clock
    )
    (section,) = parliament.build(2026, "fr").sections
    assert "signalements (événements) par classe (RSIT)" in section.grid.caption
