"""The one scheduler: every job a running Tocsin does on its own (the SLA clocks, the notices,
the partners' pulls, the audit checkpoints, and whatever else ``watches.desk_jobs`` lists), run
by ``tocsin serve`` beside the web or by ``tocsin worker`` alone.

A job is a name, an interval and a function. Each run goes in a thread of its own, so a slow
job holds up neither the web nor the other jobs; the store's lock on the job's name
(``Store.try_lock``) lets one server of a database run it at a time, and the store's record of
its last start (``Store.jobs``) tells every server when it is next due, so that two servers run
it once, not twice. Due-ness is read from the desk's clock, never from the wall clock, and
``tick`` (start what is due) is all a test needs: ``serve`` is ``tick`` in a loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tocsin.errors import TocsinError
from tocsin.model.clock import Now
from tocsin.model.jobs import is_due
from tocsin.store import Store

log = logging.getLogger("tocsin.scheduler")
POLL = 1.0  # seconds between two looks at what is due
ERROR_CHARS = 500  # of an error's message kept in the store


@dataclass(frozen=True, slots=True)
class Job:
    """A job of the scheduler: run ``run`` every ``every`` seconds (from the last start, on any
    server); what it raises is logged and recorded, and it runs again at its next interval."""

    name: str
    every: int
    run: Callable[[], object]


class Stop:
    """Tells a running scheduler to stop. Its wait wakes at once when it is set (a byte in a
    pipe), and otherwise after a relative timeout the kernel keeps: it reads no clock, so a
    moved or frozen clock (faketime) neither stops it waking nor makes it spin. ``set`` may be
    called from a signal handler."""

    def __init__(self) -> None:
        self._flag = threading.Event()
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)

    def set(self) -> None:
        self._flag.set()
        with contextlib.suppress(OSError):  # the pipe full (it wakes anyway) or closed
            os.write(self._write, b"x")

    def is_set(self) -> bool:
        return self._flag.is_set()

    def wait(self, seconds: float) -> bool:
        """Until set, or about ``seconds``; True if set."""
        if not self._flag.is_set():
            select.select([self._read], [], [], seconds)
        return self._flag.is_set()

    def close(self) -> None:
        os.close(self._read)
        os.close(self._write)


@dataclass(frozen=True, slots=True)
class Running:
    """A scheduler serving in its thread."""

    thread: threading.Thread
    stopping: Stop

    def stop(self) -> None:
        """Stop it, and wait until the jobs in progress have ended."""
        self.stopping.set()
        self.thread.join()
        self.stopping.close()


class Scheduler:
    """Runs ``jobs`` on ``store`` when due by ``clock``; see the module's docstring."""

    def __init__(self, store: Store, jobs: Sequence[Job], *, clock: Now) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"two jobs of the same name: {names}")
        self.store = store
        self.jobs = tuple(jobs)
        self.clock = clock
        self._threads: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()

    def tick(self) -> list[threading.Thread]:
        """Start each job that is due and not running in this scheduler already, each in its own
        thread; returns the threads started (a test joins them)."""
        runs = self.store.jobs.runs()
        now = self.clock()
        started: list[threading.Thread] = []
        with self._guard:
            for job in self.jobs:
                running = self._threads.get(job.name)
                if running is not None and running.is_alive():
                    continue
                if not is_due(runs.get(job.name), job.every, now):
                    continue
                thread = threading.Thread(
                    target=self.attempt, args=(job,), name=f"tocsin-job-{job.name}", daemon=True
                )
                self._threads[job.name] = thread
                thread.start()
                started.append(thread)
        return started

    def run_once(self) -> None:
        """Start what is due, and wait for it to end."""
        for thread in self.tick():
            thread.join()

    def attempt(self, job: Job) -> bool:
        """Run ``job`` here if no other server holds it and it is still due once held (another
        may have just run it); record its start and end. True if it ran."""
        with self.store.try_lock(job.name) as held:
            if not held:
                log.debug("job %s: running elsewhere", job.name)
                return False
            if not is_due(self.store.jobs.runs().get(job.name), job.every, self.clock()):
                return False
            self.store.jobs.started(job.name, self.clock())
            error = None
            try:
                job.run()
            except (TocsinError, OSError) as exc:  # expected trouble: one line is enough
                error = f"{type(exc).__name__}: {exc}"
                log.error("job %s failed: %s", job.name, error)
            except Exception as exc:  # the scheduler outlives any one bad run; logged whole
                error = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", job.name)
            self.store.jobs.ended(job.name, self.clock(), error and error[:ERROR_CHARS])
            return True

    def serve(self, stop: Stop, poll: float = POLL) -> None:
        """Start what is due every ``poll`` seconds until ``stop`` is set; then let the jobs in
        progress finish (so the store is never closed under one)."""
        seen = False
        while not stop.is_set():
            try:
                if not seen:  # from now on a job that never succeeds shows as late
                    self.store.jobs.seen([job.name for job in self.jobs], self.clock())
                    seen = True
                self.tick()
            except Exception:  # the database away for a moment: look again next time
                log.exception("scheduler: could not read the jobs")
            stop.wait(poll)
        self.join()

    def start(self) -> Running:
        """``serve`` in a thread of its own (beside the web), until the answer's ``stop``."""
        stop = Stop()
        thread = threading.Thread(target=self.serve, args=(stop,), name="tocsin-scheduler")
        thread.start()
        return Running(thread, stop)

    def join(self) -> None:
        """Wait for every job in progress to end."""
        with self._guard:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join()


__all__ = ["POLL", "Job", "Running", "Scheduler", "Stop"]
