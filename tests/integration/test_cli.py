"""The command line against a real SQLite store: the commands users and scripts rely on."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.store import open_store

DEMO = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "demo"
TELNET = DEMO / "feeds" / "shadowserver-2026-11-20-scan_telnet-nl-geo.csv"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose store is a fresh SQLite file, with the demo registry imported."""
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert (
        runner.invoke(app, ["constituents", "import", str(DEMO / "constituents.toml")]).exit_code
        == 0
    )
    assert runner.invoke(app, ["asn", "import", str(DEMO / "ip2asn.tsv")]).exit_code == 0
    return runner


def test_ingest_prints_one_summary_line_whose_counts_add_up(cli: CliRunner) -> None:
    """ingest ends with read / accepted / duplicates / quarantined, and a rerun adds nothing."""
    first = cli.invoke(app, ["ingest", str(TELNET), "--feed", "shadowserver"])
    assert first.exit_code == 0, first.output
    assert "read 64, accepted 64, duplicates 0, quarantined 0" in first.output
    again = cli.invoke(app, ["ingest", str(TELNET), "--feed", "shadowserver"])
    assert "read 64, accepted 0, duplicates 64, quarantined 0" in again.output


def test_ingest_exits_non_zero_only_for_an_unreadable_input(cli: CliRunner, tmp_path: Path) -> None:
    """A missing file gives exit status 1 and its name; bad rows alone give 0."""
    bad = tmp_path / "2026-11-20-scan_telnet-x.csv"
    bad.write_text('"timestamp","ip","port"\n"2026-11-20 00:00:00","192.0.2.999","23"\n')
    rows_only = cli.invoke(app, ["ingest", str(bad), "--feed", "shadowserver"])
    assert rows_only.exit_code == 0
    assert "quarantined 1" in rows_only.output
    missing = cli.invoke(app, ["ingest", str(tmp_path / "nope.csv"), "--feed", "shadowserver"])
    assert missing.exit_code == 1
    assert "nope.csv" in missing.output


def test_a_wrong_feed_name_is_one_clear_line(cli: CliRunner) -> None:
    """An unknown feed gives one line naming the known feeds and exit status 2."""
    result = cli.invoke(app, ["ingest", str(TELNET), "--feed", "shadowservr"])
    assert result.exit_code == 2
    assert "unknown feed 'shadowservr'" in result.output
    assert "Traceback" not in result.output


def test_events_filters_and_prints_jsonl_and_csv(cli: CliRunner) -> None:
    """events --constituent … --format jsonl prints harmonized names; csv has a header row."""
    cli.invoke(app, ["ingest", str(TELNET), "--feed", "shadowserver"])
    jsonl = cli.invoke(
        app, ["events", "--constituent", "City Water Utility", "--format", "jsonl", "--all"]
    )
    events = [orjson.loads(line) for line in jsonl.output.splitlines()]
    assert events and all(e["tocsin.constituent"] == "City Water Utility" for e in events)
    assert all(e["source.ip"].startswith("2001:db8:100:") for e in events)
    table = list(csv.reader(io.StringIO(cli.invoke(app, ["events", "--format", "csv"]).output)))
    assert table[0][:4] == [
        "time.source",
        "time.observation",
        "classification.taxonomy",
        "classification.type",
    ]
    assert len(table) == 65


def test_events_refuses_a_bad_filter_naming_it(cli: CliRunner) -> None:
    """A bad --ip value is refused in one line that names the option."""
    result = cli.invoke(app, ["events", "--ip", "192.0.2.300"])
    assert result.exit_code == 2
    assert "ip: '192.0.2.300': not an IP address" in result.output


def test_quarantine_list_show_and_retry(cli: CliRunner, tmp_path: Path) -> None:
    """A quarantined row is listed with file:line and reason, shown raw, and leaves the
    quarantine when its file is fixed and retried."""
    report = tmp_path / "2026-11-20-scan_telnet-x.csv"
    report.write_text('"timestamp","ip","port"\n"2026-11-20 00:00:00","192.0.2.999","23"\n')
    cli.invoke(app, ["ingest", str(report), "--feed", "shadowserver"])
    listing = cli.invoke(app, ["quarantine", "list"])
    assert f"{report}:2" in listing.output and "not an IP address" in listing.output
    shown = cli.invoke(app, ["quarantine", "show", "1"])
    assert '"192.0.2.999"' in shown.output
    report.write_text('"timestamp","ip","port"\n"2026-11-20 00:00:00","192.0.2.99","23"\n')
    retried = cli.invoke(app, ["quarantine", "retry"])
    assert "accepted 1" in retried.output
    assert "192.0.2.999" not in cli.invoke(app, ["quarantine", "list"]).output


