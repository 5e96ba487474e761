"""`tocsin backup` and `tocsin restore`: a round trip of a store with users, events, incidents,
evidence and audit entries gives back every table row for row, the same files, and an audit
log that verifies; a restore checks the manifest first and refuses a store with data unless
forced; on PostgreSQL the backup says so and prints pg_dump's recipe."""

from __future__ import annotations

import io
import sqlite3
import stat
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from tests.desk import FakeClock, make_team
from tests.factories import make_event, quarantined, rows
from tocsin.cli import app
from tocsin.model.people import Principal
from tocsin.services.desk import Desk
from tocsin.settings import Settings

Env = dict[str, str]


def env_of(folder: Path) -> Env:
    return {
        "TOCSIN_DATABASE_URL": f"sqlite:///{folder / 'tocsin.db'}",
        "TOCSIN_DATA_DIR": str(folder / "data"),
    }


def run(env: Env, *args: str) -> Result:
    clock = FakeClock()
    return CliRunner().invoke(app, list(args), obj=clock, env=env)


@pytest.fixture
def source(tmp_path: Path) -> Env:
    """A store on SQLite with a team, a user, events and a quarantined row, an incident with a
    piece of evidence, and the audit entries all that wrote, sealed with keys of its own."""
    env = env_of(tmp_path / "source")
    desk = Desk.open(Settings.load(env), clock=FakeClock())
    try:
        team = make_team(desk.store)
        desk.accounts.add_user(
            Principal.system(),
            name="ana",
            password="a long password",
            role="lead",
            org_id=team.org_id,
        )
        desk.store.write(rows(make_event(source__ip="198.51.100.1")), [quarantined(3)])
        analyst = team.people["analyst"]
        incident = desk.incidents.create(analyst, title="phish", type="phishing", priority="P2")
        desk.evidence.upload(analyst, incident.id, io.BytesIO(b"Received: from x\r\n"), "a.eml")
    finally:
        desk.close()
    return env


def tables(env: Env) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the store, row by row in insertion order."""
    path = env["TOCSIN_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {name: conn.execute(everything(conn, name)).fetchall() for name in names}
    conn.close()
    return found


def everything(conn: sqlite3.Connection, table: str) -> str:
    """A whole table in insertion order (by all its columns for a table without rowid: the
    full-text index's own tables); its name comes from the database itself."""
    columns = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)  # noqa: S608
    try:
        conn.execute(f'SELECT rowid FROM "{table}" LIMIT 0')  # noqa: S608
    except sqlite3.OperationalError:
        order = ", ".join(str(n) for n in range(1, columns + 1))
        return f'SELECT * FROM "{table}" ORDER BY {order}'  # noqa: S608
    return f'SELECT * FROM "{table}" ORDER BY rowid'  # noqa: S608


def files(env: Env) -> dict[str, bytes]:
    data = Path(env["TOCSIN_DATA_DIR"])
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in data.rglob("*") if p.is_file()}


def test_a_round_trip_gives_back_every_row_and_file(source: Env, tmp_path: Path) -> None:
    """Backed up, then restored into an empty place: every table equal row for row (users,
    events, incidents, evidence, audit log among them), the data folder's files equal, the
    keys still 0600, and `tocsin audit verify` passes on the restored store."""
    made = run(source, "backup", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    target = env_of(tmp_path / "target")
    put = run(target, "restore", str(tmp_path / "backup"))
    assert put.exit_code == 0, put.output
    before, after = tables(source), tables(target)
    for name in ("users", "events", "quarantine", "incidents", "evidence", "audit_log"):
        assert before[name], f"the source store has no {name}"
    assert after == before
    assert files(target) == files(source)
    key = Path(target["TOCSIN_DATA_DIR"]) / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    verified = run(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_the_manifest_names_every_file_with_its_sha256(source: Env, tmp_path: Path) -> None:
    """The backup folder is its owner's only, and its manifest lists the database and every
    file of the data folder with its SHA-256 and size."""
    assert run(source, "backup", str(tmp_path / "b")).exit_code == 0
    manifest = orjson.loads((tmp_path / "b" / "manifest.json").read_bytes())
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700
    assert manifest["database"] == "tocsin.db"
    names = set(manifest["files"])
    assert {"tocsin.db", "data/audit.key", "data/secret.key"} <= names
    assert any(name.startswith("data/evidence/") for name in names)
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


def test_a_changed_file_stops_the_restore_before_it_writes(source: Env, tmp_path: Path) -> None:
    """One byte changed in a backed-up evidence file: the restore names it and writes nothing."""
    assert run(source, "backup", str(tmp_path / "b")).exit_code == 0
    (evidence,) = [p for p in (tmp_path / "b" / "data" / "evidence").rglob("*") if p.is_file()]
    evidence.write_bytes(evidence.read_bytes() + b"!")
    target = env_of(tmp_path / "target")
    refused = run(target, "restore", str(tmp_path / "b"))
    assert refused.exit_code == 2
    assert "does not match its SHA-256" in refused.output
    assert not (tmp_path / "target").exists()


def test_a_store_with_data_is_overwritten_only_with_force(source: Env, tmp_path: Path) -> None:
    """Restoring over the store the backup came from: refused, then done with --force."""
    assert run(source, "backup", str(tmp_path / "b")).exit_code == 0
    refused = run(source, "restore", str(tmp_path / "b"))
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = run(source, "restore", str(tmp_path / "b"), "--force")
    assert forced.exit_code == 0, forced.output
    assert run(source, "audit", "verify").exit_code == 0


def test_a_backup_goes_into_a_new_folder_only(source: Env, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "other").write_text("something else")
    refused = run(source, "backup", str(tmp_path / "b"))
    assert refused.exit_code == 2 and "not empty" in refused.output


def test_on_postgresql_the_backup_prints_pg_dumps_recipe(postgres_url: str, tmp_path: Path) -> None:
    """The data folder is copied; the database is not, and the command says how to copy it."""
    env = {"TOCSIN_DATABASE_URL": postgres_url, "TOCSIN_DATA_DIR": str(tmp_path / "data")}
    Desk.open(Settings.load(env), clock=FakeClock()).close()
    made = run(env, "backup", str(tmp_path / "b"))
    assert made.exit_code == 0, made.output
    assert "pg_dump --format=custom" in made.output and "pg_restore" in made.output
    manifest = orjson.loads((tmp_path / "b" / "manifest.json").read_bytes())
    assert manifest["database"] is None and "data/secret.key" in manifest["files"]


def test_a_manifest_naming_a_path_outside_the_folder_is_refused(
    source: Env, tmp_path: Path
) -> None:
    """A manifest edited to name /etc/passwd or ../x writes nothing anywhere."""
    assert run(source, "backup", str(tmp_path / "b")).exit_code == 0
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = orjson.loads(manifest_path.read_bytes())
    for name in ("/etc/passwd", "data/../../x"):
        changed = dict(manifest, files=manifest["files"] | {name: {"sha256": "0" * 64, "bytes": 1}})
        manifest_path.write_bytes(orjson.dumps(changed))
        refused = run(env_of(tmp_path / "target"), "restore", str(tmp_path / "b"))
        assert refused.exit_code == 2 and "outside the backup folder" in refused.output
    assert not (tmp_path / "target").exists()
