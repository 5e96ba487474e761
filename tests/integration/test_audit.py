"""The audit log is sealed with a key outside the database and anchored by signed checkpoints
outside it: tampering with the database directly, cutting the log short or recomputing its chain
without the key is caught, named and located, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from tests.audit_keys import AUDIT_KEY, given_keys
from tests.desk import START, Team, make_team
from tocsin.auth.audit_keys import AuditKeys
from tocsin.cases.audit import AuditLog, Report
from tocsin.cases.checkpoints import CheckpointFile
from tocsin.errors import Conflict
from tocsin.model.audit import GENESIS, PUBLIC, AuditKey, Failure, entry_hash
from tocsin.model.checkpoint import parse
from tocsin.services.scheduler import Job, Scheduler
from tocsin.services.watches import write_checkpoint
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app


@dataclass
class Logged:
    team: Team
    audit: AuditLog
    file: CheckpointFile
    incident: int

    @property
    def store(self) -> Store:
        return self.team.store

    def verify(self) -> Report:
        return self.audit.verify(self.team.people["auditor"])

    def notes(self, count: int) -> None:
        analyst = self.team.people["analyst"]
        for n in range(count):
            self.team.desk.add_note(analyst, self.incident, f"note {n}")


def audit_log(team: Team, path: Path, keys: AuditKeys | None = None) -> AuditLog:
    return AuditLog(
        team.store, keys or given_keys(), CheckpointFile(path), now=team.clock, every_entries=5
    )


@pytest.fixture
def logged(store: Store, tmp_path: Path) -> Logged:
    """A log of 70 entries (one incident created, 69 notes), checkpointed at its end."""
    team = make_team(store)
    incident = team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    audit = audit_log(team, tmp_path / "checkpoints.jsonl")
    built = Logged(team, audit, audit.checkpoints, incident.id)
    built.notes(69)
    assert audit.checkpoint() is not None
    return built


def sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text(statement), params)


def test_an_untouched_log_verifies_and_is_covered(logged: Logged) -> None:
    """The log as Tocsin wrote it verifies whole, keyed from its first entry and covered by its
    checkpoint; the head reported is the last entry's hash."""
    report = logged.verify()
    assert report.ok and report.verdict.checked == 70
    assert report.verdict.head == logged.store.cases.audit(after=69)[0].hash
    line = report.line()
    assert line.startswith("audit log intact up to entry 70")
    assert "covered by checkpoint 1 (entry 70," in line


def test_entries_after_the_latest_checkpoint_are_said_uncovered(logged: Logged) -> None:
    """Entries written since the latest checkpoint verify, and the line says how many it does not
    cover yet."""
    logged.notes(2)
    report = logged.verify()
    assert report.ok and "2 entries after it not yet covered" in report.line()


def test_an_altered_entry_is_named_rewritten(logged: Logged) -> None:
    """Changing who did something in entry 3 is reported at entry 3."""
    sql(logged.store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
    verdict = logged.verify().verdict
    assert (verdict.ok, verdict.failure, verdict.first_bad) == (False, Failure.REWRITTEN, 3)
    assert "altered" in verdict.reason


def test_a_removed_middle_entry_is_named_a_gap(logged: Logged) -> None:
    """Deleting entry 4 is reported as entry 4 missing."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq = 4")
    report = logged.verify()
    assert (report.verdict.failure, report.verdict.first_bad) == (Failure.MISSING, 4)
    assert report.line() == "audit log GAP at entry 4: entry 4 is missing"


def test_reordered_entries_are_caught(logged: Logged) -> None:
    """Swapping entries 2 and 5 (renumbering them) is caught at entry 2."""
    sql(logged.store, "UPDATE audit_log SET seq = 100 WHERE seq = 2")
    sql(logged.store, "UPDATE audit_log SET seq = 2 WHERE seq = 5")
    sql(logged.store, "UPDATE audit_log SET seq = 5 WHERE seq = 100")
    verdict = logged.verify().verdict
    assert (verdict.ok, verdict.first_bad) == (False, 2)


@pytest.mark.parametrize("cut", [1, 63, 70], ids=["last", "last-63", "every"])
def test_a_log_cut_short_is_named_truncated(logged: Logged, cut: int) -> None:
    """Deleting the last entry, the last 63 or every entry leaves a chain that verifies, and the
    checkpoint names the log truncated where its missing part begins."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq > :keep", keep=70 - cut)
    report = logged.verify()
    assert (report.ok, report.verdict.failure) == (False, Failure.TRUNCATED)
    assert report.verdict.first_bad == 70 - cut + 1
    assert report.line().startswith(f"audit log TRUNCATED at entry {71 - cut}: ")
    assert f"reached entry 70 (head {report.checkpoint.head[:16]}" in report.line()  # type: ignore[union-attr]


