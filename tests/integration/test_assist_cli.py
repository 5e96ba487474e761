"""``tocsin requests`` and ``tocsin contacts`` against a SQLite file: a liaison adds a contact and
drafts an Art. 29 request to it, a lead approves it (the liaison may not), the liaison sends it;
the register and a request's page show it, as text and as JSON."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock, make_team
from tests.integration.test_assist_requests import ART29, SAFEGUARDS
from tocsin.cli import app as cli_app
from tocsin.services.accounts import Accounts
from tocsin.store import open_store


def test_a_request_is_drafted_approved_and_sent_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOCSIN_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    store = open_store(url, audit_key=AUDIT_KEY)
    team = make_team(store)
    accounts = Accounts(store, now=team.clock)
    tokens = {
        name: accounts.create_token(team.people[name], "cli", "read,write").secret
        for name in ("liaison", "lead", "analyst")
    }
    store.close()
    runner = CliRunner()
    clock = FakeClock(team.clock.now)

    def run(who: str, *args: str, code: int = 0) -> str:
        monkeypatch.setenv("TOCSIN_TOKEN", tokens[who])
        result = runner.invoke(cli_app, list(args), obj=clock)
        assert result.exit_code == code, result.output
        return result.output

    added = run(
        "liaison",
        "contacts",
        "add",
        "--country",
        "de",
        "--authority",
        "BKA 24/7",
        "--channel",
        "email",
        "--address",
        "24-7@bka.example",
        "--languages",
        "de,en",
        "--timezone",
        "Europe/Berlin",
        "--json",
    )
    contact = orjson.loads(added)
    assert (contact["country"], contact["version"]) == ("DE", 1)
    listed = orjson.loads(run("liaison", "contacts", "list", "--country", "DE", "--json"))
    assert [c["authority"] for c in listed] == ["BKA 24/7"] and listed[0]["stale"] is True
    args = ["requests", "new", "--basis", "bc-29", "--title", "Preserve the VPS logs"]
    args += ["--counterpart", str(contact["id"])]
    for key, value in ART29.items():
        args += ["--element", f"{key}={value}"]
    for key, value in SAFEGUARDS.items():
        text = ",".join(value) if isinstance(value, list) else value
        args += ["--safeguard", f"{key}={text}"]
    created = orjson.loads(run("liaison", *args, "--json"))
    ref = created["ref"]
    assert (ref, created["state"]) == ("RFA-2026-0001", "draft")
    run("liaison", "requests", "move", ref, "awaiting_approval")
    assert "second person" in run("liaison", "requests", "approve", ref, code=2)
    assert "is approved" in run("lead", "requests", "approve", ref)
    sent = run("liaison", "requests", "move", ref, "sent")
    assert f"{ref} is sent" in sent and "not been confirmed reachable" in sent
    assert ref in run("lead", "requests", "list", "--direction", "outgoing")
    assert "no such request" in run("analyst", "requests", "show", ref, code=2)
    shown = orjson.loads(run("lead", "requests", "show", ref, "--json"))
    assert [s["state"] for s in shown["steps"]] == [
        "draft",
        "awaiting_approval",
        "approved",
        "sent",
    ]
