"""Aggregation rules turn stored events into incidents, once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.desk import FakeClock, make_team
from tocsin.cases.aggregation import aggregate, load_rules
from tocsin.errors import ConfigError
from tocsin.services.demo import load_demo
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store


def test_demo_events_become_one_incident_per_constituent_and_type(
    settings: Settings, store: Store
) -> None:
    """Each group (constituent, type, day) of matching events is one incident holding exactly
    those events; a second run opens and links nothing."""
    team = make_team(store)
    load_demo(settings, store, FakeClock())
    rules = load_rules()
    opened, linked = aggregate(team.store, team.desk, rules, team.org_id)
    assert opened > 0 and linked > 0
    incidents = store.cases.incidents(limit=10_000)
    assert len(incidents) == opened
    keys = Counter(i.group_key for i in incidents)
    assert max(keys.values()) == 1  # one open incident per group
    total = sum(store.cases.count_incident_events(i.id) for i in incidents)
    assert total == linked
    assert aggregate(team.store, team.desk, rules, team.org_id) == (0, 0)


def test_an_incident_takes_its_most_urgent_event_and_its_addresses(
    settings: Settings, store: Store
) -> None:
    """An aggregated incident's priority is that of its most urgent event, and the events'
    source addresses are its indicators."""
    team = make_team(store)
    load_demo(settings, store, FakeClock())
    aggregate(team.store, team.desk, load_rules(), team.org_id)
    incident = store.cases.incidents(limit=1)[0]
    events = [e for _, e in store.cases.incident_events(incident.id)]
    assert incident.priority == min(e["tocsin.priority"] for e in events)
    ips = {v for k, v in store.cases.indicators(incident.id) if k == "ip"}
    assert ips == {e["source.ip"] for e in events if "source.ip" in e}
    assert all(e.get("tocsin.constituent") == incident.constituent for e in events)


def test_events_outside_every_rule_stay_unlinked(settings: Settings, store: Store) -> None:
    """Events of no constituent (nobody to help) open no incident."""
    team = make_team(store)
    load_demo(settings, store, FakeClock())
    aggregate(team.store, team.desk, load_rules(), team.org_id)
    outsiders = [
        e for e in store.search(EventFilter(limit=1000)).events if "tocsin.constituent" not in e
    ]
    assert outsiders
    assert all(i.constituent for i in store.cases.incidents(limit=10_000))


def test_a_rule_without_group_fields_is_refused(tmp_path: object) -> None:
    """A rules file whose rule groups by nothing is a configuration error naming the rule."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "rules.toml"
    path.write_text('[[rule]]\nname = "bad"\n')
    with pytest.raises(ConfigError, match="'bad'"):
        load_rules(path)
