"""Aggregation rules: events become incidents, grouped as a rules file (data, not code) says.

The events stored since the last run are read in order; each that a rule matches joins the open
incident of its group, or opens one. A counter in the store remembers how far the last run got,
so running again (or after a crash) links nothing twice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tocsin.cases.incidents import Incidents
from tocsin.errors import ConfigError
from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.fields import PRIORITIES
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.store.base import Store

WATERMARK = "aggregation:last_event_id"
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
        if any(event.get(field) is None for field in self.group_by):
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
    store: Store, incidents: Incidents, rules: list[Rule], org_id: int, *, batch: int = 5000
) -> tuple[int, int]:
    """Run the rules over events stored since the last run: (incidents opened, events linked).
    ``incidents`` opens the incidents and records each change; ``store`` is the one it uses."""
    cases = store.cases
    system = Principal.system()
    opened = linked = 0
    with store.transaction() as conn:
        last = int(cases.counter(conn, WATERMARK))
    while True:
        events = cases.events_since(last, batch)
        if not events:
            return opened, linked
        groups: dict[int, list[tuple[int, Mapping[str, Any]]]] = {}
        for event_id, event in events:
            rule = next((r for r in rules if r.matches(event)), None)
            if rule is None:
                continue
            key = rule.group(event, _seconds(event))
            with store.transaction() as conn:
                found = cases.open_incident_for_group(conn, key)
            if found is None:
                found = incidents.create(
                    system,
                    title=_title(rule.title, event),
                    type=event["classification.type"],
                    priority=event.get("tocsin.priority", "P3"),
                    tlp=event.get("tlp", "AMBER"),
                    org_id=org_id,
                    constituent=event.get("tocsin.constituent"),
                    sector=event.get("tocsin.sector"),
                    source=f"rule:{rule.name}",
                    group_key=key,
                )
                opened += 1
            groups.setdefault(found.id, []).append((event_id, event))
        for incident_id, members in groups.items():
            linked += _join(store, incidents, incident_id, members)
        with store.transaction() as conn:
            cases.set_counter(conn, WATERMARK, events[-1][0])
        last = events[-1][0]


def _join(
    store: Store,
    incidents: Incidents,
    incident_id: int,
    members: list[tuple[int, Mapping[str, Any]]],
) -> int:
    """Link a group's events in one transaction, with one timeline line and one audit entry;
    the incident takes the most urgent priority and the most restrictive TLP of its events."""
    cases = store.cases
    system = Principal.system()
    with store.transaction() as conn:
        incident = cases.incident(incident_id, conn)
        assert incident is not None
        added = cases.link_events(conn, incident_id, [event_id for event_id, _ in members])
        priority = min((e.get("tocsin.priority", "P4") for _, e in members), key=PRIORITIES.index)
        changes: dict[str, Any] = {}
        if PRIORITIES.index(priority) < PRIORITIES.index(incident.priority):
            changes["priority"] = priority
        labels = [TLP.parse(incident.tlp)] + [TLP.parse(e.get("tlp", "AMBER")) for _, e in members]
        strict = TLP.most_restrictive(*labels).value_name
        if strict != incident.tlp:
            changes["tlp"] = strict
        if changes:
            cases.update_incident(conn, incident_id, **changes)
        room = MAX_INDICATORS - cases.count_indicators(conn, incident_id)
        for _, event in members:
            for field, kind in INDICATOR_FIELDS:
                if room > 0 and event.get(field):
                    room -= cases.add_indicator(conn, incident_id, kind, str(event[field]))
        if added or changes:
            text = f"{added} event(s) linked by rule"
            if changes:
                text += "; " + ", ".join(f"{k} → {v}" for k, v in changes.items())
            incidents.record(
                conn, system, incident, "incident.link", "link", text, {"events": added, **changes}
            )
    return added


def _seconds(event: Mapping[str, Any]) -> int:
    from tocsin.model.types import epoch_seconds

    return epoch_seconds(event.get("time.source") or event["time.observation"])


def _title(template: str, event: Mapping[str, Any]) -> str:
    text = template
    for field, value in event.items():
        text = text.replace("{" + field + "}", str(value))
    return text[:300]
