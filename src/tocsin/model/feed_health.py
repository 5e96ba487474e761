"""Feed health: what each source's recent runs say of it, and when it raises the silent-feed
alarm. Pure rules over ``CollectorRun`` records and a time; docs/feed-health.md names them.

A source's *arrivals* are its runs that ended ok with rows (a 304, an empty drop folder or a
failed fetch brought nothing). From the last ``WINDOW`` arrivals come its usual interval (the
median gap between two arrivals) and its usual volume (the median rows of an arrival, the newest
left out, since that is the one judged). With fewer than ``MIN_ARRIVALS`` arrivals nothing is
usual yet, and no alarm is raised.

The alarm:

- **silent**: nothing arrived for more than ``SILENT_FACTOR`` (2) times the usual interval;
- **volume**: the newest arrival's rows are under ``LOW_SHARE`` (10 %) of the usual volume, or
  over ``HIGH_FACTOR`` (10) times it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from statistics import median

from tocsin.model.collector import CollectorRun

WINDOW = 20  # arrivals a source's usual interval and volume are taken from
MIN_ARRIVALS = 4  # arrivals before anything is usual: three gaps, three volumes before the newest
SILENT_FACTOR = 2
LOW_SHARE = 0.1
HIGH_FACTOR = 10


class Alarm(StrEnum):
    SILENT = "silent"
    LOW = "volume low"
    HIGH = "volume high"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One source as feed health shows it: its newest run (the last fetch, whatever came of it),
    its newest arrival, what is usual for it, and the alarm (None when all is well)."""

    source: str
    feed: str
    last_run: CollectorRun | None
    last_arrival: CollectorRun | None
    usual_rows: float | None
    usual_interval: float | None
    alarm: Alarm | None
    reason: str

    @property
    def episode(self) -> int:
        """What one alarm is about: the newest arrival's run id (0 before any). A silence
        lasts until something arrives, and a volume alarm belongs to its run, so the same
        episode never raises two alarms."""
        return self.last_arrival.id if self.last_arrival else 0


def arrivals(runs: Sequence[CollectorRun]) -> list[CollectorRun]:
    """The runs that brought rows, newest first (``runs`` are newest first)."""
    return [run for run in runs if run.ok and run.rows > 0]


def assess(source: str, runs: Sequence[CollectorRun], now: int) -> FeedStatus:
    """The status of ``source`` from its recent runs, newest first."""
    came = arrivals(runs)[:WINDOW]
    last = runs[0] if runs else None
    feed = last.feed if last else ""
    newest = came[0] if came else None
    if len(came) < MIN_ARRIVALS:
        why = f"{len(came)} arrival(s) so far: nothing is usual before {MIN_ARRIVALS}"
        return FeedStatus(source, feed, last, newest, None, None, None, why)
    assert newest is not None
    gaps = [a.started - b.started for a, b in pairwise(came)]
    interval = float(median(gaps))
    rows = float(median(run.rows for run in came[1:]))
    quiet = now - newest.started
    alarm, why = None, "as usual"
    if quiet > SILENT_FACTOR * interval:
        alarm = Alarm.SILENT
        why = (
            f"nothing arrived for {_span(quiet)}, more than {SILENT_FACTOR} times its usual "
            f"interval of {_span(interval)}"
        )
    elif newest.rows < LOW_SHARE * rows:
        alarm = Alarm.LOW
        why = (
            f"the last arrival had {newest.rows} rows, under {LOW_SHARE:.0%} of its usual {rows:g}"
        )
    elif newest.rows > HIGH_FACTOR * rows:
        alarm = Alarm.HIGH
        why = (
            f"the last arrival had {newest.rows} rows, over {HIGH_FACTOR} times its usual {rows:g}"
        )
    return FeedStatus(source, feed, last, newest, rows, interval, alarm, why)


def _span(seconds: float) -> str:
    """A duration as people read it: 90 s, 45 min, 6 h, 3 d."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


__all__ = [
    "HIGH_FACTOR",
    "LOW_SHARE",
    "MIN_ARRIVALS",
    "SILENT_FACTOR",
    "WINDOW",
    "Alarm",
    "FeedStatus",
    "arrivals",
    "assess",
]
