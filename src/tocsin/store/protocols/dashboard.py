"""What the console's dashboard counts: grouped counts, each one statement over an index or a
range, never the incidents or events themselves (docs/dashboard.md, the dashboard)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tocsin.model.access import IncidentScope
from tocsin.store.shapes import AgeTally, EventTally, IncidentTally, NoticeTally, ResponseTally


@runtime_checkable
class DashboardStore(Protocol):
    def incident_tallies(self, scope: IncidentScope, since: int, until: int) -> list[IncidentTally]:
        """Incidents in ``scope`` (merged ones left out) created in [since, until), by UTC day,
        type and sector."""
        ...

    def event_tallies(self, since: int, until: int, max_tlp: int | None) -> list[EventTally]:
        """Events observed in [since, until) at ``max_tlp`` or below (None: any), by UTC day,
        feed and type."""
        ...

    def open_ages(self, scope: IncidentScope, now: int, ages: Sequence[int]) -> list[AgeTally]:
        """Open incidents in ``scope`` (merged ones left out) by priority and age: bucket ``i``
        holds those younger than ``ages[i]`` seconds (and not younger than ``ages[i-1]``), the
        last bucket (``len(ages)``) the older ones; ``ages`` grow."""
        ...

    def response_tallies(self, scope: IncidentScope, edges: Sequence[int]) -> list[ResponseTally]:
        """Incidents in ``scope`` (merged ones left out) created in [edges[i], edges[i+1]), as
        period ``i``, by priority, with their acknowledgement and resolution totals."""
        ...

    def notice_tallies(self, since: int, until: int) -> list[NoticeTally]:
        """Notices sent in [since, until), by UTC day of sending."""
        ...


__all__ = ["DashboardStore"]
