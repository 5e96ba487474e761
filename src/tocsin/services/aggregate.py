"""Every event reaches a decision: the aggregation rules, run after whatever stored the events.

``ingest()`` calls ``decide`` right after the pipeline stored a file's events, so the command line,
a partner's pull or POST, a MISP feed and a quarantine retry all end in incidents; the server also
calls it at start and on a short schedule (``services/watches.py``), which catches up events that
another process stored, or that a crash between storing and deciding left behind. The store's
watermark makes a second call find nothing to do, so calling it too often costs one indexed read.

The rules come from ``TOCSIN_AGGREGATION_RULES`` (Tocsin's own by default), audited whenever they
change; the incidents belong to the team named by ``TOCSIN_AGGREGATION_TEAM`` (made on first use:
the organisation ``tocsin users add`` puts people in when no other is named, so that the team's
staff see the incidents the rules open).
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.cases.aggregation import aggregate, load_rules, rules_source
from tocsin.cases.incidents import Incidents
from tocsin.cases.rules_audit import record_rules
from tocsin.model.clock import Now
from tocsin.model.sla import SlaPolicy
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store.base import Store


@dataclass(frozen=True, slots=True)
class Decided:
    """What one call of the rules did."""

    opened: int  # incidents opened
    linked: int  # events linked to an incident


def decide(settings: Settings, store: Store, now: Now) -> Decided:
    """Run the aggregation rules over the events stored since the last run (none: nothing)."""
    text = rules_source(settings.aggregation_rules)
    rules = load_rules(settings.aggregation_rules, text)  # a broken file fails before any change
    record_rules(store, now, "aggregation", text)
    team = Accounts(store, now=now).ensure_team(settings.aggregation_team)
    incidents = Incidents(store, now=now, sla=SlaPolicy.parse(settings.sla))
    opened, linked = aggregate(store, incidents, rules, team)
    return Decided(opened, linked)


__all__ = ["Decided", "decide"]