def recompute_with_sha256(store: Store, *, version: int) -> None:
    """What someone with the database and the public hash function does: every entry's hash
    recomputed with plain SHA-256 and chained again (marked ``version``)."""
    prev = "0" * 64
    for entry in store.cases.audit(limit=10_000):
        digest = entry_hash(
            prev,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.details,
        )
        sql(
            store,
            "UPDATE audit_log SET prev_hash = :prev, hash = :hash, version = :version "
            "WHERE seq = :seq",
            prev=prev,
            hash=digest,
            version=version,
            seq=entry.seq,
        )
        prev = digest


@pytest.mark.parametrize("version", [2, PUBLIC], ids=["marked-keyed", "marked-plain"])
def test_a_chain_recomputed_with_plain_sha256_is_named_rewritten(
    logged: Logged, version: int
) -> None:
    """Recomputing the whole chain with SHA-256 (as the old, unkeyed log allowed) is caught at
    entry 1, whether the entries still claim to be keyed or claim to be from before the key."""
    sql(logged.store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
    recompute_with_sha256(logged.store, version=version)
    report = logged.verify()
    assert (report.verdict.failure, report.verdict.first_bad) == (Failure.REWRITTEN, 1)
    assert report.line().startswith("audit log REWRITTEN at entry 1: ")


def test_a_chain_recomputed_after_cutting_its_end_is_caught(logged: Logged) -> None:
    """Cutting the last entries and recomputing what is left with SHA-256 is caught at entry 1."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq > 60")
    recompute_with_sha256(logged.store, version=2)
    assert logged.verify().verdict.failure == Failure.REWRITTEN


def test_a_tampered_checkpoint_signature_is_caught(logged: Logged) -> None:
    """A checkpoint edited to match a log cut short (its entry and head changed, its signature
    kept) fails its signature check, and verify says which line."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq > 60")
    line = orjson.loads(logged.file.path.read_bytes())
    line["seq"], line["head"] = 60, logged.store.cases.audit(after=59)[0].hash
    logged.file.path.write_bytes(orjson.dumps(line) + b"\n")
    report = logged.verify()
    assert (report.ok, report.verdict.failure) == (False, Failure.CHECKPOINT)
    assert report.line() == "audit log CHECKPOINT: checkpoint line 1 has no valid signature"


def test_a_checkpoint_signed_with_another_key_is_caught(logged: Logged, tmp_path: Path) -> None:
    """A checkpoint signed by a key of one's own (not Tocsin's) does not count."""
    forger = AuditKeys(tmp_path / "f.key", tmp_path / "f-signing.key")
    sql(logged.store, "DELETE FROM audit_log WHERE seq > 60")
    forged = audit_log(
        logged.team, tmp_path / "forged.jsonl", AuditKeys.given(AUDIT_KEY, forger.signer())
    )
    forged.checkpoint()
    logged.file.path.write_bytes(forged.checkpoints.path.read_bytes())
    assert logged.verify().verdict.failure == Failure.CHECKPOINT


def test_a_log_without_any_checkpoint_is_unanchored(store: Store, tmp_path: Path) -> None:
    """Entries that no checkpoint covers cannot be shown complete: verify says so and fails."""
    team = make_team(store)
    team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    report = audit_log(team, tmp_path / "none.jsonl").verify(team.people["auditor"])
    assert (report.ok, report.verdict.failure) == (False, Failure.UNANCHORED)