def test_constituents_list_shows_the_registry(cli: CliRunner) -> None:
    """constituents list shows each imported organisation with its sector."""
    result = cli.invoke(app, ["constituents", "list"])
    assert "National Parliament" in result.output and "parliament" in result.output


def test_constituents_import_keeps_regions_through_a_round_trip(
    cli: CliRunner, tmp_path: Path
) -> None:
    """A CSV with a ``region`` column imported by the command keeps each region, upper-cased;
    the registry as stored, written back as ``[[constituent]]`` tables and imported again, is the
    same; a bad region stops the import (status 2, naming the line and the field) and the registry
    stays as it was. (There is no export command: the store is read directly.)"""
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "name,sector,country,region,networks\n"
        "Port of Tallinn,transport,EE,ee001,192.0.2.0/25\n"
        "Paris Hospital,health,FR,fr-idf,192.0.2.128/25\n"
        "Riverside School,education,,,\n",
        encoding="utf-8",
    )
    imported = cli.invoke(app, ["constituents", "import", str(registry)])
    assert imported.exit_code == 0, imported.output
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(url)
    try:
        stored = store.constituents()
    finally:
        store.close()
    assert {c.name: c.region for c in stored} == {
        "Paris Hospital": "FR-IDF",
        "Port of Tallinn": "EE001",
        "Riverside School": None,
    }
    lines: list[str] = []
    for c in stored:
        lines.append("[[constituent]]")
        lines.extend(
            f"{key} = {orjson.dumps(value).decode()}"
            for key, value in c.as_dict().items()
            if value is not None and key != "notify"
        )
    exported = tmp_path / "registry.toml"
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = cli.invoke(app, ["constituents", "import", str(exported)])
    assert again.exit_code == 0, again.output
    store = open_store(url)
    try:
        assert store.constituents() == stored
        bad = tmp_path / "bad.csv"
        bad.write_text("name,region\nPort of Tallinn,EE001\nRiga Water,Vidzeme\n")
        refused = cli.invoke(app, ["constituents", "import", str(bad)])
        assert refused.exit_code == 2
        assert "bad.csv:3: constituent.region: 'Vidzeme'" in refused.output
        assert store.constituents() == stored
    finally:
        store.close()


def test_feeds_lists_every_feed_with_help(cli: CliRunner) -> None:
    """feeds names every parser, shadowserver and the generic ones included."""
    result = cli.invoke(app, ["feeds"])
    for name in ("shadowserver", "urlhaus", "spamhaus-drop", "intelmq", "generic-csv"):
        assert name in result.output


def test_the_installed_command_answers_help() -> None:
    """`tocsin --help` runs as a real process and lists the commands."""
    result = subprocess.run(
        [sys.executable, "-m", "tocsin.cli", "--help"], capture_output=True, text=True, check=True
    )
    for name in ("ingest", "events", "feeds", "quarantine", "serve", "demo"):
        assert name in result.stdout


