"""The one scheduler: two servers on one database run a job once; a failure is recorded and
retried at the next interval; `tocsin worker` runs the jobs and stops on SIGTERM (both backends).

Time is the tests' clock: a test starts what is due with ``tick``/``run_once`` and moves the clock
itself, and waits on threads and processes, never on time passing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock
from tocsin.errors import InputUnreadable
from tocsin.services.scheduler import Job, Scheduler
from tocsin.store import Store, open_store


def count(store: Store) -> int:
    with store.transaction() as tx:
        return store.cases.counter(tx, "job-ran")


def record(store: Store) -> None:
    """What the job does: one more in a counter of the store, which every server sees."""
    with store.transaction() as tx:
        store.cases.next_number(tx, "job-ran")


@pytest.fixture
def two_servers(backend_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database, as two servers would open it."""
    first = open_store(backend_url, audit_key=AUDIT_KEY)
    second = open_store(backend_url, audit_key=AUDIT_KEY)
    yield first, second
    first.close()
    second.close()


def test_two_schedulers_on_one_database_run_a_job_once(two_servers: tuple[Store, Store]) -> None:
    """While one server runs the job, the other's attempt finds it locked and does nothing;
    once it has ended, it is not due again for either until its interval has passed."""
    first, second = two_servers
    clock = FakeClock()
    inside, release = threading.Event(), threading.Event()

    def held_open() -> None:
        try:
            record(first)
        finally:
            inside.set()  # the test's barrier: the job is running, and holds its lock
            release.wait()

    one = Scheduler(first, [Job("collect", 300, held_open)], clock=clock)
    other_job = Job("collect", 300, lambda: record(second))
    other = Scheduler(second, [other_job], clock=clock)
    running = one.tick()
    inside.wait()
    assert other.attempt(other_job) is False  # locked by the first server: not run
    release.set()
    for thread in running:
        thread.join()
    other.run_once()  # the first server's run is recorded: not due yet
    assert count(first) == 1
    assert first.jobs.runs()["collect"].succeeded == clock.now
    clock.advance(300)
    other.run_once()
    one.run_once()  # the second server ran it at this interval already
    assert count(first) == 2


def test_the_store_lock_of_a_job_is_held_by_one_at_a_time(two_servers: tuple[Store, Store]) -> None:
    """Store.try_lock: while one holds a job's lock, every other attempt (another server's, or
    a second one of the same server) is refused at once; another job's lock is free; released at
    the end of the block."""
    first, second = two_servers
    with first.try_lock("collect") as held:
        assert held is True
        with second.try_lock("collect") as other:
            assert other is False
        with first.try_lock("collect") as again:
            assert again is False
        with second.try_lock("sla") as free:
            assert free is True
    with second.try_lock("collect") as after:
        assert after is True


def test_a_failing_job_is_recorded_and_retried_at_the_next_interval(memory_store: Store) -> None:
    """A job that raises is recorded with its error and the failures in a row; it is not
    retried at once, but at its next interval, and a success clears the error."""
    clock = FakeClock()
    calls: list[int] = []

    def flaky() -> None:
        calls.append(clock.now)
        if len(calls) < 3:
            raise InputUnreadable("the feed's server answered 503")

    scheduler = Scheduler(memory_store, [Job("collect", 60, flaky)], clock=clock)
    scheduler.run_once()
    run = memory_store.jobs.runs()["collect"]
    assert run.error == "InputUnreadable: the feed's server answered 503"
    assert (run.failures, run.succeeded) == (1, None)
    scheduler.run_once()
    assert len(calls) == 1  # not at once
    clock.advance(60)
    scheduler.run_once()
    assert memory_store.jobs.runs()["collect"].failures == 2
    clock.advance(60)
    scheduler.run_once()
    run = memory_store.jobs.runs()["collect"]
    assert calls == [clock.now - 120, clock.now - 60, clock.now]
    assert (run.error, run.failures, run.succeeded) == (None, 0, clock.now)


def test_a_job_running_here_is_not_started_again(memory_store: Store) -> None:
    """A slow job holds up neither the scheduler nor the other jobs: while it runs, the next
    tick starts the others that are due and leaves it be, even when its interval passed."""
    clock = FakeClock()
    inside, release = threading.Event(), threading.Event()
    quick: list[int] = []

    def slow() -> None:
        inside.set()
        release.wait()

    jobs = [Job("slow", 60, slow), Job("quick", 60, lambda: quick.append(clock.now))]
    scheduler = Scheduler(memory_store, jobs, clock=clock)
    first = scheduler.tick()
    inside.wait()
    for thread in first:
        if thread.name == "tocsin-job-quick":
            thread.join()
    clock.advance(60)
    again = scheduler.tick()
    assert [t.name for t in again] == ["tocsin-job-quick"]
    for thread in again:
        thread.join()
    release.set()
    for thread in first:
        thread.join()
    assert len(quick) == 2


def test_the_worker_runs_the_jobs_and_stops_on_sigterm(sqlite_url: str, tmp_path: Path) -> None:
    """`tocsin worker` starts the desk's jobs, and SIGTERM stops it cleanly: status 0, every job
    it started has ended and is recorded."""
    env = dict(os.environ, TOCSIN_DATABASE_URL=sqlite_url, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "tocsin.cli", "worker"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        assert p.stdout is not None
        first = p.stdout.readline().decode()  # written once the first jobs are started
        p.send_signal(signal.SIGTERM)
        rest, errors = p.communicate(timeout=120)
    assert p.returncode == 0, errors.decode()
    assert first.startswith("Tocsin worker: sla every 60 s, audit-checkpoint every")
    assert "Tocsin worker: stopped" in rest.decode()
    store = open_store(sqlite_url, audit_key=AUDIT_KEY)
    try:
        runs = store.jobs.runs()
    finally:
        store.close()
    assert {"sla", "audit-checkpoint"} <= set(runs)
    assert all(run.succeeded is not None and not run.running for run in runs.values())
