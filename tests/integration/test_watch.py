"""SLA breaches are recorded by the server's SLA job, and by `tocsin sla check` (both backends)."""

from __future__ import annotations

from functools import partial

import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import make_team
from tocsin.cli import app
from tocsin.services.scheduler import Job, Scheduler
from tocsin.services.watches import SLA_EVERY, check_sla
from tocsin.store import Store


def test_the_sla_job_records_a_breach_once(store: Store) -> None:
    """With a P1 left unacknowledged past 15 minutes, the server's SLA job writes the breach to
    the timeline once, however often it runs after."""
    team = make_team(store)
    incident = team.desk.create(team.people["analyst"], title="x", type="ddos", priority="P1")
    team.clock.advance(16 * 60)
    job = Job("sla", SLA_EVERY, partial(check_sla, team.desk))
    scheduler = Scheduler(store, [job], clock=team.clock)
    for _ in range(3):
        scheduler.run_once()
        team.clock.advance(SLA_EVERY)
    lines = [t["text"] for t in store.cases.timeline(incident.id)]
    assert lines.count("SLA breached: time to acknowledge ran out") == 1
    assert store.jobs.runs()["sla"].succeeded == team.clock.now - SLA_EVERY


def test_sla_check_command_records_breaches(
    backend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tocsin sla check` names the incidents newly breached, once."""
    from tocsin.store import open_store

    store = open_store(backend_url, audit_key=AUDIT_KEY)
    try:
        team = make_team(store)
        team.desk.create(team.people["analyst"], title="old P1", type="ddos", priority="P1")
    finally:
        store.close()
    monkeypatch.setenv("TOCSIN_DATABASE_URL", backend_url)
    first = CliRunner().invoke(app, ["sla", "check"])  # real time: created in 2026-11 → late
    assert "breached: TOC-" in first.output and "1 incident(s) newly breached" in first.output
    second = CliRunner().invoke(app, ["sla", "check"])
    assert "0 incident(s) newly breached" in second.output
