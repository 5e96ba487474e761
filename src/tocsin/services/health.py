"""The health answer of ``/api/v1/health``: the database answers, no scheduled job is late, no
feed is silent (docs/scheduler.md, docs/feed-health.md).

It names what is wrong (jobs and sources by name, never a count of the data), so that a monitor
can page the person on duty with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tocsin.errors import TocsinError
from tocsin.model.jobs import is_late
from tocsin.services.desk import Desk
from tocsin.services.watches import desk_jobs

log = logging.getLogger("tocsin.health")


@dataclass(frozen=True, slots=True)
class LateJob:
    name: str
    every: int
    last_success: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SilentFeed:
    source: str
    alarm: str
    reason: str


@dataclass(frozen=True, slots=True)
class Health:
    database: bool
    late_jobs: list[LateJob] = field(default_factory=list)
    silent_feeds: list[SilentFeed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def ok(self) -> bool:
        return self.database and not (self.late_jobs or self.silent_feeds or self.problems)


def check_health(desk: Desk, *, database_only: bool = False) -> Health:
    """The database first (nothing else can be read without it), then the jobs, then the
    feeds; a failure of either is a problem named, never an error page. ``database_only``: the
    database alone, for a liveness probe that must not restart a server for a silent feed."""
    try:
        desk.check_database()
    except Exception as exc:  # whatever the driver raises: the answer is "database down"
        log.error("health: the database does not answer: %s", exc)
        return Health(database=False, problems=["the database does not answer"])
    if database_only:
        return Health(database=True)
    problems: list[str] = []
    late: list[LateJob] = []
    silent: list[SilentFeed] = []
    try:
        runs, now = desk.store.jobs.runs(), desk.clock()
        for job in desk_jobs(desk):
            run = runs.get(job.name)
            if is_late(run, job.every, now):
                assert run is not None
                late.append(LateJob(job.name, job.every, run.succeeded, run.error))
    except TocsinError as exc:  # a broken collectors or sources file
        problems.append(f"the jobs could not be listed: {exc}")
    try:
        silent = [
            SilentFeed(s.source, s.alarm.value, s.reason)
            for s in desk.feed_health.alarms()
            if s.alarm is not None
        ]
    except TocsinError as exc:
        problems.append(f"the feeds could not be read: {exc}")
    return Health(True, late, silent, problems)


__all__ = ["Health", "LateJob", "SilentFeed", "check_health"]
