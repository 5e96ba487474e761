"""Feed health: each source's last fetch, its counts and what is usual for it, and the
silent-feed alarm that lands in the queue (docs/feed-health.md).

Sources are the collectors (by name) and the plain ``tocsin ingest`` runs (``ingest:<feed>``),
as the store keeps their runs, with every configured collector even before its first run. The
rules are ``model.feed_health``; this service reads the runs and, as the scheduler's
``feed-health`` job, turns an alarm into an incident: one per episode, of type ``other``, opened
by the system for the aggregation team with a timeline line saying why (and its audit entry), and
resolved by the system, with a line, when the feed is back to usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.cases.incidents import Incidents
from tocsin.model import access
from tocsin.model.clock import Now
from tocsin.model.feed_health import Alarm, FeedStatus, assess
from tocsin.model.incident import Status
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.collectors import Collectors
from tocsin.settings import Settings
from tocsin.store.base import Store

RECENT_RUNS = 500  # a source's runs read, newest first, to find its last arrivals
PRIORITY = "P2"  # an alarm's incident: a desk blind to a feed is urgent, not an emergency
TITLES = {
    Alarm.SILENT: "Feed silent: {source}",
    Alarm.LOW: "Feed volume collapsed: {source}",
    Alarm.HIGH: "Feed volume surged: {source}",
}


def group_key(source: str) -> str:
    """The key of a source's alarm incident: at most one open per source."""
    return f"feed-health:{source}"


@dataclass(frozen=True, slots=True)
class Checked:
    """What one check of the feeds did: the sources whose alarm opened an incident, and those
    whose incident it resolved."""

    raised: list[str]
    cleared: list[str]


class FeedHealth:
    """The sources' health, for the desk's staff, and the alarm job."""

    def __init__(self, settings: Settings, store: Store, incidents: Incidents, now: Now) -> None:
        self.settings = settings
        self.store = store
        self.incidents = incidents
        self.now = now

    def sources(self, who: Principal) -> list[FeedStatus]:
        """Every source, by name; staff only."""
        access.require(who, *access.STAFF)
        return self.assess_all()

    def assess_all(self) -> list[FeedStatus]:
        runs = self.store.collectors
        names = set(runs.last_runs())
        names.update(
            c.spec.name for c in Collectors(self.settings, self.store, self.now).configured()
        )
        now = self.now()
        return [assess(name, runs.runs(name, RECENT_RUNS), now) for name in sorted(names)]

    def alarms(self) -> list[FeedStatus]:
        """The sources whose alarm is up now (for the health check)."""
        return [status for status in self.assess_all() if status.alarm is not None]

    def check(self) -> Checked:
        """Open an incident for each source whose alarm is up, once per episode (while it stays
        open, and not again for the same episode once someone resolved it); resolve a source's
        open alarm incident once the source is back to usual."""
        raised, cleared = [], []
        for status in self.assess_all():
            key = group_key(status.source)
            with self.store.transaction() as tx:
                open_incident = self.store.cases.open_incident_for_group(tx, key)
                seen = self.store.cases.counter(tx, key)
            if status.alarm is None:
                if open_incident is not None:
                    self._resolve(open_incident.id, status)
                    cleared.append(status.source)
            elif open_incident is None and seen != status.episode:
                self._raise(status)
                raised.append(status.source)
        return Checked(raised, cleared)

    def _raise(self, status: FeedStatus) -> None:
        assert status.alarm is not None
        system = Principal.system()
        team = Accounts(self.store, now=self.now).ensure_team(self.settings.aggregation_team)
        incident = self.incidents.create(
            system,
            title=TITLES[status.alarm].format(source=status.source),
            type="other",
            priority=PRIORITY,
            org_id=team,
            source="feed-health",
            group_key=group_key(status.source),
            details={"feed": status.source, "alarm": status.alarm.value},
        )
        self.incidents.add_note(system, incident.id, f"Feed health: {status.reason}")
        with self.store.transaction() as tx:  # this episode has had its alarm
            self.store.cases.set_counter(tx, group_key(status.source), status.episode)

    def _resolve(self, incident_id: int, status: FeedStatus) -> None:
        said = f"feed back to usual: {status.reason}"
        self.incidents.transition(Principal.system(), incident_id, Status.RESOLVED.value, said)


__all__ = ["PRIORITY", "RECENT_RUNS", "Checked", "FeedHealth", "group_key"]
