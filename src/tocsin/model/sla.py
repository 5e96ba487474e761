"""SLA clocks: time to acknowledge and time to resolve, per priority; waiting pauses resolving.

Pure functions of an incident and a moment: the caller passes ``now`` (an injected clock), so
tests move time instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tocsin.model.incident import Incident, Status

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    # priority: (acknowledge within, resolve within), in seconds
    "P1": (15 * MINUTE, 4 * HOUR),
    "P2": (1 * HOUR, 1 * DAY),
    "P3": (4 * HOUR, 3 * DAY),
    "P4": (1 * DAY, 10 * DAY),
}


_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY}


def _seconds(text: str) -> int:
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise ValueError(f"{text!r} is not a duration like 15m, 4h or 10d")
    return int(text[:-1]) * _UNITS[text[-1]]


@dataclass(frozen=True, slots=True)
class Clock:
    """Where an incident stands against its targets at one moment (seconds; negative: late)."""

    acknowledge_left: int | None  # None once acknowledged
    resolve_left: int | None  # None once resolved
    paused: bool
    breached: frozenset[str]

    @property
    def most_urgent(self) -> int | None:
        """The smaller time left, for ordering a queue (None when no clock runs)."""
        running = [x for x in (self.acknowledge_left, self.resolve_left) if x is not None]
        return min(running) if running else None


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    targets: Mapping[str, tuple[int, int]]

    @classmethod
    def default(cls) -> SlaPolicy:
        return cls(dict(DEFAULT_TARGETS))

    @classmethod
    def parse(cls, text: str) -> SlaPolicy:
        """Targets as people write them: ``P1=15m/4h, P2=1h/1d`` (acknowledge/resolve; s, m, h,
        d); priorities not named keep their defaults."""
        targets = dict(DEFAULT_TARGETS)
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            priority = name.strip().upper()
            acknowledge, _, resolve = value.partition("/")
            if priority not in targets or not resolve:
                raise ValueError(f"{part!r}: write it as P1=15m/4h")
            targets[priority] = (_seconds(acknowledge), _seconds(resolve))
        return cls(targets)

    def waited(self, incident: Incident, now: int) -> int:
        """Seconds the incident has spent waiting on an outside party, up to ``now``."""
        extra = now - incident.waiting_since if incident.waiting_since is not None else 0
        return incident.waited + max(extra, 0)

    def acknowledge_by(self, incident: Incident) -> int:
        return incident.created + self.targets[incident.priority][0]

    def resolve_by(self, incident: Incident, now: int) -> int:
        return incident.created + self.targets[incident.priority][1] + self.waited(incident, now)

    def due(self, incident: Incident) -> int | None:
        """When the incident's next clock runs out, or None when none runs (waiting, resolved,
        closed). Stored with the incident, so the queue is one indexed ORDER BY."""
        if incident.status is Status.NEW and incident.acknowledged_at is None:
            return self.acknowledge_by(incident)
        if incident.status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
            return incident.created + self.targets[incident.priority][1] + incident.waited
        return None

    def clock(self, incident: Incident, now: int) -> Clock:
        acknowledged = incident.acknowledged_at is not None or incident.status is not Status.NEW
        resolved = incident.resolved_at is not None and incident.status in (
            Status.RESOLVED,
            Status.CLOSED,
        )
        ack_left = None if acknowledged else self.acknowledge_by(incident) - now
        resolve_left = None if resolved else self.resolve_by(incident, now) - now
        breached = set(incident.breached)
        if ack_left is not None and ack_left < 0:
            breached.add("acknowledge")
        if resolve_left is not None and resolve_left < 0:
            breached.add("resolve")
        return Clock(ack_left, resolve_left, incident.status is Status.WAITING, frozenset(breached))
