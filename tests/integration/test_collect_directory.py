"""The drop-folder collector on real files: ingested files move to processed/, failed ones to
failed/ with their reason, nothing is deleted, and a run that crashes part-way then runs again
stores exactly what one clean run stores."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock
from tests.integration.test_crash import snapshot
from tocsin.services.collectors import Collectors
from tocsin.services.desk import Desk
from tocsin.services.scheduler import Scheduler
from tocsin.services.watches import desk_jobs, run_due
from tocsin.settings import Settings
from tocsin.store import Store, open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ROWS = 60


def report() -> bytes:
    """A Shadowserver scan report with repeats and a bad row every ten rows."""
    lines = ['"timestamp","ip","protocol","port","tag","asn","geo"']
    for n in range(ROWS):
        ip = "10.0.0.999" if n % 10 == 5 else f"10.0.{n // 256}.{n % 256}"
        ip = "10.0.0.1" if n % 7 == 6 else ip
        lines.append(
            f'"2026-11-27 {n // 60:02d}:{n % 60:02d}:00","{ip}","tcp","23","telnet","64496","NL"'
        )
    return ("\n".join(lines) + "\n").encode()


def configure(settings: Settings, tmp_path: Path, drop: Path) -> Settings:
    path = tmp_path / "collectors.toml"
    path.write_text(
        f'[[collector]]\nname = "drop"\nkind = "directory"\nfeed = "shadowserver"\nevery = 60\n'
        f'path = "{drop}"\npattern = "*.csv"\n',
        encoding="utf-8",
    )
    return settings.but(collectors=str(path), batch_size=7, workers=0)


def test_new_files_are_ingested_then_moved_and_a_broken_one_fails_with_its_reason(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "2026-11-27-scan_telnet-nl-geo.csv").write_bytes(report())
    (drop / "2026-11-27-broken-nl-geo.csv").write_bytes(b"\x1f\x8b not really gzip")
    (drop / ".2026-11-27-partial.csv").write_bytes(b"still being written")
    (drop / "notes.txt").write_text("not a csv: the pattern leaves it")
    desk = Collectors(configure(settings, tmp_path, drop), store, FakeClock())
    [run] = desk.collect()
    assert not run.ok and run.error is not None and "2026-11-27-broken-nl-geo.csv" in run.error
    assert run.accepted == store.count_events() > 0
    assert sorted(p.name for p in drop.iterdir()) == [
        ".2026-11-27-partial.csv", "failed", "notes.txt", "processed",
    ]  # fmt: skip
    assert (drop / "processed" / "2026-11-27-scan_telnet-nl-geo.csv").read_bytes() == report()
    reason = (drop / "failed" / "2026-11-27-broken-nl-geo.csv.reason.txt").read_text()
    assert "not a readable gzip file" in reason
    (drop / "again.csv").write_bytes(report())  # the same content under another name
    [second] = desk.collect("drop")
    assert (second.ok, second.objects, second.rows) == (True, 0, 0)
    assert (drop / "processed" / "again.csv").exists()


def test_a_zip_is_archived_as_received_and_each_member_ingested(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    with zipfile.ZipFile(drop / "reports.csv", "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("2026-11-27-scan_telnet-nl-geo.csv", report())
        packed.writestr("2026-11-26-scan_telnet-nl-geo.csv", report().replace(b"11-27", b"11-26"))
    [run] = Collectors(configure(settings, tmp_path, drop), store, FakeClock()).collect()
    assert (run.ok, run.objects, run.rows) == (True, 1, 2 * ROWS)
    [archived] = store.collectors.objects()
    folder = Path(settings.data_dir) / "raw" / archived.sha256[:2] / archived.sha256
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-11-26-scan_telnet-nl-geo.csv", "2026-11-27-scan_telnet-nl-geo.csv", "reports.csv",
    ]  # fmt: skip
    assert (folder / "reports.csv").read_bytes() == (
        drop / "processed" / "reports.csv"
    ).read_bytes()


class _Failing:
    """The store, failing every write from its third on: a crash part-way through an ingest."""

    def __init__(self, store: Store) -> None:
        self._store, self._writes = store, 0

    def write(self, rows: Any, quarantined: Any) -> int:
        self._writes += 1
        if self._writes >= 3:
            raise RuntimeError("the disk is gone")
        return self._store.write(rows, quarantined)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_run_that_crashes_part_way_then_runs_again_stores_what_one_clean_run_stores(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "2026-11-27-scan_telnet-nl-geo.csv").write_bytes(report())
    configured = configure(settings, tmp_path, drop)
    clock = FakeClock()
    [crashed] = Collectors(configured, _Failing(store), clock).collect()  # type: ignore[arg-type]
    assert not crashed.ok and crashed.error == "RuntimeError: the disk is gone"
    assert store.count_events() > 0
    assert store.collectors.objects() == []  # not recorded: it will be taken in again
    assert (drop / "2026-11-27-scan_telnet-nl-geo.csv").exists()  # not the file's fault
    clock.advance(60)
    [rerun] = Collectors(configured, store, clock).collect()
    assert rerun.ok and rerun.duplicates > 0
    after = snapshot(store)

    clean_drop = tmp_path / "clean-drop"
    clean_drop.mkdir()
    (clean_drop / "2026-11-27-scan_telnet-nl-geo.csv").write_bytes(report())
    clean = open_store(f"sqlite:///{tmp_path / 'clean.db'}", audit_key=AUDIT_KEY)
    try:
        clean_settings = configure(settings, tmp_path, clean_drop)
        [one] = Collectors(clean_settings, clean, FakeClock()).collect()
        expected = snapshot(clean)
    finally:
        clean.close()
    assert one.ok
    assert after[0] == expected[0]
    assert {(Path(f).name, line, r) for f, line, r in after[1]} == {
        (Path(f).name, line, r) for f, line, r in expected[1]
    }
    assert len(expected[1]) == sum(1 for n in range(ROWS) if n % 10 == 5 and n % 7 != 6)


def test_the_server_watch_runs_the_collectors_that_are_due(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """run_due runs what is due once; the server's scheduler runs it as its collect job."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "2026-11-27-scan_telnet-nl-geo.csv").write_bytes(report())
    clock = FakeClock()
    desk = Desk.build(configure(settings, tmp_path, drop), store, clock=clock)
    [run] = run_due(desk)
    assert run.ok and run.objects == 1
    assert run_due(desk) == []
    clock.advance(60)
    (drop / "2026-11-26-scan_telnet-nl-geo.csv").write_bytes(report().replace(b"11-27", b"11-26"))

    [job] = [job for job in desk_jobs(desk) if job.name == "collect"]
    Scheduler(store, [job], clock=clock).run_once()
    assert store.collectors.runs("drop", limit=1)[0].objects == 1
    assert not (drop / "2026-11-26-scan_telnet-nl-geo.csv").exists()
