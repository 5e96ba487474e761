"""The scheduler's jobs as the store remembers them, and when one is due or late.

A job's runs are shared by every server on one database, so that the second server sees the
first one's run and does not repeat it; the rules here read only those records and a time.
"""

from __future__ import annotations

from dataclasses import dataclass

LATE_FACTOR = 2  # a job is late when its last success is older than twice its interval


@dataclass(frozen=True, slots=True)
class JobRun:
    """What the store remembers of one job: when it was first seen (``since``), its last start
    and end, its last success, the last error (None after a success) and how many runs in a
    row failed."""

    name: str
    since: int
    started: int | None = None
    ended: int | None = None
    succeeded: int | None = None
    error: str | None = None
    failures: int = 0

    @property
    def running(self) -> bool:
        """Started and not ended: running somewhere, or its server stopped in the middle."""
        return self.started is not None and (self.ended is None or self.ended < self.started)


def is_due(run: JobRun | None, every: int, now: int) -> bool:
    """A job is due when it never started, or when its last start is ``every`` seconds old; a
    failure is retried at the next interval, not at once."""
    return run is None or run.started is None or run.started + every <= now


def is_late(run: JobRun | None, every: int, now: int) -> bool:
    """Late: its last success (or, when it never succeeded, its first sighting) is older than
    twice its interval. A job no scheduler ever saw is not late: nothing runs it yet."""
    if run is None:
        return False
    return now - (run.succeeded if run.succeeded is not None else run.since) > LATE_FACTOR * every


__all__ = ["LATE_FACTOR", "JobRun", "is_due", "is_late"]
