"""The README's examples, run: every ``tocsin …`` line of its shell blocks goes through the command
line (Typer's ``CliRunner``, over click's), in the README's order, on a fresh SQLite store and a
clock the test moves, with a real SMTP server on the loopback for the notices.

What a line needs that the README takes as given is written out here, one table each:

- ``files``: the README's file names, filled from the demo data and the test samples;
- ``WORLD``: the desk before the first line (the people the README's ``--as`` names, and
  their API tokens: a line with ``--as NAME`` runs with NAME's token in ``TOCSIN_TOKEN``, as in
  that person's own shell, since a test has no terminal to type a password on);
- ``BEFORE``: what happens between two README lines on a real desk (time passes, an incident is
  opened, a case reaches publication);
- ``STAND_INS``: README values that only a running desk can give (an incident's reference, a
  release's id, a notice's Message-ID), replaced by the test's own;
- ``REFUSED``: lines the README says are refused;
- ``SHOWS``: what the README says a line prints;
- ``NOT_RUN``: lines that cannot run in a test, and why.

A line that is neither a ``tocsin`` command nor listed in ``NOT_RUN`` fails the test, and so does
an entry of a table that no README line uses any more.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.integration.test_notices import KEY, NOW, mailbox
from tocsin.cli import app
from tocsin.services.desk import Desk
from tocsin.settings import Settings

__all__ = ["mailbox"]  # the SMTP server fixture, shared with test_notices

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "tocsin" / "demo"
SAMPLES = ROOT / "tests" / "samples"
PASSWORD = "correct horse battery staple"

# Lines that cannot run in a test, with the reason.
NOT_RUN = {
    "make demo": "builds a virtual environment and serves until stopped; tocsin demo is its core",
    "make test": "runs the whole suite, this test included",
    "tocsin serve": "serves until stopped; the web app is tested in-process by the HTTP tests",
    "tocsin demo": "loads the demo, then serves until stopped (test_cli.py loads it alone)",
}

# The desk before the README's first line: the leads its --as options name (alice publishes,
# bob approves: four eyes), and each one's API token.
WORLD = [
    ["users", "add", "alice", "--role", "lead", "--name", "Alice Lead", "--password", PASSWORD],
    ["users", "add", "bob", "--role", "lead", "--name", "Bob Lead", "--password", PASSWORD],
    ["tokens", "create", "alice", "--name", "shell", "--scopes", "read,write"],
    ["tokens", "create", "bob", "--name", "shell", "--scopes", "read,write"],
    # lina drafts requests for assistance (the liaison role), lee approves them: four eyes
    ["users", "add", "lina", "--role", "liaison", "--name", "Lina Liaison", "--password", PASSWORD],
    ["users", "add", "lee", "--role", "lead", "--name", "Lee Lead", "--password", PASSWORD],
    ["tokens", "create", "lina", "--name", "shell", "--scopes", "read,write"],
    ["tokens", "create", "lee", "--name", "shell", "--scopes", "read,write"],
]


@dataclass
class Clock:
    """The clock the commands run on: the tests' usual now, moved on by ``BEFORE``."""

    now: int = NOW  # 2026-11-28 11:40 UTC: the sample feeds' events are days old

    def __call__(self) -> int:
        return self.now


@dataclass
class Run:
    """One pass over the README: the runner, its clock, and what each line printed."""

    runner: CliRunner
    clock: Clock
    folder: Path
    smtp: Any
    printed: dict[str, str] = field(default_factory=dict)  # README line → its output
    given: dict[str, str] = field(default_factory=dict)  # what BEFORE made, for STAND_INS
    tokens: dict[str, str] = field(default_factory=dict)  # a person's API token, by name
    exported: dict[str, str] = field(default_factory=dict)  # the README's ``export`` lines

    def tocsin(self, args: list[str]) -> Result:
        """The command, with the token of the person its ``--as`` names in TOCSIN_TOKEN."""
        person = args[args.index("--as") + 1] if "--as" in args else None
        return self.runner.invoke(
            app,
            args,
            obj=self.clock,
            input=f"{PASSWORD}\n{PASSWORD}\n",
            env={**self.exported, "TOCSIN_TOKEN": self.tokens.get(person or "")},
            catch_exceptions=False,
        )

    def ok(self, args: list[str]) -> str:
        result = self.tocsin(args)
        assert result.exit_code == 0, f"tocsin {shlex.join(args)}: {result.output}"
        return result.output


