"""The deadlines of a request for assistance, declared as data with their source.

Every ``ClockRule`` names the article that sets it; ``clocks`` computes, from a request and the
steps of its history, which rules apply and where each one stands at a given instant. Pure: the
caller passes ``now`` (from the injected clock); nothing here reads the wall clock.

Conventions (``docs/assistance.md``, section "Clocks"):

- **Time.** Everything is UTC inside; every datetime must carry its zone (a naive one is refused
  with ``InvalidValue``). A duration is exact elapsed time, counted to the second from the event
  that starts it, as ETSI TS 104 144 counts the EPOC's 10 days: a day is 24 hours, never a
  calendar or working day. A 10-day clock therefore ends at another wall-clock hour when a
  daylight-saving change falls inside it (``Clock.local_due`` shows it in the counterpart's zone).
- **Events.** A rule starts and stops on events. An event is a state's value (a step in that
  state: ``"preserved"``), or a name a step carries in ``Step.detail["event"]`` (``"validated"``,
  ``"served"``, ``"notified"``, ``"mla_received"``…), or one of four derived events:
  ``"received"`` (incoming: ``Request.received_at``; outgoing: the first ``delivered`` step, else
  the ``sent`` one: when the party that must act got it), ``"sent"`` and ``"issued"``
  (``Request.sent_at`` or the first ``sent`` step) and ``"resumed"`` (the first step after a
  ``clarification_requested`` one). ``starts_on`` lists alternatives: the first name that
  occurred wins; a rule starts at that name's first occurrence (or its last: ``start="last"``).
- **Pause.** A step in state ``clarification_requested`` pauses a pausable rule until the next
  step. ``pause="resume"`` adds the time paused to the due date; ``pause="restart"`` starts the
  full duration again when the clarification is answered (the ETSI correction procedure: the
  clock restarts on a valid resubmission).
- **Extension.** A step whose ``detail["extension"] == "granted"`` grants one extension; so does a
  step in ``preserved`` or ``in_execution`` that directly follows an ``extension_requested`` step
  (unless its detail says ``"refused"``). A renewable rule takes every grant, the others one.
- **End.** A clock is met when a ``stops_on`` event comes at or before its due time, breached
  when the due time passes first. A withdrawn request has no clocks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tocsin.errors import InvalidValue
from tocsin.model.assist.clock_rules import (
    CLARIFICATION,
    DAY,
    HOUR,
    RULE,
    RULES,
    Applies,
    ClockRule,
)
from tocsin.model.assist.request import Direction, Request, Step

__all__ = [
    "DAY",
    "HOUR",
    "RULE",
    "RULES",
    "Applies",
    "Clock",
    "ClockRule",
    "OfficeHours",
    "aware",
    "clock",
    "clocks",
    "rules_for",
    "zone",
]


def zone(name: str | tzinfo) -> tzinfo:
    """An IANA time zone by name ("Europe/Paris"); an unknown name is refused."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder of zones
        raise InvalidValue("timezone", name, "not an IANA time zone") from None


