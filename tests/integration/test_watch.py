"""SLA breaches are recorded while the server runs, and by `tocsin sla check` (both backends)."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import make_team
from tests.loops import run_alone
from tocsin.cases.watch import watch_sla
from tocsin.cli import app
from tocsin.model.incident import Incident
from tocsin.store import Store


def test_the_watch_records_a_breach_and_keeps_going(store: Store) -> None:
    """With a P1 left unacknowledged past 15 minutes, the watch writes the breach to the
    timeline once; it keeps checking until told to stop, and then stops."""
    team = make_team(store)
    incident = team.desk.create(team.people["analyst"], title="x", type="ddos", priority="P1")
    team.clock.advance(16 * 60)
    checked = 0

    async def scenario() -> None:
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        original = team.desk.check_sla

        def counting() -> list[Incident]:
            nonlocal checked
            result = original()
            checked += 1
            if checked == 2:
                loop.call_soon_threadsafe(done.set)
            return result

        team.desk.check_sla = counting  # type: ignore[method-assign]
        stop = asyncio.Event()
        task = asyncio.create_task(watch_sla(team.desk, stop, every=0))
        await asyncio.wait_for(done.wait(), timeout=30)
        stop.set()
        await asyncio.wait_for(task, timeout=30)

    run_alone(scenario, timeout=60)
    lines = [t["text"] for t in store.cases.timeline(incident.id)]
    assert lines.count("SLA breached: time to acknowledge ran out") == 1
    assert checked >= 2


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
