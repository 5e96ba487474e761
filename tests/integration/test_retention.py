"""Retention: each kind (events, raw objects, quarantine, reporters' identities, evidence) goes
when it has outlived its days, never while an incident not yet closed holds it; the purge is in
the audit log, whose chain still verifies; the plan says beforehand what would go. On SQLite and
PostgreSQL, on the desk's clock."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock, Team, make_team
from tests.factories import make_event, quarantined, rows
from tocsin.cases.audit import verify_chain
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cli import app
from tocsin.collect.archive import Archive
from tocsin.model.collector import ArchivedObject
from tocsin.model.incident import Status
from tocsin.model.retention import DAY, TOMBSTONE
from tocsin.services.retention import Retention
from tocsin.settings import Settings
from tocsin.store import Store, open_store

LATER = 400 * DAY  # past every default retention but the events that are newer


@dataclass
class Kept:
    """What the fixture made, by what must become of it."""

    open_case: int
    held_event: int  # old, but an open incident holds it
    closed_event: int  # old, held only by a closed incident
    open_report: int
    closed_report: int
    open_file: str
    closed_file: str


def _incident(team: Team, *, closed: bool, events: list[int]) -> int:
    made = team.desk.create(
        team.people["lead"], title="case", type="phishing", priority="P3", event_ids=events
    )
    if closed:
        with team.store.transaction() as tx:
            team.store.cases.update_incident(
                tx, made.id, status=Status.CLOSED, closed_at=team.clock()
            )
    return made.id


def _report(store: Store, incident_id: int, n: int, now: int) -> int:
    report = {
        "reference": f"R-TEST-{n:04d}",
        "code_hash": "0" * 64,
        "path": "money",
        "lang": "en",
        "created": now,
        "incident_id": incident_id,
        "answers": {},
        "reporter_kind": "self",
        "anonymous": False,
        "sector": None,
        "flags": [],
        "files": 0,
    }
    with store.transaction() as tx:
        return store.reports.add(tx, report, {"name": "Sam Example", "email": "sam@example.org"})


def _evidence(settings: Settings, store: Store, incident_id: int, body: bytes, now: int) -> str:
    kept = EvidenceFiles(Path(settings.data_dir) / "evidence").put(io.BytesIO(body))
    with store.transaction() as tx:
        evidence_id = store.cases.add_evidence(
            tx,
            incident_id=incident_id,
            sha256=kept.sha256,
            filename="f.txt",
            size=len(body),
            media_type="text/plain",
            uploaded_by="lead",
            uploaded_at=now,
        )
        store.cases.add_custody(
            tx, evidence_id=evidence_id, at=now, actor="lead", action="added", sha256=kept.sha256
        )
    return kept.sha256


def _raw(settings: Settings, store: Store, name: str, at: int) -> str:
    sha, _ = Archive(Path(settings.data_dir) / "raw").keep(name, name.encode(), limit=1000)
    with store.transaction() as tx:
        store.collectors.add_object(tx, ArchivedObject(sha, "feed", name, len(name), at))
    return sha


def _made(settings: Settings, store: Store) -> tuple[Team, Kept]:
    """At the start: events of 2026-11-20, an open and a closed incident holding one each, a
    report and a file of each, a quarantined row and a raw object; then 400 days pass, and one
    event, one quarantined row and one raw object arrive."""
    team = make_team(store)
    start = team.clock()
    store.write(rows(*[make_event(source__ip=f"192.0.2.{n}") for n in range(1, 6)]), [])
    ids = [e for e, _ in store.cases.events_since(0, 100)]
    open_case = _incident(team, closed=False, events=[ids[0]])
    closed_case = _incident(team, closed=True, events=[ids[1]])
    kept = Kept(
        open_case,
        ids[0],
        ids[1],
        _report(store, open_case, 1, start),
        _report(store, closed_case, 2, start),
        _evidence(settings, store, open_case, b"open case's file", start),
        _evidence(settings, store, closed_case, b"closed case's file", start),
    )
    store.write([], [quarantined(1)])  # quarantined at 0: long expired
    _raw(settings, store, "old.csv", start)
    team.clock.advance(LATER)
    recent = make_event(source__ip="192.0.2.99", time__source="2027-12-30T10:00:00+00:00")
    store.write(rows(recent), [])
    _raw(settings, store, "new.csv", team.clock())
    return team, kept


def _retention(settings: Settings, store: Store, clock: FakeClock) -> Retention:
    return Retention(settings, store, clock)


def test_the_plan_counts_what_each_kind_would_lose_and_changes_nothing(
    settings: Settings, store: Store
) -> None:
    team, _ = _made(settings, store)
    plan = {e.kind: e for e in _retention(settings, store, team.clock).plan()}
    assert {k: e.count for k, e in plan.items()} == {
        "events": 4,  # five of 2026-11-20, less the one an open incident holds
        "raw": 1,
        "quarantine": 1,
        "reporters": 1,
        "evidence": 1,
    }
    assert plan["events"].cutoff == team.clock() - 365 * DAY
    assert plan["events"].oldest is not None and plan["events"].oldest < plan["events"].cutoff
    assert store.count_events() == 6  # nothing went
    assert {e.kind: e.count for e in _retention(settings, store, team.clock).plan()} == {
        k: e.count for k, e in plan.items()
    }


def test_a_purge_takes_what_expired_and_keeps_what_an_open_incident_holds(
    settings: Settings, store: Store
) -> None:
    team, kept = _made(settings, store)
    done = _retention(settings, store, team.clock).run()
    assert {e.kind: e.count for e in done} == {
        "events": 4,
        "raw": 1,
        "quarantine": 1,
        "reporters": 1,
        "evidence": 1,
    }
    left = {e for e, _ in store.cases.events_since(0, 100)}
    assert kept.held_event in left and kept.closed_event not in left and len(left) == 2
    # a reporter's identity becomes a tombstone; the report stays and is still counted
    assert store.reports.count() == 2
    assert store.reports.reporter(kept.closed_report) == TOMBSTONE
    assert store.reports.reporter(kept.open_report)["name"] == "Sam Example"
    # evidence of the closed incident goes with its file; the open one's stays
    folder = Path(settings.data_dir) / "evidence"
    assert {p.name for p in folder.glob("*/*/*")} == {kept.open_file}
    assert len(store.cases.evidence(kept.open_case)) == 1
    raw = Path(settings.data_dir) / "raw"
    assert [p.name for p in raw.glob("*/*")] == [store.collectors.objects()[0].sha256]
    # nothing is left to purge, and a second run writes nothing more
    assert {e.count for e in _retention(settings, store, team.clock).plan()} == {0}


def test_each_purge_is_in_the_audit_log_and_the_chain_still_verifies(
    settings: Settings, store: Store
) -> None:
    team, _ = _made(settings, store)
    _retention(settings, store, team.clock).run("cli:ops")
    purges = [e for e in store.cases.audit(limit=10_000) if e.action == "retention.purge"]
    assert {e.object_id: e.details["count"] for e in purges} == {
        "events": 4,
        "raw": 1,
        "quarantine": 1,
        "reporters": 1,
        "evidence": 1,
    }
    assert {e.actor for e in purges} == {"cli:ops"}
    assert purges[0].details["cutoff"] == team.clock() - 365 * DAY
    assert verify_chain(store, AUDIT_KEY).ok


def test_a_kind_kept_for_ever_loses_nothing(settings: Settings, store: Store) -> None:
    team, _ = _made(settings, store)
    forever = settings.but(retention_events=0)
    done = {e.kind: e for e in _retention(forever, store, team.clock).run()}
    assert done["events"].count == 0 and store.count_events() == 6


def test_the_commands_show_the_plan_and_purge(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(sqlite_url, audit_key=AUDIT_KEY)
    try:
        store.write([], [quarantined(1)])
    finally:
        store.close()
    monkeypatch.setenv("TOCSIN_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    plan = runner.invoke(app, ["retention", "plan"])
    assert plan.exit_code == 0, plan.output
    assert "quarantine: 30 days" in plan.output and "1 would go, oldest 1970-01-01" in plan.output
    run = runner.invoke(app, ["retention", "run"])
    assert run.exit_code == 0, run.output
    assert "1 purged" in run.output
    again = runner.invoke(app, ["retention", "plan"])
    assert "quarantine: 30 days" in again.output and "0 would go" in again.output