def test_ingest_draws_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, ingest draws a rich progress bar (on stderr); piped, it prints none."""
    import os
    import pty

    env = dict(os.environ, TOCSIN_DATABASE_URL=f"sqlite:///{tmp_path / 'tty.db'}", COLUMNS="100")
    command = [sys.executable, "-m", "tocsin.cli", "ingest", str(TELNET), "--feed", "shadowserver"]
    leader, follower = pty.openpty()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=follower) as process:
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            drawn += chunk
        summary = process.stdout.read() if process.stdout else b""
    os.close(leader)
    assert process.returncode == 0
    assert "━".encode() in drawn  # rich's bar
    assert TELNET.name.encode() in drawn
    piped = subprocess.run(command, env=env, capture_output=True, check=True)
    assert "━".encode() not in piped.stderr
    assert b"read 64" in summary


def test_users_tokens_and_audit_commands(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """users add/list/totp/disable, tokens create/list/revoke (none for a disabled user) and audit
    verify work together, and the audit log they leave verifies."""
    monkeypatch.setenv("TOCSIN_NEW_PASSWORD", "correct horse battery staple")
    assert cli.invoke(app, ["users", "add", "ana", "--role", "analyst"]).exit_code == 0
    assert "ana" in cli.invoke(app, ["users", "list"]).output
    enrolled = cli.invoke(app, ["users", "totp", "ana"])
    assert "otpauth://totp/" in enrolled.output
    token = cli.invoke(app, ["tokens", "create", "ana", "--scopes", "read"])
    assert "tocsin_" in token.output
    secret = token.output.split(": ", 1)[1].split()[0]
    listed = cli.invoke(app, ["tokens", "list", "ana"])
    assert listed.exit_code == 0 and "active" in listed.output and secret not in listed.output
    assert cli.invoke(app, ["tokens", "revoke", "1"]).exit_code == 0
    assert "revoked" in cli.invoke(app, ["tokens", "list"]).output
    assert cli.invoke(app, ["users", "disable", "ana"]).exit_code == 0
    disabled = cli.invoke(app, ["tokens", "create", "ana"])
    assert disabled.exit_code != 0 and "ana is disabled" in disabled.output
    verified = cli.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and "audit log intact" in verified.output
    refused = cli.invoke(app, ["users", "add", "bob", "--role", "king"])
    assert refused.exit_code == 2 and "role" in refused.output


def test_audit_verify_names_a_log_cut_short_after_a_command(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that writes to the log ends with a signed checkpoint, so deleting the last entry
    in the database afterwards is named TRUNCATED, one line, exit status 1."""
    monkeypatch.setenv("TOCSIN_NEW_PASSWORD", "correct horse battery staple")
    clock = lambda: 1_795_830_000  # noqa: E731
    assert cli.invoke(app, ["users", "add", "ana", "--role", "analyst"], obj=clock).exit_code == 0
    assert cli.invoke(app, ["users", "disable", "ana"], obj=clock).exit_code == 0
    with sqlite3.connect(tmp_path / "cli.db") as db:
        (last,) = db.execute("SELECT max(seq) FROM audit_log").fetchone()
    intact = cli.invoke(app, ["audit", "verify"], obj=clock)
    assert intact.exit_code == 0, intact.output
    # checkpoints: the fixture's registry import, then the two commands
    assert f"audit log intact up to entry {last}, covered by checkpoint 3 (entry {last}, " in (
        intact.output
    )
    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute("DELETE FROM audit_log WHERE seq = ?", (last,))
    cut = cli.invoke(app, ["audit", "verify"], obj=clock)
    assert cut.exit_code == 1
    assert cut.output.startswith(f"audit log TRUNCATED at entry {last}: ")
    assert cut.output.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quarantine", "show", "99"], "tocsin: no quarantined row 99"),
        (["tokens", "create", "nobody"], "tocsin: no user 'nobody'"),
        (["cvd", "show", "TOCSIN-VU-2026-0042"], "tocsin: "),
        (["share", "approve", "7"], "tocsin: "),
    ],
)
def test_every_command_ends_a_tocsin_error_as_one_line_and_status_2(
    cli: CliRunner, args: list[str], message: str
) -> None:
    """Whichever command raises it, a Tocsin error is one line on stderr and exit status 2."""
    result = cli.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["tokens", "revoke", "{n}"],
        ["quarantine", "show", "{n}"],
        ["quarantine", "list", "--limit", "{n}"],
        ["share", "approve", "{n}"],
        ["share", "refuse", "{n}", "--reason", "no"],
        ["cvd", "show", "{n}"],
        ["cvd", "list", "--limit", "{n}"],
    ],
)
def test_a_number_out_of_range_is_a_clear_refusal(cli: CliRunner, command: list[str]) -> None:
    """An id or a limit past a signed 64-bit integer, or written in digits such as "²", is
    refused with a message and exit status 1 or 2, never a traceback."""
    for number in (str(2**63), "9" * 30, "²"):
        result = cli.invoke(app, [part.replace("{n}", number) for part in command])
        assert result.exit_code in (1, 2), (number, result.output)
        assert not isinstance(result.exception, (OverflowError, ValueError)), number
        assert "Traceback" not in result.output