def incident_number(run: Run) -> str:
    """The number of an incident opened on the console, for a request to link."""
    desk = Desk.open(Settings.load(), clock=run.clock)
    try:
        lee = desk.accounts.principal_named("lee")
        incident = desk.incidents.create(
            lee, title="Intrusion from a rented VPS", type="system-compromise", priority="P2"
        )
    finally:
        desk.close()
    return str(incident.id)


def release_id(output: str) -> str:
    return number(r"release (\d+):", output)


def open_incident(run: Run, title: str, address: str) -> str:
    """An incident opened on the console (here through the desk's service, as the console does)."""
    desk = Desk.open(Settings.load(), clock=run.clock)
    try:
        alice = desk.accounts.principal_named("alice")
        incident = desk.incidents.create(
            alice,
            title=title,
            type="c2-server",
            priority="P2",
            indicators=[("ip", address)],
        )
    finally:
        desk.close()
    return incident.reference


def second_pending_release(run: Run) -> None:
    """Another incident waits for a second lead, for the README's refusal."""
    reference = open_incident(run, "Second C2 server", "192.0.2.8")
    publish = ["share", "publish", "community", "--partner", "CERT-XY", "--incident", reference]
    out = run.ok([*publish, "--as", "alice"])
    run.given["second release"] = release_id(out)


def publish_the_case(run: Run) -> None:
    """The embargo passes, and the case is published."""
    run.clock.now = 1_797_500_000  # 2026-12-17 06:53 UTC, a day after the embargo
    run.ok(["cvd", "move", "TOCSIN-VU-2026-0001", "published", "--as", "alice"])


def incident_for_partner(run: Run) -> None:
    run.given["incident"] = open_incident(run, "C2 server seen by CERT-XY", "192.0.2.7")


# What happens on a real desk before a README line (keyed by the line's start).
BEFORE: dict[str, Callable[[Run], None]] = {
    "tocsin cvd advisory TOCSIN-VU-2026-0001": publish_the_case,
    "tocsin share publish community --partner CERT-XY --incident": incident_for_partner,
    "tocsin share refuse 8": second_pending_release,
}


def printed_by(run: Run, start: str) -> str:
    """What the README line starting so printed."""
    return next(out for line, out in run.printed.items() if line.startswith(start))


