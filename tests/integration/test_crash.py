"""An ingest killed with SIGKILL part-way, then rerun, stores exactly what a clean run stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tocsin.store import EventFilter, Store, open_store

ROWS = 120_000


# Bad rows of every kind that once stopped an ingest: no address, an address with junk, a port
# beyond 64 bits, a text with control characters and a NUL (quarantined, each)
BAD = (
    ("10.0.0.999", "23"),
    ("abc", "23"),
    ("198.51.100.99x", "23"),
    ("10.0.0.2", "99999999999999999999"),
    ("10.0.0.3\x1b\x00", "23"),
)


def make_report(path: Path) -> None:
    """A scan report with repeats and a bad row every thousand rows."""
    lines = ['"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n']
    for n in range(ROWS):
        ip = f"10.{(n // 65536) % 256}.{(n // 256) % 256}.{n % 256}"
        port = "23"
        if n % 1000 == 500:
            ip, port = BAD[n // 1000 % len(BAD)]  # quarantined
        if n % 10 == 9:
            ip = "10.0.0.1"  # a repeat
        lines.append(
            f'"2026-11-20 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:00","{ip}","tcp",'
            f'"{port}","","telnet","64496","NL"\n'
        )
    path.write_text("".join(lines), encoding="utf-8")


def start_ingest(report: Path, url: str, *, quiet: bool = False) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TOCSIN_DATABASE_URL=url, TOCSIN_BATCH_SIZE="500", TOCSIN_WORKERS="2")
    return subprocess.Popen(
        [sys.executable, "-m", "tocsin.cli", "ingest", str(report), "--feed", "shadowserver"],
        env=env,
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else subprocess.PIPE,
        start_new_session=True,  # its own process group: SIGKILL reaches the parsing workers too
    )


def wait_until(
    predicate: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float
) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass, waiting on ``process`` in
    between (an ingest that ends first settles the question)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        try:
            process.wait(timeout=0.01)
        except subprocess.TimeoutExpired:
            continue
        return predicate()
    return False


def snapshot(store: Store) -> tuple[set[tuple[str, str]], set[tuple[str, int, str]]]:
    """Every stored event (without its observation time) and every quarantined row."""
    events: set[tuple[str, str]] = set()
    query = EventFilter(limit=1000)
    while True:
        page = store.search(query)
        for event in page.events:
            kept = {k: v for k, v in event.items() if k != "time.observation"}
            events.add((event["tocsin.fingerprint"], repr(sorted(kept.items()))))
        if page.next_cursor is None:
            break
        query = replace(query, before=page.next_cursor)
    quarantined = {(e.file, e.line, e.reason) for e in store.quarantine(limit=100_000)}
    return events, quarantined


def test_killed_ingest_rerun_equals_clean_run(backend_url: str, tmp_path: Path) -> None:
    """SIGKILL mid-ingest, rerun: the store holds exactly the events and quarantined rows of a
    clean run, none twice."""
    report = tmp_path / "2026-11-20-scan_telnet-nl-geo.csv"
    make_report(report)
    watcher = open_store(backend_url)
    try:
        process = start_ingest(report, backend_url, quiet=True)
        partial = wait_until(lambda: watcher.count_events() > 0, process, timeout=60)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert partial, "the ingest stored nothing before the deadline"
        stored_at_kill = watcher.count_events()
        rerun = start_ingest(report, backend_url)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err.decode()
        after = snapshot(watcher)
    finally:
        watcher.close()

    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = start_ingest(report, clean_url)
    _, err = clean.communicate(timeout=300)
    assert clean.returncode == 0, err.decode()
    reference = open_store(clean_url)
    try:
        expected = snapshot(reference)
    finally:
        reference.close()

    assert 0 < stored_at_kill < len(expected[0]), "the kill did not land part-way"
    assert after == expected
    assert len(expected[1]) == ROWS // 1000
    assert b"duplicates" in out
