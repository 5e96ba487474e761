"""Aggregation rules: events become incidents, grouped as a rules file (data, not code) says.

The events stored since the last run are read in order, a batch at a time; each that a rule
matches joins the open incident of its group, or opens one. A counter in the store remembers how
far the last run got, moved in the same transaction as the batch's links, so running again (or
after a crash) links nothing twice. A batch costs a handful of queries whatever its size (the
groups looked up at once, the links and indicators written in bulk): 1 M events are decided in
well under a minute (bench/aggregate.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from tocsin.cases.incident_rows import Opening, Record, checked, open_many, record_many
from tocsin.cases.incidents import Incidents
from tocsin.errors import ConfigError
from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.event import Event
from tocsin.model.fields import PRIORITIES
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

WATERMARK = "aggregation:last_event_id"
RUNS = "aggregation:runs"  # bumped by each batch: its row is the lock deciders take in turn
BATCH = 50_000  # events per transaction: a batch costs about as much per incident it touches
INDICATOR_FIELDS = (("source.ip", "ip"), ("source.fqdn", "fqdn"), ("source.url", "url"))
MAX_INDICATORS = 200


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    when: Mapping[str, frozenset[Any]]
    group_by: tuple[str, ...]
    window: int
    title: str

    def matches(self, event: Mapping[str, Any]) -> bool:
        for field in self.group_by:  # loops, not generators: this runs for every event
            if event.get(field) is None:
                return False
        return all(event.get(field) in allowed for field, allowed in self.when.items())

    def group(self, event: Mapping[str, Any], seconds: int) -> str:
        values = "|".join(str(event[field]) for field in self.group_by)
        bucket = seconds // self.window if self.window > 0 else 0
        return f"{self.name}|{values}|{bucket}"


def rules_source(path: str | Path | None = None) -> str:
    """The text of an aggregation rules file, or of Tocsin's defaults."""
    try:
        if path is None:
            return resources.files("tocsin.cases.rules").joinpath("aggregation.toml").read_text()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read aggregation rules {path}: {exc}") from None


