"""Emergencies and clocks at work, on SQLite and PostgreSQL: an emergency request raises a P1
incident at once, tops the register with its countdown, is stood down when acknowledged and
cannot close without its justification; the ``assist-clocks`` job announces a preserved Art. 29
request's warnings once each (across runs and a restart), raises the alarm on a breached 8 h
acknowledgement, and announces a warning at the right UTC instant across a daylight-saving
change. Time is the tests' clock; the job is run by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.desk import Team, make_team
from tocsin.errors import Conflict, NotFound
from tocsin.model.assist.request import Request
from tocsin.model.incident import Status
from tocsin.model.people import Principal
from tocsin.services.desk import Desk
from tocsin.services.duty import Watched, emergency_key, overdue_key
from tocsin.services.watches import check_clocks, desk_jobs
from tocsin.settings import Settings
from tocsin.store import Store

HOUR = 3600
DAY = 86_400
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
SECRET = "Kidnapping: the victim's phone was last seen on this account"


@dataclass
class Duty:
    team: Team
    desk: Desk

    def who(self, name: str = "liaison") -> Principal:
        return self.team.people[name]

    def incoming(self, **changes: Any) -> Request:
        values: dict[str, Any] = {
            "basis": "BC-29",
            "direction": "incoming",
            "title": SECRET,
            "elements": ART29,
            **changes,
        }
        return self.desk.assist.create(self.who(), **values).request

    def move(self, request: Request, *states: str) -> Request:
        for state in states:
            request = self.desk.assist.move(self.who(), request.id, state).request
        return request

    def run(self) -> Watched:
        return check_clocks(self.desk.duty)

    def clock_entries(self, request: Request, clock: str) -> list[str]:
        found = self.team.store.cases.audit_for("assist", request.ref)
        return [
            e.details["threshold"]
            for e in found
            if e.action == "assist.clock" and e.details["clock"] == clock
        ]


@pytest.fixture
def duty(settings: Settings, store: Store) -> Duty:
    team = make_team(store)
    return Duty(team, Desk.build(settings, store, clock=team.clock))


def open_alarm(store: Store, key: str) -> Any:
    with store.transaction() as tx:
        return store.cases.open_incident_for_group(tx, key)


def test_an_emergency_raises_a_p1_incident_at_once_and_acknowledging_it_stands_it_down(
    duty: Duty,
) -> None:
    request = duty.incoming(emergency=True)
    incident = open_alarm(duty.team.store, emergency_key(request.ref))
    assert incident is not None  # at once: no job has run
    assert (incident.title, incident.priority, incident.type) == (
        f"{request.ref}: emergency request for assistance — acknowledge within 8 h",
        "P1",
        "other",
    )
    assert duty.desk.assist.get(duty.who(), request.id).incident_ids == (incident.id,)
    seen = duty.team.desk.get(duty.who("analyst"), incident.id)  # the analysts see the alarm
    assert SECRET not in seen.title and "VPS" not in str(seen.details)  # not the request
    assert duty.run().raised == []  # the job does not raise it again
    duty.move(request, "acknowledged")
    assert open_alarm(duty.team.store, emergency_key(request.ref)) is None
    assert duty.team.store.cases.incident(incident.id).status is Status.RESOLVED
    assert duty.run().raised == []  # once per request: a resolved alarm does not come back


def test_an_emergency_tops_the_register_with_its_countdown(duty: Duty) -> None:
    draft = duty.desk.assist.create(duty.who(), basis="BC-29", title="A draft").request
    urgent = duty.incoming(urgent=True)
    duty.team.clock.advance(2 * HOUR)
    emergency = duty.incoming(emergency=True)
    duty.team.clock.advance(30 * 60)
    rows = duty.desk.duty.register_rows(duty.who())
    assert [r.request.id for r in rows] == [emergency.id, urgent.id, draft.id]
    assert [r.countdown for r in rows] == [8 * HOUR - 30 * 60, 6 * HOUR - 30 * 60, None]
    assert rows[0].nearest is not None and rows[0].nearest.name == "urgent_ack"
    with pytest.raises(NotFound):  # analysts see no request at all
        duty.desk.duty.register_rows(duty.who("analyst2"))


def test_an_emergency_cannot_close_without_its_justification(duty: Duty) -> None:
    request = duty.move(duty.incoming(emergency=True), "acknowledged", "preserved")
    with pytest.raises(Conflict, match="written justification"):
        duty.move(request, "closed")
    duty.desk.assist.update(duty.who(), request.id, justification="Threat to a child's life.")
    assert duty.move(request, "closed").state == "closed"


def test_preservation_warnings_at_t14_and_t3_are_announced_once_each(
    settings: Settings, duty: Duty
) -> None:
    request = duty.move(duty.incoming(), "acknowledged", "preserved")
    duty.team.clock.advance(46 * DAY - 1)
    assert duty.run().announced == []
    duty.team.clock.advance(1)  # 60 days less 14
    assert duty.run().announced == [f"{request.ref} bc29_preservation T-14d"]
    assert duty.run().announced == []
    restarted = Desk.build(settings, duty.team.store, clock=duty.team.clock)
    assert check_clocks(restarted.duty).announced == []
    duty.team.clock.advance(11 * DAY)  # 60 days less 3
    assert duty.run().announced == [f"{request.ref} bc29_preservation T-3d"]
    assert duty.run().announced == []
    assert duty.clock_entries(request, "bc29_preservation") == ["T-14d", "T-3d"]


def test_a_breached_8h_acknowledgement_raises_the_alarm(duty: Duty) -> None:
    request = duty.incoming(urgent=True)
    assert open_alarm(duty.team.store, overdue_key(request.ref)) is None  # urgent, no emergency
    duty.team.clock.advance(6 * HOUR)
    assert duty.run().announced == [f"{request.ref} urgent_ack T-2h"]
    duty.team.clock.advance(2 * HOUR + 1)
    assert duty.run().announced == [f"{request.ref} urgent_ack breach"]
    incident = open_alarm(duty.team.store, overdue_key(request.ref))
    assert (incident.title, incident.priority) == (
        f"{request.ref}: request for assistance not acknowledged within 8 h",
        "P2",
    )
    assert duty.run().announced == []
    assert duty.clock_entries(request, "urgent_ack") == ["T-2h", "breach"]


def test_a_breached_emergency_acknowledgement_is_noted_on_its_alarm(duty: Duty) -> None:
    request = duty.incoming(emergency=True)
    duty.team.clock.advance(8 * HOUR + 1)
    duty.run()
    incident = open_alarm(duty.team.store, emergency_key(request.ref))
    lines = [t["text"] for t in duty.team.store.cases.timeline(incident.id)]
    assert f"{request.ref}: 8 h acknowledgement breached" in lines
    assert open_alarm(duty.team.store, overdue_key(request.ref)) is None  # no second incident


def test_a_warning_across_the_october_change_comes_at_its_utc_instant(duty: Duty) -> None:
    """Preserved at 10:00 in Paris (summer time) on 31 August: 60 days of 24 h end on 30 October
    at 08:00 UTC, 09:00 in Paris (winter time); T-3 days is 27 October 08:00 UTC."""
    contact = duty.desk.contacts.add(
        duty.who(),
        country="FR",
        authority="FR 24/7 point of contact",
        channel="email",
        address="24-7@fr.example",
        languages="fr",
        timezone="Europe/Paris",
    )
    duty.team.clock.now = int(datetime(2026, 8, 31, 8, 0, tzinfo=UTC).timestamp())
    request = duty.move(duty.incoming(counterpart_id=contact.id), "acknowledged", "preserved")
    duty.team.clock.now = int(datetime(2026, 10, 27, 7, 59, 59, tzinfo=UTC).timestamp())
    assert duty.run().announced == [f"{request.ref} bc29_preservation T-14d"]
    duty.team.clock.advance(1)
    assert duty.run().announced == [f"{request.ref} bc29_preservation T-3d"]
    [entry] = [
        e
        for e in duty.team.store.cases.audit_for("assist", request.ref)
        if e.action == "assist.clock" and e.details["threshold"] == "T-3d"
    ]
    assert entry.at == duty.team.clock.now
    assert (entry.details["due_at"], entry.details["local_due"]) == (
        "2026-10-30T08:00:00+00:00",
        "2026-10-30T09:00:00+01:00",
    )


def test_the_scheduler_runs_the_clock_watch_every_minute(duty: Duty) -> None:
    [job] = [j for j in desk_jobs(duty.desk) if j.name == "assist-clocks"]
    assert job.every == 60