def test_another_audit_key_is_named_not_a_rewrite(logged: Logged) -> None:
    """Checking the log with a key other than the one it was sealed with says so."""
    other = AuditKeys.given(AuditKey(b"some other key of thirty-two bytes!"), given_keys().signer())
    report = AuditLog(logged.store, other, logged.file, now=logged.team.clock).verify(
        logged.team.people["auditor"]
    )
    assert report.verdict.failure == Failure.NO_KEY
    assert AUDIT_KEY.id in report.line()


def test_no_checkpoint_covers_a_log_cut_short(logged: Logged) -> None:
    """After the log is cut short, writing a checkpoint is refused (so a later verify still names
    the truncation) and nothing is added to the file."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq > 60")
    logged.notes(15)  # the log grows past the checkpoint again, from entry 61
    before = logged.file.path.read_bytes()
    fresh = audit_log(logged.team, logged.file.path)
    with pytest.raises(Conflict, match="REWRITTEN at entry 71"):
        fresh.checkpoint()
    assert logged.file.path.read_bytes() == before
    assert logged.verify().verdict.failure == Failure.REWRITTEN


def test_no_checkpoint_covers_a_rewritten_entry(logged: Logged) -> None:
    """An entry altered after the checkpoint is not covered by the next one."""
    logged.notes(3)
    sql(logged.store, "UPDATE audit_log SET actor = 'x' WHERE seq = 72")
    with pytest.raises(Conflict, match="REWRITTEN at entry 72"):
        logged.audit.checkpoint()


def test_checkpoints_are_written_when_due(logged: Logged) -> None:
    """A checkpoint is due after ``every_entries`` new entries, or after ``every`` seconds when
    the log has grown at all; never when it has not grown."""
    assert logged.audit.checkpoint_due() is None
    logged.notes(1)
    assert logged.audit.checkpoint_due() is None
    logged.team.clock.advance(300)
    assert logged.audit.checkpoint_due().seq == 71  # type: ignore[union-attr]
    logged.notes(4)
    assert logged.audit.checkpoint_due() is None
    logged.notes(1)
    made = logged.audit.checkpoint_due()
    assert made is not None and (made.seq, made.at) == (76, logged.team.clock.now)
    assert logged.verify().line().count("covered by checkpoint 3 (entry 76") == 1


def test_entries_from_before_the_key_verify_and_the_keyed_chain_follows(
    store: Store, tmp_path: Path
) -> None:
    """Entries written before the upgrade (plain SHA-256, version 1) stay valid; the keyed chain
    starts at the next entry and verify says where; a plain entry after it is a rewrite."""
    team = make_team(store)
    incident = team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    team.desk.add_note(team.people["analyst"], incident.id, "old")
    recompute_with_sha256(store, version=PUBLIC)  # the log as an older Tocsin left it
    team.desk.add_note(team.people["analyst"], incident.id, "new")
    audit = audit_log(team, tmp_path / "c.jsonl")
    audit.checkpoint()
    report = audit.verify(team.people["auditor"])
    assert report.ok and "keyed from entry 3 (before it: plain SHA-256)" in report.line()
    old = store.cases.audit(after=2)[0]
    downgraded = entry_hash(
        old.prev_hash, 3, old.at, old.actor, old.action, old.object_type, old.object_id, old.details
    )
    sql(store, "UPDATE audit_log SET version = 1, hash = :h WHERE seq = 3", h=downgraded)
    verdict = audit.verify(team.people["auditor"]).verdict
    assert (verdict.failure, verdict.first_bad) == (Failure.REWRITTEN, 3)


def test_a_store_without_the_audit_key_refuses_to_append(backend_url: str) -> None:
    """An entry the store could not seal would break the chain: it is refused."""
    from tocsin.errors import ConfigError
    from tocsin.store import open_store

    keyless = open_store(backend_url)
    try:
        with pytest.raises(ConfigError, match="audit key"), keyless.transaction() as tx:
            keyless.cases.append_audit(
                tx, at=1, actor="a", action="x", object_type="t", object_id="1"
            )
    finally:
        keyless.close()


def test_the_server_checkpoints_the_log_as_it_stops(settings: Settings, store: Store) -> None:
    """`tocsin serve` writes a checkpoint of the log's head at shutdown, which verify then finds."""
    team = make_team(store)
    team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    assert not settings.audit_checkpoints_path.exists()
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)):
        pass
    lines = settings.audit_checkpoints_path.read_text().splitlines()
    assert [parse(line).seq for line in lines] == [store.cases.last_audit_seq()]
    report = audit_log(team, settings.audit_checkpoints_path).verify(team.people["auditor"])
    assert report.ok and "covered by checkpoint 1" in report.line()