def load_rules(path: str | Path | None = None, text: str | None = None) -> list[Rule]:
    try:
        data = tomllib.loads(text if text is not None else rules_source(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read aggregation rules {path or ''}: {exc}") from None
    rules = []
    for number, raw in enumerate(data.get("rule", []), start=1):
        name = str(raw.get("name") or f"rule {number}")
        group_by = tuple(raw.get("group_by", ()))
        if not group_by:
            raise ConfigError(f"aggregation rule {name!r}: group_by names no field")
        when = {}
        for field, value in dict(raw.get("when", {})).items():
            items = value if isinstance(value, list) else [value]
            allowed: set[Any] = set()
            for item in items:
                allowed |= CRITICAL_SECTORS if item == "@critical" else {item}
            when[field] = frozenset(allowed)
        window = raw.get("window", 86400)
        if not isinstance(window, int) or window < 0:
            raise ConfigError(f"aggregation rule {name!r}: window is seconds, 0 or more")
        title = str(raw.get("title") or "{classification.type}")
        rules.append(Rule(name, when, group_by, window, title))
    return rules


def aggregate(
    store: Store, incidents: Incidents, rules: list[Rule], org_id: int, *, batch: int = BATCH
) -> tuple[int, int]:
    """Run the rules over events stored since the last run: (incidents opened, events linked).
    ``incidents`` opens the incidents and records each change; ``store`` is the one it uses.

    Each batch is one transaction that first bumps a run counter: that row is the lock two
    deciders (the server's watch and a separate ``tocsin ingest``) take in turn, so the second
    reads the watermark the first left and links nothing twice; a batch that fails leaves the
    watermark where it was, and the next run takes it again whole."""
    opened = linked = 0
    while True:
        with store.transaction() as conn:
            store.cases.next_number(conn, RUNS)
            last = int(store.cases.counter(conn, WATERMARK))
            events = store.cases.events_since(last, batch, conn)
            if not events:
                return opened, linked
            new, added = _batch(conn, store, incidents, rules, org_id, events)
            store.cases.set_counter(conn, WATERMARK, events[-1][0])
        opened, linked = opened + new, linked + added


Member = tuple[int, Mapping[str, Any]]


def _batch(
    conn: Transaction,
    store: Store,
    incidents: Incidents,
    rules: list[Rule],
    org_id: int,
    events: list[tuple[int, Event]],
) -> tuple[int, int]:
    """One batch: every group's open incident found in one query, the missing ones opened at
    once (numbered in the order of their first event), the events linked and the indicators
    added in bulk, then one timeline line and one audit entry for each incident that changed."""
    matched: list[tuple[Rule, str, int, Event]] = []
    for event_id, event in events:
        rule = next((r for r in rules if r.matches(event)), None)
        if rule is not None:
            matched.append((rule, rule.group(event, _seconds(event)), event_id, event))
    found: dict[str, Incident | None] = dict(
        store.cases.open_incidents_for_groups(conn, [key for _, key, _, _ in matched])
    )
    openings: dict[str, Opening] = {}
    for rule, key, _, event in matched:
        if found.get(key) is None and key not in openings:
            openings[key] = _opening(rule, key, event)
    made = open_many(incidents, conn, Principal.system(), list(openings.values()), org_id)
    found.update(zip(openings, made, strict=True))
    groups: dict[int, tuple[Incident, list[Member]]] = {}
    for _, key, event_id, event in matched:
        incident = found[key]
        assert incident is not None
        groups.setdefault(incident.id, (incident, []))[1].append((event_id, event))
    added = store.cases.link_many(
        conn, [(i, event_id) for i, (_, members) in groups.items() for event_id, _ in members]
    )
    store.cases.add_indicators(conn, _new_indicators(conn, store, groups))
    records = [
        _joined(incident, members, added.get(incident.id, 0))
        for incident, members in groups.values()
    ]
    changed = [r for r in records if r is not None]
    store.cases.update_incidents(
        conn, [(r.record.incident.id, r.details) for r in changed if r.details]
    )
    record_many(incidents, conn, Principal.system(), [r.record for r in changed])
    return len(made), sum(added.values())


def _opening(rule: Rule, key: str, event: Mapping[str, Any]) -> Opening:
    """The incident a group's first event opens (its values checked, as a person's would be)."""
    values = checked(
        _title(rule.title, event),
        event["classification.type"],
        event.get("tocsin.priority", "P3"),
        event.get("tlp", "AMBER"),
        f"rule:{rule.name}",
    )
    return Opening(
        values,
        constituent=event.get("tocsin.constituent"),
        sector=event.get("tocsin.sector"),
        source=f"rule:{rule.name}",
        group_key=key,
    )


def _new_indicators(
    conn: Transaction, store: Store, groups: Mapping[int, tuple[Incident, list[Member]]]
) -> list[tuple[int, str, str]]:
    """The members' addresses, domains and URLs that their incident lacks, in order, as long
    as it holds fewer than ``MAX_INDICATORS``."""
    existing = store.cases.indicators_of(conn, list(groups), MAX_INDICATORS)
    rows: list[tuple[int, str, str]] = []
    for incident_id, (_, members) in groups.items():
        held = existing.get(incident_id, [])
        if held is None:  # full: nothing to add, nothing read
            continue
        have, room = set(held), MAX_INDICATORS - len(held)
        for _, event in members:
            for field, kind in INDICATOR_FIELDS:
                value = event.get(field)
                if room > 0 and value and (kind, str(value)) not in have:
                    have.add((kind, str(value)))
                    rows.append((incident_id, kind, str(value)))
                    room -= 1
    return rows


class _Joined(NamedTuple):
    record: Record
    details: dict[str, Any]  # the incident's changed columns


def _joined(incident: Incident, members: list[Member], added: int) -> _Joined | None:
    """What linking ``added`` of ``members`` changes: the incident takes the most urgent
    priority and the most restrictive TLP of its new events; None when nothing changed."""
    priority = min((e.get("tocsin.priority", "P4") for _, e in members), key=PRIORITIES.index)
    changes: dict[str, Any] = {}
    if PRIORITIES.index(priority) < PRIORITIES.index(incident.priority):
        changes["priority"] = priority
    names = {incident.tlp} | {e.get("tlp", "AMBER") for _, e in members}
    labels = [TLP.parse(name) for name in names]  # a few names, however many members
    strict = TLP.most_restrictive(*labels).value_name
    if strict != incident.tlp:
        changes["tlp"] = strict
    if not (added or changes):
        return None
    text = f"{added} event(s) linked by rule"
    if changes:
        text += "; " + ", ".join(f"{k} → {v}" for k, v in changes.items())
    now = replace(incident, **changes)
    record = Record(now, "incident.link", "link", text, {"events": added, **changes})
    return _Joined(record, changes)


def _seconds(event: Mapping[str, Any]) -> int:
    from tocsin.model.types import epoch_seconds

    return epoch_seconds(event.get("time.source") or event["time.observation"])


def _title(template: str, event: Mapping[str, Any]) -> str:
    text = template
    for field, value in event.items():
        text = text.replace("{" + field + "}", str(value))
    return text[:300]
