"""The console's dashboard: what came in, what is open, how fast the desk acknowledged and
resolved against its SLA, the notices sent and acknowledged, and the feeds' health, over a window
of days ending today (docs/dashboard.md, the dashboard).

Every figure is counted for one viewer, by the store (grouped counts, never the incidents or
events themselves): an incident they may not see is not counted (``access.incident_scope``, the
condition form of ``access.can_see``), nor an event above their TLP cap (``access.tlp_cap``). The
mean times follow ``cases/metrics.py``: to acknowledge, from creation to the first move out of
"new"; to resolve, from creation to resolution less the time spent waiting on an outside party.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tocsin.errors import InvalidValue
from tocsin.model import access
from tocsin.model.clock import Now
from tocsin.model.feed_health import FeedStatus
from tocsin.model.fields import PRIORITIES
from tocsin.model.people import Principal
from tocsin.model.sla import DAY, HOUR, SlaPolicy
from tocsin.services.feed_health import FeedHealth
from tocsin.store.base import Store
from tocsin.store.shapes import ResponseTally

DEFAULT_DAYS = 30
MAX_DAYS = 366
WINDOWS = (7, 30, 90, 365)  # the windows the page offers; any 1..MAX_DAYS may be asked for
AGES = (4 * HOUR, DAY, 7 * DAY, 30 * DAY)
AGE_LABELS = ("under 4 h", "4 to 24 h", "1 to 7 days", "7 to 30 days", "over 30 days")
NO_SECTOR = "(no sector)"
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Grid:
    """Counts by row and column: ``rows`` are (label, counts in the order of ``columns``)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def total(self) -> int:
        return sum(sum(counts) for _, counts in self.rows)

    def column_totals(self) -> list[tuple[str, int]]:
        """Each column and its total, the largest first."""
        totals = [
            (c, sum(counts[i] for _, counts in self.rows)) for i, c in enumerate(self.columns)
        ]
        return sorted(totals, key=lambda t: (-t[1], t[0]))


@dataclass(frozen=True, slots=True)
class MonthTimes:
    """One priority's incidents created in one month, and their mean times against the SLA."""

    month: str  # YYYY-MM
    priority: str
    incidents: int
    acknowledged: int
    mtta: float | None  # seconds; None: none acknowledged
    resolved: int
    mttr: float | None  # seconds; None: none resolved
    acknowledge_target: int
    resolve_target: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The dashboard of one viewer over the ``days`` UTC days that end today."""

    days: int
    since: int  # the window's first second (midnight UTC)
    until: int  # now
    incidents: Grid  # created, by day (rows) and type (columns)
    sectors: list[tuple[str, int]]  # created, by sector, the largest first
    events: Grid  # observed, by day (rows) and feed (columns)
    event_types: list[tuple[str, int]]  # observed, by type, the largest first
    open: Grid  # open now, by priority (rows) and age (columns, AGE_LABELS)
    times: list[MonthTimes]  # by month then priority, the months the window touches
    notices: Grid  # sent, by day (rows): sent and acknowledged (columns)
    feeds: list[FeedStatus]

    @property
    def alarms(self) -> int:
        return sum(1 for f in self.feeds if f.alarm is not None)


def day_label(day: int) -> str:
    """A day since 1970-01-01 as YYYY-MM-DD."""
    return (EPOCH + timedelta(days=day)).isoformat()


def month_edges(since: int, until: int) -> list[int]:
    """The first second of each month from the one holding ``since`` to the one after
    ``until``'s."""
    at = datetime.fromtimestamp(since, tz=UTC).replace(day=1, hour=0, minute=0, second=0)
    edges = [int(at.timestamp())]
    while edges[-1] <= until:
        at = (
            at.replace(year=at.year + 1, month=1)
            if at.month == 12
            else at.replace(month=at.month + 1)
        )
        edges.append(int(at.timestamp()))
    return edges


