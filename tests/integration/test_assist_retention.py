"""Retention at work for requests for assistance, on SQLite and PostgreSQL: the daily
``retention`` job purges the personal data of a request whose retention limit has passed, with
its tombstone in the ledger and the audit log, and keeps those whose limit is to come; the plan
and ``tocsin retention plan/run`` show it. Time is the tests' clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import make_team
from tocsin.cli import app
from tocsin.model.assist.request import Request
from tocsin.services.desk import Desk
from tocsin.services.watches import purge
from tocsin.settings import Settings
from tocsin.store import Store, open_store

DAY = 86_400
ELEMENTS = {"facts": "The account victim@example.org received the ransom note."}


def incoming(desk: Desk, who: Any, until: int) -> Request:
    limit = datetime.fromtimestamp(until, tz=UTC).isoformat()
    return desk.assist.create(
        who,
        basis="BC-29",
        direction="incoming",
        title="Preserve the mailbox",
        elements=ELEMENTS,
        identifiers=[{"kind": "email", "value": "victim@example.org"}],
        safeguards={"retention_until": limit},
    ).request


def test_the_daily_job_purges_an_expired_requests_personal_data_with_a_tombstone(
    settings: Settings, store: Store
) -> None:
    team = make_team(store)
    desk = Desk.build(settings, store, clock=team.clock)
    who = team.people["liaison"]
    expiring = incoming(desk, who, team.clock.now + 10 * DAY)
    kept = incoming(desk, who, team.clock.now + 100 * DAY)
    team.clock.advance(10 * DAY)
    [plan] = [e for e in desk.retention().plan() if e.kind == "requests"]
    assert (plan.count, plan.oldest) == (1, team.clock.now)
    [done] = [e for e in purge(desk) if e.kind == "requests"]
    assert done.count == 1
    purged = desk.assist.get(who, expiring.id)
    assert purged.identifiers == () and "victim" not in str(purged.elements)
    assert desk.assist.get(who, kept.id).identifiers == kept.identifiers
    [tombstone] = [e for e in store.assist.ledger(expiring.id) if e.kind == "purge"]
    assert tombstone.at == datetime.fromtimestamp(team.clock.now, tz=UTC)
    actions = [e.action for e in store.cases.audit_for("assist", expiring.ref)]
    assert actions[-1] == "assist.purge"
    [summary] = [e for e in store.cases.audit(limit=10_000) if e.object_id == "requests"]
    assert (summary.action, summary.details["requests"]) == ("retention.purge", [expiring.ref])
    [again] = [e for e in purge(desk) if e.kind == "requests"]  # nothing twice
    assert again.count == 0


def test_the_commands_show_the_requests_past_their_limit(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=sqlite_url, workers=0, data_dir=str(tmp_path / "data"))
    store = open_store(sqlite_url, audit_key=AUDIT_KEY)
    try:
        team = make_team(store)
        desk = Desk.build(settings, store, clock=team.clock)
        incoming(desk, team.people["liaison"], int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()))
    finally:
        store.close()
    monkeypatch.setenv("TOCSIN_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    plan = runner.invoke(app, ["retention", "plan"])
    assert plan.exit_code == 0, plan.output
    assert "requests: personal data past each request's limit: 1 would go" in plan.output
    assert "the oldest limit 2020-01-01" in plan.output
    run = runner.invoke(app, ["retention", "run"])
    assert run.exit_code == 0, run.output
    assert "requests: personal data past each request's limit: 1 purged" in run.output
    again = runner.invoke(app, ["retention", "plan"])
    assert "requests: personal data past each request's limit: 0 would go" in again.output