def number(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


def first_message_id(run: Run) -> str:
    box, _ = run.smtp
    assert box.messages, "no notice reached the mail server"
    return str(box.messages[0]["Message-ID"])


# README values only a running desk gives: (line start, the README's value, the test's value).
STAND_INS: list[tuple[str, str, Callable[[Run], str]]] = [
    ("tocsin share publish community --partner", "TCN-2026-0042", lambda r: r.given["incident"]),
    (
        "tocsin tokens revoke 3",
        "3",
        lambda r: number(r"token (\d+) ", printed_by(r, "tocsin tokens create")),
    ),
    (
        "tocsin share approve 7",
        "7",
        lambda r: release_id(printed_by(r, "tocsin share publish community --partner CERT-XY")),
    ),
    ("tocsin share refuse 8", "8", lambda r: r.given["second release"]),
    ("tocsin notify bounce", "<notice42.1@csirt.example>", first_message_id),
    ("tocsin requests link RFA-2026-0001 42", "42", incident_number),
]

# Lines the README says are refused: (line start, exit status, what the refusal says).
REFUSED = {
    "tocsin cvd move TOCSIN-VU-2026-0001 published": (2, "embargo"),
    "tocsin requests approve RFA-2026-0001 --as lina": (2, "second person"),
}

# What the README says a line prints (a pattern of its output, or a check of the file it writes).
SHOWS: dict[str, str | Callable[[Path], bool]] = {
    "tocsin feeds": r"shadowserver",
    "tocsin collectors list": r"openphish",
    "tocsin collect --once openphish": r"openphish:",
    "tocsin collect --once": r"openphish: .*accepted \d+",
    "tocsin constituents list": r"Northwind Power",
    "tocsin ingest 2026-11-20-scan_telnet-nl-geo.csv": (
        r"read \d+, accepted \d+, duplicates \d+, quarantined 12 in [\d.]+ s"
    ),
    "tocsin quarantine list": r"not an IP address",
    "tocsin quarantine show 12": r"192\.0\.2\.999",
    "tocsin users totp ana": r"secret: [A-Z2-7]+\s+otpauth://totp/",
    "tocsin tokens create ana": r"tocsin_\S+",
    "tocsin tokens list ana": r"ticket bridge\s+\S+…\s+read,write\s+\S+ \S+ UTC\s+active",
    "tocsin audit verify": r"audit log intact",
    "tocsin notify plan --dry-run": r"would be planned",
    "tocsin cvd show TOCSIN-VU-2026-0001": r"ana@example\.org",
    "tocsin cvd advisory": lambda folder: (
        json.loads((folder / "advisory.json").read_text())["document"]["category"]
        == "csaf_security_advisory"
    ),
    "tocsin share collections": r"community\s+Community\s+[0-9a-f-]{36}",
    "tocsin partners add": r"TAXII token \(shown once\): tocsin_",
    "tocsin share releases --state pending": r"pending",
    "tocsin stats approve 1": r"release 1: published by bob",
    "tocsin stats show 1 --format sdmx": r"DATAFLOW,SECTOR,TIME_PERIOD,OBS_VALUE,CONF_STATUS",
    "tocsin stats report 2026 --lang fr --format pdf": lambda folder: (
        (folder / "report-2026.fr.pdf").read_bytes().startswith(b"%PDF-")
    ),
    "tocsin stats reproduce 1": r"release 1: the same \(snapshot",
    "tocsin stats template art14 2026": r"offences-2026: \d+ of 7 cells suppressed",
    "tocsin stats ledger 2026": r"2026: epsilon 0 spent of a budget of 1, 1 left",
    "tocsin events --priority P1 --all --format csv > p1.csv": lambda folder: (
        (folder / "p1.csv").read_text().startswith("time.source,")
    ),
}


def readme_lines() -> list[str]:
    """The command lines of the README's shell blocks, continuations joined, comment lines left
    out (a line's trailing comment stays: it is stripped when the line is split)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            line = f"{pending} {raw.strip()}".strip() if pending else raw.strip()
            if line.endswith("\\"):
                pending = line[:-1].strip()
                continue
            pending = ""
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def command(line: str) -> str:
    """The line as it runs: without its trailing comment."""
    return shlex.join(shlex.split(line, comments=True)).replace("'>'", ">")


def listed(line: str) -> str | None:
    return next((key for key in NOT_RUN if command(line) == key), None)


def files(folder: Path) -> None:
    """The files the README names, from the demo data and the test samples. The telnet report
    carries 12 rows whose address is broken, for the README's quarantine."""
    shutil.copy(DEMO / "constituents.toml", folder / "constituents.toml")
    shutil.copy(DEMO / "ip2asn.tsv", folder / "ip2asn-combined.tsv")
    report = (DEMO / "feeds" / "shadowserver-2026-11-20-scan_telnet-nl-geo.csv").read_text()
    header = report.splitlines()[0].split(",")
    broken = []
    for n in range(12):
        values = {"timestamp": '"2026-11-20 06:00:00"', "ip": '"192.0.2.999"', "port": f'"{n}"'}
        broken.append(",".join(values.get(name.strip('"'), '""') for name in header))
    (folder / "2026-11-20-scan_telnet-nl-geo.csv").write_text(
        report.rstrip("\n") + "\n" + "\n".join(broken) + "\n"
    )
    shutil.copy(DEMO / "feeds" / "generic-honeypot.csv", folder / "honeypot.csv")
    shutil.copy(DEMO / "mappings" / "generic-honeypot.toml", folder / "honeypot.toml")
    shutil.copy(SAMPLES / "stix" / "partner-bundle.json", folder / "bundle.json")
    shutil.copy(SAMPLES / "misp" / "event.json", folder / "event.json")
    feed = folder / "feed-directory"
    feed.mkdir()
    event = json.loads((SAMPLES / "misp" / "event.json").read_text())["Event"]
    uuid = "5f0c2b3a-1111-4c2d-9e7f-0000000000aa"
    event["uuid"] = uuid
    (feed / f"{uuid}.json").write_text(json.dumps({"Event": event}))
    entry = {k: event[k] for k in ("info", "date", "analysis", "threat_level_id", "timestamp")}
    (feed / "manifest.json").write_text(json.dumps({uuid: entry}))
    drop = folder / "openphish-drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "phishing" / "openphish.txt", drop / "feed.txt")
    (folder / "sectors.toml").write_text(
        'name = "incidents-by-sector-2026-11"\ntitle = "Incidents by sector, November 2026"\n'
        'rows = "sector"\nfrom = "2026-11"\n'
    )
    (folder / "collectors.toml").write_text(
        '[[collector]]\nname = "openphish"\nkind = "directory"\nfeed = "openphish"\n'
        'every = 3600\npath = "openphish-drop"\n'
    )


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mailbox: tuple[Any, int]) -> Iterator[Run]:
    _, port = mailbox
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'tocsin.db'}")
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    monkeypatch.setenv("TOCSIN_SECRET_KEY", KEY)
    monkeypatch.setenv("TOCSIN_SMTP_URL", f"smtp://127.0.0.1:{port}?timeout=5")
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TOCSIN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    files(tmp_path)
    here = Run(CliRunner(), Clock(), tmp_path, mailbox)
    for args in WORLD:
        made = here.ok(args)
        if args[:2] == ["tokens", "create"]:
            here.tokens[args[2]] = number(r"(tocsin_\S+)", made)
    yield here


