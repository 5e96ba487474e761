"""MTTA and MTTR by priority and by month: the desk's figures for oversight statistics.

Time to acknowledge runs from creation to the first move out of "new"; time to resolve from
creation to resolution, less the time spent waiting on an outside party (as the SLA clock counts).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import mean

from tocsin.model.incident import Incident


@dataclass(frozen=True, slots=True)
class Row:
    month: str  # YYYY-MM of creation
    priority: str
    incidents: int
    mtta_seconds: float | None
    mttr_seconds: float | None


def mean_times(incidents: list[Incident]) -> list[Row]:
    acknowledged: dict[tuple[str, str], list[int]] = defaultdict(list)
    resolved: dict[tuple[str, str], list[int]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for incident in incidents:
        if incident.merged_into is not None:
            continue
        key = (
            datetime.fromtimestamp(incident.created, tz=UTC).strftime("%Y-%m"),
            incident.priority,
        )
        counts[key] += 1
        if incident.acknowledged_at is not None:
            acknowledged[key].append(incident.acknowledged_at - incident.created)
        if incident.resolved_at is not None:
            resolved[key].append(incident.resolved_at - incident.created - incident.waited)
    return [
        Row(
            month,
            priority,
            counts[(month, priority)],
            mean(acknowledged[(month, priority)]) if acknowledged[(month, priority)] else None,
            mean(resolved[(month, priority)]) if resolved[(month, priority)] else None,
        )
        for month, priority in sorted(counts)
    ]
