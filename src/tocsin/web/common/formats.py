"""How times and SLA clocks read on the pages: "12 min left", "breached 5 min ago", UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from tocsin.model.sla import Clock
from tocsin.services.types import ClockView


def span(seconds: int) -> str:
    """A length of time, to the minute: "under 1 min", "12 min", "3 h 20 min", "2 d 4 h"."""
    minutes = abs(seconds) // 60
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def time_left(clock: Clock, kind: str) -> str:
    """One clock ("acknowledge" or "resolve") in words."""
    left = clock.acknowledge_left if kind == "acknowledge" else clock.resolve_left
    late = kind in clock.breached
    if left is None:
        return "done late" if late else "done"
    if left < 0:
        text = f"breached {span(left)} ago"
    else:
        text = f"{span(left)} left" + (" (breached earlier)" if late else "")
    if kind == "resolve" and clock.paused:
        text = f"paused while waiting: {text}"
    return text


def utc(moment: int | None) -> str:
    """A time as people read it on the desk: ``2026-11-28 00:20 UTC``."""
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: int | None) -> str:
    """A time for ``<time datetime>`` and the API: ``2026-11-28T00:20:00Z``."""
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when_utc(moment: datetime | None) -> str:
    """An aware datetime as the desk reads it: ``2026-11-28 00:20 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def due_local(clock: ClockView) -> str:
    """A request's clock's due time on the counterpart's wall clock: ``2026-11-28 01:20 CET``."""
    return clock.local_due.strftime("%Y-%m-%d %H:%M %Z") if clock.local_due else ""


def countdown(clock: ClockView) -> str:
    """A request's clock in words: "6 h 12 min left", "breached 20 min ago", "met"."""
    left = clock.remaining
    if clock.state == "met":
        return "met"
    if left < 0:
        return f"breached {span(left)} ago"
    return f"paused: {span(left)} left" if clock.state == "paused" else f"{span(left)} left"