def test_every_line_is_run_or_listed() -> None:
    """Each README command line is a tocsin command (run below) or listed in NOT_RUN with its
    reason, and every table names lines the README still has."""
    lines = readme_lines()
    assert len(lines) > 40
    strays = [
        line for line in lines if not line.startswith(("tocsin ", "export ")) and not listed(line)
    ]
    assert strays == []
    ran = [command(line) for line in lines]
    keys = [*NOT_RUN, *BEFORE, *(start for start, _, _ in STAND_INS), *REFUSED, *SHOWS]
    stale = [key for key in keys if not any(line.startswith(key) for line in ran)]
    assert stale == []


def as_run(run: Run, text: str, args: list[str]) -> tuple[list[str], Path | None]:
    """A line's arguments once BEFORE has run and STAND_INS are in, and the file its ``>``
    writes to."""
    for start, step in BEFORE.items():
        if text.startswith(start):
            step(run)
    for start, value, live in STAND_INS:
        if text.startswith(start):
            args = [live(run) if arg == value else arg for arg in args]
    if ">" not in args:
        return args, None
    at = args.index(">")
    return args[:at], run.folder / args[at + 1]


def check(run: Run, text: str, result: Result, target: Path | None) -> None:
    """Exit status 0 (or the refusal the README announces) and what the README says it prints."""
    refused = next((v for k, v in REFUSED.items() if text.startswith(k)), None)
    if refused:
        status, says = refused
        assert result.exit_code == status, f"{text}: {result.output}"
        assert says in result.output, f"{text}: {result.output}"
        return
    assert result.exit_code == 0, f"{text}: {result.output}"
    if target is not None:
        target.write_text(result.stdout)
    shown = next((v for k, v in SHOWS.items() if text.startswith(k)), None)
    if isinstance(shown, str):
        assert re.search(shown, result.output), f"{text}: {result.output}"
    elif shown is not None:
        assert shown(run.folder), text


def test_the_readme_examples_run_as_documented(run: Run) -> None:
    """Every tocsin line of the README, in order, runs as the README says."""
    for line in readme_lines():
        if listed(line):
            continue
        text = command(line)
        if text.startswith("export "):  # the variable holds for the README's later lines
            name, _, value = shlex.split(line, comments=True)[1].partition("=")
            run.exported[name] = value
            continue
        args, target = as_run(run, text, shlex.split(line, comments=True)[1:])
        result = run.tocsin(args)
        run.printed[text] = result.output
        check(run, text, result, target)