def by_day(
    days: range, cells: Iterable[tuple[int, str, int]], columns: Iterable[str] | None = None
) -> Grid:
    """A grid of one row per day of ``days`` from (day, column, count) cells; the columns given,
    else those met, the largest first."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for day, column, count in cells:
        counts[day][column] += count
        totals[column] += count
    names = tuple(columns) if columns is not None else tuple(c for c, _ in _largest(totals))
    rows = tuple((day_label(d), tuple(counts[d][c] for c in names)) for d in days)
    return Grid(names, rows)


def _largest(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda t: (-t[1], t[0]))


class Dashboard:
    """The figures of the console's dashboard, for the desk's staff."""

    def __init__(self, store: Store, sla: SlaPolicy, feed_health: FeedHealth, now: Now) -> None:
        self.store = store
        self.sla = sla
        self.feed_health = feed_health
        self.now = now

    def overview(self, who: Principal, days: int = DEFAULT_DAYS) -> Overview:
        """The dashboard over the last ``days`` UTC days (today included) as ``who`` may see it;
        staff only."""
        access.require(who, *access.STAFF)
        if not 1 <= days <= MAX_DAYS:
            raise InvalidValue("days", days, f"a number of days from 1 to {MAX_DAYS}")
        scope = access.incident_scope(who)
        now = self.now()
        first = now // DAY - days + 1
        since, until = first * DAY, now + 1
        window = range(first, first + days)
        parts = self.store.dashboard
        created = parts.incident_tallies(scope, since, until)
        observed = parts.event_tallies(since, until, access.tlp_cap(who))
        sectors: Counter[str] = Counter()
        for tally in created:
            sectors[tally.sector or NO_SECTOR] += tally.count
        event_types: Counter[str] = Counter()
        for e in observed:
            event_types[e.type] += e.count
        sent = parts.notice_tallies(since, until)
        notices = [(n.day, "sent", n.sent) for n in sent]
        notices += [(n.day, "acknowledged", n.acknowledged) for n in sent]
        return Overview(
            days=days,
            since=since,
            until=now,
            incidents=by_day(window, ((t.day, t.type, t.count) for t in created)),
            sectors=_largest(sectors),
            events=by_day(window, ((e.day, e.feed, e.count) for e in observed)),
            event_types=_largest(event_types),
            open=self._open(scope, now),
            times=self._times(scope, since, now),
            notices=by_day(window, notices, ("sent", "acknowledged")),
            feeds=self.feed_health.sources(who),
        )

    def _open(self, scope: access.IncidentScope, now: int) -> Grid:
        counts: dict[str, list[int]] = {p: [0] * len(AGE_LABELS) for p in PRIORITIES}
        for tally in self.store.dashboard.open_ages(scope, now, AGES):
            counts.setdefault(tally.priority, [0] * len(AGE_LABELS))[tally.bucket] += tally.count
        return Grid(AGE_LABELS, tuple((p, tuple(c)) for p, c in sorted(counts.items())))

    def _times(self, scope: access.IncidentScope, since: int, now: int) -> list[MonthTimes]:
        edges = month_edges(since, now)
        tallies = self.store.dashboard.response_tallies(scope, edges)
        months = [datetime.fromtimestamp(e, tz=UTC).strftime("%Y-%m") for e in edges[:-1]]
        return [self._month(months[t.period], t) for t in sorted(tallies, key=_period_order)]

    def _month(self, month: str, tally: ResponseTally) -> MonthTimes:
        acknowledge, resolve = self.sla.targets.get(tally.priority, (0, 0))
        return MonthTimes(
            month=month,
            priority=tally.priority,
            incidents=tally.incidents,
            acknowledged=tally.acknowledged,
            mtta=tally.acknowledge_seconds / tally.acknowledged if tally.acknowledged else None,
            resolved=tally.resolved,
            mttr=tally.resolve_seconds / tally.resolved if tally.resolved else None,
            acknowledge_target=acknowledge,
            resolve_target=resolve,
        )


def _period_order(tally: ResponseTally) -> tuple[int, str]:
    return (tally.period, tally.priority)


__all__ = [
    "AGE_LABELS",
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "WINDOWS",
    "Dashboard",
    "Grid",
    "MonthTimes",
    "Overview",
]