def test_the_server_watch_writes_a_due_checkpoint(logged: Logged) -> None:
    """The server's checkpoint job checkpoints the log when enough entries were added (here 5)."""
    logged.notes(5)
    write_checkpoint(logged.audit)
    assert logged.audit.latest().seq == 75  # type: ignore[union-attr]


def test_the_server_watch_logs_a_refused_checkpoint(
    logged: Logged, caplog: pytest.LogCaptureFixture
) -> None:
    """A log cut short is never covered by the checkpoint job: it logs why, writes nothing, and
    the scheduler records the job as failed."""
    sql(logged.store, "DELETE FROM audit_log WHERE seq > 60")
    before = logged.file.path.read_bytes()
    logged.team.clock.advance(3600)
    job = Job("audit-checkpoint", 5, partial(write_checkpoint, logged.audit))
    Scheduler(logged.store, [job], clock=logged.team.clock).run_once()
    assert "no audit checkpoint written: audit log TRUNCATED" in caplog.text
    assert "TRUNCATED" in (logged.store.jobs.runs()["audit-checkpoint"].error or "")
    assert logged.file.path.read_bytes() == before


def test_entries_an_older_tocsin_wrote_stay_valid_after_the_migration(
    store: Store, tmp_path: Path
) -> None:
    """Migration 0013 keeps the entries an older Tocsin chained with plain SHA-256 (marked version
    1); they verify, and the next entry starts the keyed chain, which verify names."""
    team = make_team(store)
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tocsin.store.sql").joinpath("migrations"))
    )
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        config.attributes["connection"] = conn
        command.downgrade(config, "0012")  # the table as the older Tocsin had it
        prev = GENESIS
        for seq in (1, 2):
            digest = entry_hash(prev, seq, START, "cli:root", "user.create", "user", str(seq), {})
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, "
                    "details, prev_hash, hash) VALUES (:seq, :at, 'cli:root', 'user.create', "
                    "'user', :id, '{}', :prev, :hash)"
                ),
                {"seq": seq, "at": START, "id": str(seq), "prev": prev, "hash": digest},
            )
            prev = digest
        command.upgrade(config, "head")
    team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    assert [e.version for e in store.cases.audit()] == [PUBLIC, PUBLIC, 2]
    audit = audit_log(team, tmp_path / "c.jsonl")
    assert audit.checkpoint() is not None
    report = audit.verify(team.people["auditor"])
    assert report.ok and "keyed from entry 3 (before it: plain SHA-256)" in report.line()


def test_verify_never_makes_a_key(store: Store, tmp_path: Path) -> None:
    """Checking with the key files missing (a wrong path, another working directory) makes no
    key: an empty log is intact, a log with entries is NO KEY, naming the path."""
    team = make_team(store)
    folder = tmp_path / "elsewhere"

    def report() -> Report:
        keys = AuditKeys(folder / "audit.key", folder / "audit-signing.key")
        log = AuditLog(store, keys, CheckpointFile(folder / "c.jsonl"), now=team.clock)
        return log.verify(team.people["auditor"])

    assert report().line() == "audit log intact: no entries yet"
    team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    missing = report()
    assert missing.verdict.failure == Failure.NO_KEY
    assert missing.line().startswith(f"audit log NO KEY: cannot read the audit key at {folder}")
    assert not folder.exists()
