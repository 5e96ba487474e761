"""What the command line prints of stored and fed values: never read as Rich markup, never a
terminal escape sequence, and never a spreadsheet formula in CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tocsin.cli import app

# Markup that does not parse, markup that does, a colour and a window title, a screen clear.
HOSTILE = "markup[/x] [bold]loud \x1b[31mRED\x1b]0;PWNED\x07\x1b[2J\x9b1m end"
HOSTILE_SHOWN = "markup[/x] [bold]loud RED end"
FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on a fresh SQLite store."""
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _ingest(cli: CliRunner, path: Path, *rows: dict[str, object]) -> None:
    path.write_text("".join(orjson.dumps(row).decode() + "\n" for row in rows))
    result = cli.invoke(app, ["ingest", str(path), "--feed", "intelmq"])
    assert result.exit_code == 0, result.output


def _clean(output: str) -> None:
    """No escape or control character reached the terminal, only the printed text."""
    assert "Traceback" not in output
    assert not [c for c in output if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]


def _event(**fields: object) -> dict[str, object]:
    return {
        "feed.name": HOSTILE,
        "time.source": "2026-11-21T10:00:00+00:00",
        "classification.type": "c2-server",
        "source.ip": "198.18.0.5",
        "tlp": "GREEN",
        "malware.name": FORMULA,
    } | fields


def test_events_prints_a_feed_s_markup_and_escapes_as_plain_text(
    cli: CliRunner, tmp_path: Path
) -> None:
    """A feed.name holding ``[/x]``, ``[bold]`` and ESC sequences is printed as written, without
    the escapes, and the table does not crash."""
    _ingest(cli, tmp_path / "m.jsonl", _event())
    result = cli.invoke(app, ["events", "--ip", "198.18.0.0/24"])
    assert result.exit_code == 0, result.output
    assert HOSTILE_SHOWN in result.output
    _clean(result.output)


def test_events_csv_escapes_formula_prefixes_in_every_cell(cli: CliRunner, tmp_path: Path) -> None:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) starts with an apostrophe,
    as in the notices' CSV attachment."""
    _ingest(
        cli,
        tmp_path / "f.jsonl",
        _event(),
        _event(**{"source.ip": "198.18.0.6", "feed.name": "+1+1", "malware.name": "@SUM(1+1)"}),
        _event(**{"source.ip": "198.18.0.7", "feed.name": "-2", "malware.name": "\tcmd"}),
    )
    result = cli.invoke(app, ["events", "--ip", "198.18.0.0/24", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 3
    cells = [value for row in rows for value in row.values() if value]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    by_ip = {row["source.ip"]: row for row in rows}
    assert by_ip["198.18.0.5"]["malware.name"].lower() == "'" + FORMULA.lower()
    assert by_ip["198.18.0.6"]["feed.name"] == "'+1+1"
    assert by_ip["198.18.0.7"]["feed.name"] == "'-2"


def test_quarantine_list_and_show_survive_a_row_full_of_markup(
    cli: CliRunner, tmp_path: Path
) -> None:
    """A quarantined row whose reason quotes ``[/x]`` and ESC sequences is listed and shown as
    plain text; the listing does not crash for good."""
    _ingest(
        cli,
        tmp_path / "q.jsonl",
        {
            "feed.name": HOSTILE,
            "source.fqdn": HOSTILE,
            "classification.type": "c2-server",
            "time.source": "2026-12-01T10:00:00+00:00",
        },
    )
    listing = cli.invoke(app, ["quarantine", "list"])
    assert listing.exit_code == 0, listing.output
    assert "markup[/x] [bold]loud" in listing.output
    _clean(listing.output)
    entry = cli.invoke(app, ["quarantine", "show", "1"])
    assert entry.exit_code == 0, entry.output
    assert "markup[/x] [bold]loud" in entry.output
    _clean(entry.output)


def test_constituents_and_users_lists_print_names_as_plain_text(
    cli: CliRunner, tmp_path: Path
) -> None:
    """A constituent or a user's display name with markup and escapes does not crash the tables."""
    registry = tmp_path / "registry.toml"
    registry.write_text(
        "[[constituent]]\n"
        f"name = {orjson.dumps(HOSTILE).decode()}\n"
        'sector = "health"\n'
        'networks = ["198.18.0.0/24"]\n'
    )
    imported = cli.invoke(app, ["constituents", "import", str(registry)])
    assert imported.exit_code == 0, imported.output
    constituents = cli.invoke(app, ["constituents", "list"])
    assert constituents.exit_code == 0, constituents.output
    assert HOSTILE_SHOWN in constituents.output
    _clean(constituents.output)
    added = cli.invoke(
        app,
        ["users", "add", "mallory", "--role", "analyst", "--name", HOSTILE, "--password", "x" * 16],
    )
    assert added.exit_code == 0, added.output
    users = cli.invoke(app, ["users", "list"])
    assert users.exit_code == 0, users.output
    assert HOSTILE_SHOWN in users.output
    _clean(users.output)


def test_escape_sequences_alone_never_reach_the_terminal(cli: CliRunner, tmp_path: Path) -> None:
    """Without any markup to crash on, a colour, a window title and a screen clear from a feed
    are still removed from the events table and from a quarantined row's raw text."""
    escapes = "\x1b[31mRED\x1b]0;PWNED\x07\x1b[2J\x9b1m end"
    _ingest(cli, tmp_path / "e.jsonl", _event(**{"feed.name": escapes, "malware.name": "x"}))
    raw = tmp_path / "raw.jsonl"  # the escapes written raw: not JSON, so the row is quarantined
    raw.write_text('{"source.fqdn": "' + escapes + '"}\n')
    assert cli.invoke(app, ["ingest", str(raw), "--feed", "intelmq"]).exit_code == 0
    for args in (["events"], ["quarantine", "show", "1"]):
        result = cli.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "RED end" in result.output
        _clean(result.output)
