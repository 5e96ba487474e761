"""The rules of feed health and of late jobs, on records alone."""

from __future__ import annotations

from tocsin.model.collector import CollectorRun
from tocsin.model.feed_health import Alarm, assess
from tocsin.model.jobs import JobRun, is_due, is_late

HOUR = 3600


def runs(*rows: int, every: int = HOUR, now: int = 100 * HOUR) -> list[CollectorRun]:
    """Runs an interval apart, the last at ``now``, newest first, one per rows figure given
    oldest first (0: a run that brought nothing)."""
    made = [
        CollectorRun(n, "abuse", "shadowserver", now - (len(rows) - 1 - n) * every, ok=True, rows=r)
        for n, r in enumerate(rows)
    ]
    return made[::-1]


def test_a_surge_over_ten_times_the_usual_rows_is_an_alarm() -> None:
    status = assess("abuse", runs(100, 120, 80, 100, 1001), 100 * HOUR)
    assert (status.alarm, status.usual_rows) == (Alarm.HIGH, 100)


def test_runs_that_brought_nothing_neither_count_as_arrivals_nor_break_silence() -> None:
    """Empty runs (a 304) every hour between arrivals every two hours: the usual interval is
    two hours, and the empty runs since the last arrival do not stop the alarm."""
    history = runs(100, 0, 100, 0, 100, 0, 100, 0, 0, 0, 0, 0)
    status = assess("abuse", history, 100 * HOUR)
    assert status.usual_interval == 2 * HOUR
    assert status.last_run is not None and status.last_run.rows == 0
    assert status.alarm is Alarm.SILENT and "for 5 h" in status.reason


def test_a_job_is_late_after_twice_its_interval_without_success() -> None:
    ran = JobRun("sla", since=0, started=1000, ended=1001, succeeded=1001)
    assert not is_late(ran, 60, 1001 + 120) and is_late(ran, 60, 1001 + 121)
    never = JobRun("sla", since=5000, started=5000, ended=5001, error="boom", failures=1)
    assert not is_late(never, 60, 5120) and is_late(never, 60, 5121)
    assert not is_late(None, 60, 10**9)  # no scheduler ever saw it
    assert is_due(None, 60, 0) and not is_due(ran, 60, 1059) and is_due(ran, 60, 1060)