def aware(name: str, value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(name, value.isoformat(), "a time without its zone")
    return value.astimezone(UTC)


_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RANGE = r"\d\d:\d\d-\d\d:\d\d"
_GROUP = re.compile(rf"^([A-Z][a-z])(?:-([A-Z][a-z]))? ({_RANGE}(?: {_RANGE})*)$")


def _hhmm(text: str, spec: str) -> time | None:
    hours, minutes = int(text[:2]), int(text[3:])
    if (hours, minutes) == (24, 0):
        return None  # the end of the day
    if hours > 23 or minutes > 59:
        raise InvalidValue("office_hours", spec, f"{text} is not a time of day")
    return time(hours, minutes)


def _day(text: str, spec: str) -> int:
    if text not in _DAYS:
        raise InvalidValue("office_hours", spec, f"{text!r} is not a day (Mo Tu We Th Fr Sa Su)")
    return _DAYS.index(text)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Opening hours: ``windows[weekday]`` is the (start, end) pairs of that day, end exclusive
    (``None``: midnight). Written "24/7" or "Mo-Fr 08:00-18:00" or
    "Mo-Th 08:00-17:00, Fr 08:00-14:00"; several ranges of a day are separated by a space."""

    spec: str
    always: bool = False
    windows: tuple[tuple[tuple[time, time | None], ...], ...] = field(default=((),) * 7)

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        text = spec.strip()
        if text == "24/7":
            return cls(spec, always=True)
        days: list[list[tuple[time, time | None]]] = [[] for _ in _DAYS]
        for group in text.split(","):
            match = _GROUP.match(group.strip())
            if not match:
                raise InvalidValue(
                    "office_hours", spec, f"{group.strip()!r} is not like 'Mo-Fr 08:00-18:00'"
                )
            first = _day(match[1], spec)
            last = _day(match[2], spec) if match[2] else first
            ranges = [cls._range(part, spec) for part in match[3].split(" ")]
            for offset in range((last - first) % 7 + 1):
                days[(first + offset) % 7].extend(ranges)
        return cls(spec, windows=tuple(tuple(day) for day in days))

    @staticmethod
    def _range(part: str, spec: str) -> tuple[time, time | None]:
        start, end = _hhmm(part[:5], spec), _hhmm(part[6:], spec)
        if start is None or (end is not None and end <= start):
            raise InvalidValue("office_hours", spec, f"{part}: the range must end after it starts")
        return start, end

    def contains(self, when: datetime, tz: str | tzinfo) -> bool:
        """Whether the instant ``when`` falls in these hours, read in the zone ``tz``."""
        local = aware("when", when).astimezone(zone(tz))
        moment = local.time().replace(tzinfo=None)
        return self.always or any(
            start <= moment and (end is None or moment < end)
            for start, end in self.windows[local.weekday()]
        )


@dataclass(frozen=True, slots=True)
class Clock:
    """Where one rule stands at ``at``. ``state``: running, warning (a warning offset before the
    due time has passed), paused, met or breached. ``started_at`` is the latest (re)start;
    ``warning`` the nearest warning offset passed."""

    rule: ClockRule
    started_at: datetime
    due_at: datetime
    at: datetime
    state: str
    paused: bool = False
    paused_for: timedelta = timedelta(0)
    stopped_at: datetime | None = None
    extensions: int = 0
    warning: timedelta | None = None

    def remaining(self, now: datetime) -> timedelta:
        """Time left before the due time (negative once past); frozen while paused or ended."""
        if self.paused or self.stopped_at is not None:
            return self.due_at - (self.stopped_at or self.at)
        return self.due_at - aware("now", now)

    def local_due(self, tz: str | tzinfo) -> datetime:
        """The due time on the counterpart's wall clock (an IANA zone name)."""
        return self.due_at.astimezone(zone(tz))

    def in_office_hours(self, office_hours: str, tz: str | tzinfo) -> bool:
        """Whether the due time falls in the counterpart's office hours."""
        return OfficeHours.parse(office_hours).contains(self.due_at, tz)


def _occurrences(name: str, request: Request, steps: Sequence[Step]) -> list[datetime]:
    found = [s.at for s in steps if s.state == name or s.detail.get("event") == name]
    if name in ("sent", "issued"):
        found += [s.at for s in steps if s.state == "sent"]
        found += [request.sent_at] if request.sent_at else []
    elif name == "received" and request.direction == Direction.INCOMING:
        found += [request.received_at] if request.received_at else []
    elif name == "received":
        delivered = [s.at for s in steps if s.state == "delivered"]
        found += delivered or _occurrences("sent", request, steps)
    elif name == "resumed":
        found += [b.at for a, b in pairwise(steps) if a.state == CLARIFICATION]
    return sorted(aware(name, at) for at in found)


def _start(rule: ClockRule, request: Request, steps: Sequence[Step]) -> datetime | None:
    for name in rule.starts_on:
        found = _occurrences(name, request, steps)
        if found:
            return found[-1] if rule.start == "last" else found[0]
    return None


def _stop(
    rule: ClockRule, request: Request, steps: Sequence[Step], start: datetime
) -> datetime | None:
    found = [at for n in rule.stops_on for at in _occurrences(n, request, steps) if at >= start]
    return min(found, default=None)


def _grants(steps: Sequence[Step], start: datetime) -> int:
    grants = 0
    for before, step in zip((None, *steps), steps, strict=False):
        said = step.detail.get("extension")
        follows = before is not None and before.state == "extension_requested"
        implied = follows and step.state in ("preserved", "in_execution") and said != "refused"
        grants += step.at >= start and (said == "granted" or implied)
    return grants


def _pauses(steps: Sequence[Step]) -> list[tuple[datetime, datetime | None]]:
    """The clarification intervals: (from, to), ``to`` None while still waiting."""
    nexts = [*(s.at for s in steps[1:]), None]
    return [(s.at, nexts[i]) for i, s in enumerate(steps) if s.state == CLARIFICATION]


@dataclass
class _Run:
    start: datetime
    due: datetime
    paused_for: timedelta = timedelta(0)
    paused: bool = False


def _apply_pauses(rule: ClockRule, run: _Run, steps: Sequence[Step], until: datetime) -> None:
    for begin, end in _pauses(steps):
        if begin < run.start or begin >= until or begin > run.due:
            continue
        stop = until if end is None or end > until else end
        run.paused_for += stop - begin
        run.paused = end is None or end > until
        if rule.pause == "restart" and not run.paused:
            run.due, run.start = stop + (run.due - run.start), stop
        else:
            run.due += stop - begin


def _state(
    rule: ClockRule, run: _Run, stop: datetime | None, now: datetime
) -> tuple[str, timedelta | None]:
    if stop is not None:
        return ("met" if stop <= run.due else "breached"), None
    if now > run.due:
        return "breached", None
    if run.paused:
        return "paused", None
    passed = [w for w in rule.warnings if now >= run.due - w]
    return ("warning", min(passed)) if passed else ("running", None)


def clock(rule: ClockRule, request: Request, steps: Sequence[Step], now: datetime) -> Clock | None:
    """Where ``rule`` stands at ``now`` for this request, or None when it has not started."""
    now = aware("now", now)
    history = sorted(
        (s for s in steps if aware("step.at", s.at) <= now), key=lambda s: (s.at, s.id)
    )
    start = _start(rule, request, history)
    if start is None:
        return None
    grants = _grants(history, start) if rule.extension else 0
    grants = grants if rule.renewable else min(grants, 1)
    run = _Run(start, start + rule.duration + grants * (rule.extension or timedelta(0)))
    stop = _stop(rule, request, history, start)
    if rule.pause:
        _apply_pauses(rule, run, history, stop or now)
    state, warning = _state(rule, run, stop, now)
    return Clock(
        rule=rule,
        started_at=run.start,
        due_at=run.due,
        at=now,
        state=state,
        paused=run.paused and stop is None,
        paused_for=run.paused_for,
        stopped_at=stop,
        extensions=grants,
        warning=warning,
    )


def rules_for(request: Request) -> tuple[ClockRule, ...]:
    """The rules that apply to this request."""
    return tuple(rule for rule in RULES if rule.applies(request))


def clocks(request: Request, steps: Sequence[Step], now: datetime) -> list[Clock]:
    """The clocks of this request at ``now``, nearest due first. A withdrawn request has none."""
    now = aware("now", now)
    past = [s for s in steps if aware("step.at", s.at) <= now]
    if request.state == "withdrawn" or any(s.state == "withdrawn" for s in past):
        return []
    found = [clock(rule, request, steps, now) for rule in rules_for(request)]
    return sorted((c for c in found if c is not None), key=lambda c: (c.due_at, c.rule.name))
