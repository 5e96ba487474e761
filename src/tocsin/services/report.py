"""The yearly report for parliament, gathered: the published releases of a year (through
``Oversight``) and the desk's service figures for it — incidents' times to acknowledge and to
resolve against the SLA policy, notices sent and acknowledged, vulnerability cases opened and
advisories published, requests for assistance issued and received and their turnaround (the
tables of ``AssistFigures``). The figures are gathered here because they span the domain's
packages (cases, notify, cvd, assist), which ``stats`` may not import; ``stats/report.py`` turns
them into the report, with their disclosure control, and the web layer renders it.

The report is public: it reads the published releases only, and the service figures as Tocsin
itself (every team's records, counted, never listed). Merged incidents and those tagged
``exercise`` or ``test`` are left out, as the releases leave them out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import orjson

from tocsin.assist.figures import AssistFigures
from tocsin.errors import InvalidValue, NotFound
from tocsin.model.clock import Now
from tocsin.model.people import Principal
from tocsin.model.sla import SlaPolicy
from tocsin.stats import report, wording
from tocsin.stats.releases import LEFT_OUT_TAGS, Oversight
from tocsin.store.base import Store

FIRST_YEAR, LAST_YEAR = 1970, 9998
SERVICE_TTL = 600  # seconds a year's service figures are kept before they are read again
KEPT_YEARS = 16


class ParliamentReport:
    def __init__(
        self,
        store: Store,
        oversight: Oversight,
        sla: SlaPolicy,
        assist_figures: AssistFigures,
        now: Now,
    ) -> None:
        self.store = store
        self.oversight = oversight
        self.sla = sla
        self.assist_figures = assist_figures
        self.now = now
        # the report is public and its service figures read a year of incidents: kept for
        # SERVICE_TTL, so that a crowd asking for it costs one read every ten minutes
        self._service: dict[int, tuple[int, report.Service]] = {}

    def years(self) -> list[int]:
        """The years with a published release inside them, newest first."""
        return report.years(self.oversight.releases(None))

    def build(self, year: int, lang: str = "en") -> report.Report:
        """The report of ``year`` in ``lang`` (en, fr); NotFound when no published release lies
        within the year."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidValue("year", str(year), f"a year from {FIRST_YEAR} to {LAST_YEAR}")
        wording.catalogue(lang)  # an unknown language is refused before anything is read
        published = [r for r in self.oversight.releases(None) if report.within(r, year)]
        if not published:
            raise NotFound(f"no statistics release published for {year}")
        return report.build(year, lang, published, self._kept_service(year), now=self.now())

    def _kept_service(self, year: int) -> report.Service:
        at = self.now()
        kept = self._service.get(year)
        if kept is None or not 0 <= at - kept[0] < SERVICE_TTL:
            kept = self._service[year] = (at, self.service(year))
            while len(self._service) > KEPT_YEARS:
                self._service.pop(next(iter(self._service)))
        return kept[1]

    def service(self, year: int) -> report.Service:
        """The desk's own figures for incidents, notices, cases and requests of ``year`` (UTC)."""
        start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
        end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
        acknowledged: dict[str, list[float]] = defaultdict(list)
        resolved: dict[str, list[float]] = defaultdict(list)
        seen: set[str] = set()
        for row in self.store.oversight.response_times(start, end):
            priority, created, acknowledged_at, resolved_at, waited, details = row
            if '"tags"' in details and LEFT_OUT_TAGS & set(orjson.loads(details).get("tags", ())):
                continue
            seen.add(priority)
            if acknowledged_at is not None:
                acknowledged[priority].append(acknowledged_at - created)
            if resolved_at is not None:
                resolved[priority].append(resolved_at - created - (waited or 0))
        priorities = []
        for priority in sorted(seen | set(self.sla.targets)):
            to_acknowledge, to_resolve = self.sla.targets.get(priority, (0, 0))
            priorities.append(
                report.PriorityTimes(
                    priority,
                    to_acknowledge,
                    to_resolve,
                    report.times(acknowledged[priority], to_acknowledge),
                    report.times(resolved[priority], to_resolve),
                )
            )
        notices = self.store.dashboard.notice_tallies(start, end)
        opened, published = self.store.oversight.cvd_counts(start, end)
        return report.Service(
            priorities=tuple(priorities),
            notices_sent=sum(n.sent for n in notices),
            notices_acknowledged=sum(n.acknowledged for n in notices),
            cvd_opened=opened,
            cvd_published=published,
            requests=self._requests(year),
        )

    def _requests(self, year: int) -> tuple[report.Requests, ...]:
        """Requests issued (outgoing) and received (incoming) in the year, from the figures'
        ``requests`` table (every basis, country and emergency) and their time to data from
        ``turnaround_country`` (its total row)."""
        figures = self.assist_figures.year(Principal.system(), year)
        requests: dict[str, int] = defaultdict(int)
        for row in figures.table("requests").records():
            if row["country"] == "total" and row["emergency"] == "total":
                requests[str(row["direction"])] += int(row["requests"] or 0)
        found = []
        for row in figures.table("turnaround_country").records():
            if row["country"] != "total":
                continue
            direction = str(row["direction"])
            found.append(
                report.Requests(
                    direction,
                    requests[direction],
                    int(row["answered"] or 0),
                    _hours(row["hours_median"]),
                    _hours(row["hours_average"]),
                )
            )
        return tuple(found)


def _hours(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


__all__ = ["ParliamentReport"]
