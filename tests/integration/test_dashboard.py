"""The console's dashboard figures, counted by the store on SQLite and PostgreSQL for one viewer:
exact counts on a small desk, what a person may not see left out, the mean times as
``cases/metrics.py`` computes them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.desk import START, Team, make_team
from tests.factories import make_event, rows
from tocsin.cases.metrics import mean_times
from tocsin.errors import Forbidden, InvalidValue
from tocsin.model import access
from tocsin.model.people import Principal
from tocsin.model.sla import DAY, HOUR, MINUTE
from tocsin.services.dashboard import Overview
from tocsin.services.desk import Desk
from tocsin.settings import Settings
from tocsin.store import Store

TODAY = "2026-11-28"  # START's day
TWO_DAYS_AGO = "2026-11-26"


@dataclass
class Seeded:
    team: Team
    desk: Desk

    def overview(self, who: str, days: int = 30) -> Overview:
        return self.desk.dashboard.overview(self.team.people[who], days)


def at(team: Team, when: int) -> None:
    team.clock.now = when


@pytest.fixture
def seeded(settings: Settings, store: Store) -> Seeded:
    """Incidents two days ago and today, a TLP:RED one nobody is assigned, another team's, one
    merged away and one 40 days old; three events (one TLP:RED); three notices."""
    team = make_team(store)
    analyst, lead = team.people["analyst"], team.people["lead"]
    make = team.desk.create
    at(team, START - 40 * DAY)
    make(analyst, title="Old scan", type="scanner", priority="P4")
    at(team, START - 2 * DAY)
    make(analyst, title="Phish 1", type="phishing", priority="P1", sector="energy")
    make(analyst, title="Phish 2", type="phishing", priority="P1", sector="energy")
    make(analyst, title="Flood", type="ddos", priority="P3")
    at(team, START)
    kept = make(analyst, title="Phish 3", type="phishing", priority="P2", sector="health")
    gone = make(analyst, title="Phish 3 again", type="phishing", priority="P2", sector="health")
    team.desk.merge(analyst, gone.id, kept.id)
    make(lead, title="Red flood", type="ddos", priority="P2", tlp="RED")
    make(team.people["outsider"], title="Their phish", type="phishing", priority="P1")
    store.write(
        rows(
            make_event(source__ip="192.0.2.1", feed__name="shadowserver", time__source=TODAY),
            make_event(source__ip="192.0.2.2", feed__name="shadowserver", time__source=TODAY),
            make_event(source__ip="192.0.2.3", feed__name="abuse", tlp="RED", time__source=TODAY),
        ),
        [],
    )
    for n, (acknowledged, sent) in enumerate([(True, True), (False, True), (False, False)]):
        notice(store, n, sent_at=START - DAY if sent else None, acknowledged=acknowledged)
    at(team, START + HOUR)
    return Seeded(team, Desk.build(settings, store, clock=team.clock))


def notice(store: Store, n: int, *, sent_at: int | None, acknowledged: bool) -> None:
    values = {
        "recipient": "Northwind Power",
        "addresses": "soc@northwind.example",
        "period": f"now:{n}",
        "lang": "en",
        "priority": "P2",
        "created": START - 2 * DAY,
        "status": "sent" if sent_at else "pending",
        "attempts": 0,
        "last_error": "",
        "ack_hash": "0" * 64,
        "events": 1,
        "sent_at": sent_at,
        "acknowledged_at": sent_at + HOUR if sent_at and acknowledged else None,
    }
    with store.transaction() as tx:
        store.notices.add(tx, values, [])


def day(o: Overview, grid: str, label: str) -> dict[str, int]:
    g = getattr(o, grid)
    counts = dict(g.rows)[label]
    return {c: n for c, n in zip(g.columns, counts, strict=True) if n}


def test_incidents_created_are_counted_by_day_and_type(seeded: Seeded) -> None:
    o = seeded.overview("analyst")
    assert len(o.incidents.rows) == 30 and o.incidents.rows[-1][0] == TODAY
    assert day(o, "incidents", TWO_DAYS_AGO) == {"phishing": 2, "ddos": 1}
    assert day(o, "incidents", TODAY) == {"phishing": 1}  # the merged one, another team's: no
    assert o.incidents.total == 4


def test_incidents_created_are_counted_by_sector(seeded: Seeded) -> None:
    o = seeded.overview("analyst")
    assert o.sectors == [("energy", 2), ("(no sector)", 1), ("health", 1)]


def test_a_red_incident_is_not_counted_for_an_analyst_who_is_not_its_assignee(
    seeded: Seeded,
) -> None:
    assert day(seeded.overview("analyst"), "incidents", TODAY) == {"phishing": 1}
    assert day(seeded.overview("lead"), "incidents", TODAY) == {"phishing": 1, "ddos": 1}
    assert seeded.overview("analyst").open.total == 5
    assert seeded.overview("lead").open.total == 6


def test_a_red_incident_is_counted_for_its_assignee(seeded: Seeded) -> None:
    team = seeded.team
    red = next(i for i in team.store.cases.incidents() if i.tlp == "RED")
    team.desk.assign(team.people["lead"], red.id, team.people["analyst"].user_id)
    assert day(seeded.overview("analyst"), "incidents", TODAY) == {"phishing": 1, "ddos": 1}
    assert day(seeded.overview("analyst2"), "incidents", TODAY) == {"phishing": 1}


@pytest.mark.parametrize("role", ["admin", "lead", "analyst", "auditor", "liaison", "outsider"])
def test_each_role_counts_exactly_the_incidents_it_may_see(seeded: Seeded, role: str) -> None:
    who = seeded.team.people[role]
    everything = seeded.team.store.cases.incidents(limit=100)
    visible = [i for i in everything if access.can_see(who, i) and i.created >= START - 29 * DAY]
    assert seeded.overview(role).incidents.total == len(visible)


def test_a_longer_window_reaches_older_incidents(seeded: Seeded) -> None:
    o = seeded.overview("analyst", days=90)
    assert len(o.incidents.rows) == 90
    assert day(o, "incidents", "2026-10-19") == {"scanner": 1}
    assert o.incidents.total == 5


def test_open_incidents_are_counted_by_priority_and_age(seeded: Seeded) -> None:
    o = seeded.overview("analyst")
    assert dict(o.open.rows) == {
        "P1": (0, 0, 2, 0, 0),
        "P2": (1, 0, 0, 0, 0),
        "P3": (0, 0, 1, 0, 0),
        "P4": (0, 0, 0, 0, 1),
    }


def test_a_resolved_incident_is_no_longer_open(seeded: Seeded) -> None:
    team = seeded.team
    flood = next(i for i in team.store.cases.incidents() if i.title == "Flood")
    team.desk.transition(team.people["analyst"], flood.id, "resolved", "filtered")
    assert dict(seeded.overview("analyst").open.rows)["P3"] == (0, 0, 0, 0, 0)


def test_events_are_counted_by_day_and_feed_under_the_tlp_cap(seeded: Seeded) -> None:
    analyst, lead = seeded.overview("analyst"), seeded.overview("lead")
    assert day(analyst, "events", TODAY) == {"shadowserver": 2}
    assert day(lead, "events", TODAY) == {"shadowserver": 2, "abuse": 1}
    assert analyst.event_types == [("scanner", 2)]


def test_notices_sent_and_acknowledged_are_counted_by_day_of_sending(seeded: Seeded) -> None:
    o = seeded.overview("analyst")
    assert day(o, "notices", "2026-11-27") == {"sent": 2, "acknowledged": 1}
    assert o.notices.total == 3


def test_mean_times_by_month_are_those_of_cases_metrics(seeded: Seeded) -> None:
    team = seeded.team
    analyst = team.people["analyst"]
    phishes = [i for i in team.store.cases.incidents() if i.title in ("Phish 1", "Phish 2")]
    at(team, START + 10 * MINUTE)
    team.desk.transition(analyst, phishes[0].id, "acknowledged")
    at(team, START + 2 * HOUR)
    team.desk.transition(analyst, phishes[0].id, "resolved", "taken down")
    at(team, START + 3 * HOUR)
    team.desk.transition(analyst, phishes[1].id, "in_progress")
    times = {(t.month, t.priority): t for t in seeded.overview("analyst").times}
    p1 = times[("2026-11", "P1")]
    assert (p1.incidents, p1.acknowledged, p1.resolved) == (2, 2, 1)
    assert p1.mtta == ((2 * DAY + 10 * MINUTE) + (2 * DAY + 3 * HOUR)) / 2
    assert p1.mttr == 2 * DAY + 2 * HOUR
    assert (p1.acknowledge_target, p1.resolve_target) == (15 * MINUTE, 4 * HOUR)
    seen = [i for i in team.store.cases.incidents(limit=100) if access.can_see(analyst, i)]
    expected = {(r.month, r.priority): r for r in mean_times(seen)}
    for key, t in times.items():
        assert (t.incidents, t.mtta, t.mttr) == (
            expected[key].incidents,
            expected[key].mtta_seconds,
            expected[key].mttr_seconds,
        )
    assert ("2026-10", "P4") in times  # the window (from 30 October) touches October


@pytest.mark.parametrize("days", [0, 367])
def test_a_window_out_of_range_is_refused(seeded: Seeded, days: int) -> None:
    with pytest.raises(InvalidValue):
        seeded.overview("analyst", days=days)


def test_a_partner_sees_no_dashboard(seeded: Seeded) -> None:
    with pytest.raises(Forbidden):
        seeded.overview("partner")


def test_the_system_sees_everything(seeded: Seeded) -> None:
    o = seeded.desk.dashboard.overview(Principal.system())
    assert day(o, "incidents", TODAY) == {"phishing": 2, "ddos": 1}
