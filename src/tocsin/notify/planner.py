"""Planning notices: the events of each constituent that no notice to it has carried yet, batched
per recipient and period — at once for the priorities it wants at once, else in a daily digest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tocsin.model.constituent import Constituent
from tocsin.model.event import Event, expired
from tocsin.model.notice import Reason, reason
from tocsin.store.base import Store

PAGE = 10_000
_ORDER = ("P1", "P2", "P3", "P4")


@dataclass
class Planned:
    """One notice to be: who gets which events, and why."""

    recipient: str
    addresses: tuple[str, ...]
    lang: str
    period: str  # "now:<time>" or the UTC day of a digest
    event_ids: list[int] = field(default_factory=list)
    priority: str = "P4"
    reasons: Counter[Reason] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)

    def add(self, event_id: int, event: Event, why: Reason) -> None:
        self.event_ids.append(event_id)
        given = str(event.get("tocsin.priority") or "P4")
        if _ORDER.index(given) < _ORDER.index(self.priority):
            self.priority = given
        self.reasons[why] += 1
        self.types[str(event.get("classification.type"))] += 1


@dataclass
class Plan:
    notices: list[Planned]
    skipped: Counter[str]  # why events waited or were left out: no address, refused, digest later


def plan(
    store: Store, now: int, *, since: int, digest_hour: int, digested: Callable[[str], set[str]]
) -> Plan:
    """What would go to whom now; nothing is written (the caller records the notices).
    ``digested(day)`` names the recipients whose digest of that day is planned already."""
    registry: dict[str, Constituent] = {c.name: c for c in store.constituents()}
    moment = datetime.fromtimestamp(now, tz=UTC)
    today = moment.date().isoformat()
    digest_open = moment.hour >= digest_hour
    buckets: dict[tuple[str, str], Planned] = {}
    skipped: Counter[str] = Counter()
    done_today = digested(today) if digest_open else set()
    after = 0
    while True:
        page = store.notices.unsent(after, since, PAGE)
        if not page:
            break
        after = page[-1][0]
        for event_id, name, event in page:
            if expired(event, now):
                skipped["expired indicator"] += 1
                continue
            constituent = registry.get(name)
            if constituent is None or not constituent.addresses:
                skipped["no address"] += 1
                continue
            prefs = constituent.notify
            if not prefs.accepts(str(event.get("classification.type"))):
                skipped["type refused by the recipient"] += 1
                continue
            urgent = str(event.get("tocsin.priority") or "P4") in prefs.immediate
            if urgent:
                period = f"now:{now}"
            elif digest_open and name not in done_today:
                period = today
            else:
                skipped["waiting for the daily digest"] += 1
                continue
            key = (name, period)
            if key not in buckets:
                buckets[key] = Planned(name, constituent.addresses, prefs.lang, period)
            why = reason(constituent.networks, constituent.asns, constituent.domains, event)
            buckets[key].add(event_id, event, why)
    ordered = sorted(buckets.values(), key=lambda p: (p.priority, p.recipient, p.period))
    return Plan(ordered, skipped)
