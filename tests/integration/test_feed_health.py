"""Feed health: a feed that goes quiet, or whose volume collapses, raises the silent-feed alarm
once, as an incident in the queue; its recovery resolves it; /feeds, /api/v1/feeds and
/api/v1/health show it (SQLite and PostgreSQL). Time is the tests' clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tocsin.model.incident import Status
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.desk import Desk
from tocsin.services.feed_health import Checked, group_key
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

HOUR = 3600
PASSWORD = "correct horse battery staple"


def arrive(store: Store, source: str, at: int, rows: int = 100, *, ok: bool = True) -> None:
    """A run of ``source`` at ``at`` that read ``rows`` rows (all accepted), as collectors do."""
    with store.transaction() as tx:
        run = store.collectors.start_run(tx, source, "shadowserver", at)
        store.collectors.finish_run(
            tx, run, finished=at + 5, ok=ok, rows=rows, accepted=rows, objects=1 if rows else 0
        )


def hourly(team: Team, source: str = "abuse", times: int = 4, rows: int = 100) -> None:
    """``times`` arrivals an hour apart, the last one now."""
    for n in range(times):
        arrive(team.store, source, team.clock.now - (times - 1 - n) * HOUR, rows)


def alarm_incidents(store: Store, source: str) -> list[str]:
    with store.transaction() as tx:
        found = store.cases.open_incident_for_group(tx, group_key(source))
    return [found.title] if found else []


def test_a_feed_gone_quiet_raises_the_alarm_once_and_recovery_resolves_it(
    settings: Settings, store: Store
) -> None:
    team = make_team(store)
    desk = Desk.build(settings, store, clock=team.clock)
    hourly(team)
    team.clock.advance(HOUR)
    assert desk.feed_health.check().raised == []  # an hour since the last: as usual
    team.clock.advance(HOUR + 1)  # more than twice the usual hour
    assert desk.feed_health.check().raised == ["abuse"]
    for _ in range(3):  # still silent: no second alarm
        team.clock.advance(HOUR)
        assert desk.feed_health.check().raised == []
    [incident] = store.cases.queue(10)
    assert (incident.title, incident.type, incident.priority) == (
        "Feed silent: abuse",
        "other",
        "P2",
    )
    lines = [t["text"] for t in store.cases.timeline(incident.id)]
    assert any(line.startswith("Feed health: nothing arrived for 2 h") for line in lines)
    actions = [e.action for e in store.cases.audit(after=0) if e.object_id == incident.reference]
    assert actions[:2] == ["incident.create", "incident.note"]

    arrive(store, "abuse", team.clock.now)
    checked = desk.feed_health.check()
    assert (checked.raised, checked.cleared) == ([], ["abuse"])
    resolved = store.cases.incident(incident.id)
    assert resolved is not None and resolved.status is Status.RESOLVED
    last = store.cases.timeline(incident.id)[-1]["text"]
    assert last.startswith("new → resolved: feed back to usual")
    assert desk.feed_health.check() == Checked([], [])


def test_an_alarm_someone_resolved_is_not_raised_again_for_the_same_silence(
    memory_store: Store, settings: Settings
) -> None:
    team = make_team(memory_store)
    desk = Desk.build(settings, memory_store, clock=team.clock)
    hourly(team)
    team.clock.advance(3 * HOUR)
    assert desk.feed_health.check().raised == ["abuse"]
    [incident] = memory_store.cases.queue(10)
    desk.incidents.transition(team.people["analyst"], incident.id, "resolved", "known outage")
    team.clock.advance(HOUR)
    assert desk.feed_health.check().raised == []
    arrive(memory_store, "abuse", team.clock.now)  # back, then silent again: a new episode
    team.clock.advance(3 * HOUR)
    assert desk.feed_health.check().raised == ["abuse"]


def test_a_volume_collapse_raises_the_alarm(memory_store: Store, settings: Settings) -> None:
    team = make_team(memory_store)
    desk = Desk.build(settings, memory_store, clock=team.clock)
    hourly(team, rows=1000)
    team.clock.advance(HOUR)
    arrive(memory_store, "abuse", team.clock.now, rows=40)  # under a tenth of the usual 1000
    [status] = desk.feed_health.alarms()
    assert status.alarm is not None and status.alarm.value == "volume low"
    assert desk.feed_health.check().raised == ["abuse"]
    assert alarm_incidents(memory_store, "abuse") == ["Feed volume collapsed: abuse"]


def test_a_new_feed_has_nothing_usual_and_no_alarm(memory_store: Store, settings: Settings) -> None:
    """Three arrivals are not enough to know what is usual: no alarm, however long the wait."""
    team = make_team(memory_store)
    desk = Desk.build(settings, memory_store, clock=team.clock)
    hourly(team, times=3)
    team.clock.advance(30 * HOUR)
    [status] = desk.feed_health.sources(team.people["auditor"])
    assert status.alarm is None and status.usual_rows is None
    assert desk.feed_health.check().raised == []


@dataclass
class Served:
    team: Team
    client: TestClient
    tokens: dict[str, str]


@pytest.fixture
def served(settings: Settings, store: Store) -> Iterator[Served]:
    """The app on a store with one silent feed (abuse) and one as usual (ingest:dshield),
    analyst and partner tokens, and the analyst logged in to the pages."""
    team = make_team(store)
    hourly(team)
    hourly(team, "ingest:dshield")
    team.clock.advance(3 * HOUR)
    arrive(store, "ingest:dshield", team.clock.now)
    accounts = Accounts(store, now=team.clock)
    tokens = {
        who: accounts.create_token(team.people[who], "tests", "read").secret
        for who in ("analyst", "partner")
    }
    accounts.reset_password(Principal.system(), "analyst", PASSWORD)
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as client:
        yield Served(team, client, tokens)


def bearer(served: Served, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {served.tokens[who]}"}


def test_the_api_shows_each_feed_and_its_alarm_to_staff_only(served: Served) -> None:
    answer = served.client.get("/api/v1/feeds", headers=bearer(served, "analyst"))
    assert answer.status_code == 200
    feeds = {f["source"]: f for f in answer.json()["feeds"]}
    assert feeds["abuse"]["alarm"] == "silent"
    assert feeds["abuse"]["usual_interval"] == HOUR and feeds["abuse"]["usual_rows"] == 100
    assert feeds["abuse"]["last_arrival"]["accepted"] == 100
    assert feeds["ingest:dshield"]["alarm"] is None
    refused = served.client.get("/api/v1/feeds", headers=bearer(served, "partner"))
    assert refused.status_code == 403


def test_health_names_the_silent_feed_and_the_late_job_with_503(served: Served) -> None:
    store, now = served.team.store, served.team.clock.now
    store.jobs.started("sla", now - 300)
    store.jobs.ended("sla", now - 299, None)  # last success 5 minutes ago: over 2 × 60 s
    answer = served.client.get("/api/v1/health")
    assert answer.status_code == 503
    body = answer.json()
    assert (body["ok"], body["status"], body["database"]) == (False, "failing", "ok")
    assert [f["source"] for f in body["silent_feeds"]] == ["abuse"]
    assert [(j["name"], j["every"], j["last_success"]) for j in body["late_jobs"]] == [
        ("sla", 60, now - 299)
    ]
    alive = served.client.get("/api/v1/health", params={"only": "database"})
    assert alive.status_code == 200 and alive.json()["late_jobs"] == []
    arrive(store, "abuse", now)
    store.jobs.ended("sla", now, None)
    answer = served.client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json()["ok"] is True


def test_the_feeds_page_shows_the_alarm(served: Served) -> None:
    client = served.client
    csrf = client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    logged = client.post(
        "/login",
        data={"username": "analyst", "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert logged.status_code == 303
    page = client.get("/feeds")
    assert page.status_code == 200
    assert '<a href="/feeds" aria-current="page">Feeds</a>' in page.text
    row = page.text.split('<th scope="row">abuse</th>', 1)[1].split("</tr>", 1)[0]
    assert "Alarm: silent" in row and "60 min" in row
    assert "1 feed(s) with the alarm up" in page.text
