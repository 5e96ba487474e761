"""``tocsin requests`` and ``tocsin contacts`` against a SQLite file: a liaison adds a contact and
drafts an Art. 29 request to it, a lead approves it (the liaison may not), the liaison sends it;
the register and a request's page show it, as text and as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.assist_desk import ART29, SAFEGUARDS
from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock, make_team
from tocsin.cli import app as cli_app
from tocsin.services.accounts import Accounts
from tocsin.store import open_store

Run = Callable[..., str]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run(who, *args, code=0)``: a command as the liaison, lead or analyst (by their token)."""
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

    return run


def test_a_request_is_drafted_approved_and_sent_from_the_command_line(run: Run) -> None:
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


def test_contacts_links_follow_ups_next_hops_and_the_ledger_from_the_command_line(
    run: Run,
) -> None:
    contact = ["contacts", "add", "--channel", "email", "--languages", "nl,en"]
    run(
        "liaison",
        *contact,
        "--country",
        "DE",
        "--authority",
        "BKA",
        "--address",
        "a@de.example",
        "--timezone",
        "Europe/Berlin",
    )
    run(
        "liaison",
        *contact,
        "--country",
        "NL",
        "--authority",
        "NHTCU",
        "--address",
        "b@nl.example",
        "--timezone",
        "Europe/Amsterdam",
    )
    assert "version 2" in run("lead", "contacts", "update", "2", "--address", "c@nl.example")
    assert "confirmed reachable 2026-11-28" in run("liaison", "contacts", "confirm", "2")
    shown = orjson.loads(run("lead", "contacts", "show", "2", "--json"))
    assert [v["address"] for v in shown["versions"]] == ["b@nl.example", "c@nl.example"]
    assert shown["stale"] is False
    args = ["requests", "new", "--basis", "BC-29", "--title", "Preserve", "--counterpart", "1"]
    args += [f"--element={k}={v}" for k, v in ART29.items()]
    ref = orjson.loads(run("liaison", *args, "--json"))["ref"]
    follow = orjson.loads(run("liaison", "requests", "follow-up", ref, "--json"))
    assert (follow["basis"], follow["link"], follow["parent_id"]) == ("BC-31", "follow_up", 1)
    hop = orjson.loads(
        run(
            "liaison",
            "requests",
            "next-hop",
            ref,
            "--country",
            "NL",
            "--provider",
            "Hoster BV",
            "--json",
        )
    )
    assert (hop["counterpart_id"], hop["link"], hop["language"]) == (2, "next_hop", "nl")
    assert "no such incident" in run("liaison", "requests", "link", ref, "1", code=2)
    run("liaison", "requests", "ledger", ref, "--kind", "purpose", "--text", "Case 17")
    entries = orjson.loads(run("lead", "requests", "ledger", ref, "--json"))
    assert [(e["kind"], e["text"]) for e in entries] == [("purpose", "Case 17")]


def test_identifiers_are_given_with_their_port_and_time_and_checked(run: Run) -> None:
    """``--identifier KIND=VALUE port=… at=…``: stored in UTC with its port; an address without
    port and time is kept but flagged; a time without its zone refuses the request."""
    args = ["requests", "new", "--basis", "BC-29", "--title", "Preserve the VPS logs"]
    for key, value in ART29.items():
        args += ["--element", f"{key}={value}"]
    given = "ipv4=8.8.4.4 port=51234 at=2026-11-27T04:12:09+01:00 tolerance=2"
    out = run("liaison", *args, "--identifier", given, "--identifier", "ipv4=8.8.8.8", "--json")
    stored = orjson.loads(out)["identifiers"]
    assert stored[0] == {
        "kind": "ipv4",
        "value": "8.8.4.4",
        "port": 51234,
        "at": "2026-11-27T03:12:09+00:00",
        "tolerance": 2,
        "flags": [],
    }
    assert any("port" in flag for flag in stored[1]["flags"])
    naive = "ipv4=8.8.4.4 port=51234 at=2026-11-27T04:12:09"
    refused = run("liaison", *args, "--identifier", naive, code=2)
    assert "zone" in refused
    assert "KIND=VALUE" in run("liaison", *args, "--identifier", "8.8.4.4", code=2)
