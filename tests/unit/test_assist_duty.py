"""The thresholds the clock watch announces and the register's order, pure: an emergency order
issued by a non-judicial authority warns 12 h before its 48 h validation is due, then is
breached; a paused clock announces nothing; open emergencies come first. Every ``now`` is a
fixed instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from tests.unit.test_assist_clocks import HOUR, T0, request, step
from tocsin.assist.duty import RegisterRow, offset_label, order, passed, view
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.clocks import clocks
from tocsin.model.assist.request import Direction, Request, Step
from tocsin.model.assist.states import State

SECOND = timedelta(seconds=1)
ISSUED = [step(T0, "sent")]  # sent_at: the emergency order issued unvalidated


def epoc() -> Request:
    return request(
        basis=Basis.EPOC, direction=Direction.OUTGOING, emergency=True, urgent=True, sent_at=T0
    )


def labels(req: Request, steps: list[Step], now: datetime) -> dict[str, str]:
    found = {}
    for c in clocks(req, steps, now):
        threshold = passed(req, view(c, now), now)
        if threshold is not None:
            found[c.rule.name] = threshold.label
    return found


def test_the_48h_validation_warns_12h_before_and_then_is_breached() -> None:
    assert "emergency_validation_48h" not in labels(epoc(), ISSUED, T0 + 36 * HOUR - SECOND)
    assert labels(epoc(), ISSUED, T0 + 36 * HOUR)["emergency_validation_48h"] == "T-12h"
    assert labels(epoc(), ISSUED, T0 + 48 * HOUR + SECOND)["emergency_validation_48h"] == "breach"
    validated = [*ISSUED, step(T0 + 40 * HOUR, "sent", 1, event="validated")]
    assert "emergency_validation_48h" not in labels(epoc(), validated, T0 + 49 * HOUR)


def test_a_paused_clock_announces_nothing() -> None:
    req = request(basis=Basis.P2_7, received_at=T0)
    paused = [step(T0 + HOUR, "clarification_requested")]
    assert labels(req, paused, T0 + 40 * 24 * HOUR) == {}


def test_offsets_are_named_in_days_or_hours() -> None:
    assert [offset_label(o) for o in (14 * 24 * HOUR, 3 * 24 * HOUR, 12 * HOUR)] == [
        "T-14d",
        "T-3d",
        "T-12h",
    ]


def test_open_emergencies_come_first_then_the_nearest_clock() -> None:
    now = T0 + HOUR
    urgent = request(id=2, urgent=True, received_at=T0)
    emergency = request(id=3, emergency=True, received_at=T0 + HOUR / 2)
    closed = replace(emergency, id=4, state=State.CLOSED)
    plain = request(id=5)

    def row(req: Request) -> RegisterRow:
        found = tuple(view(c, now) for c in clocks(req, [], now))
        return RegisterRow(req, found, next((c for c in found if c.open), None))

    rows = order([row(plain), row(closed), row(urgent), row(emergency)])
    assert [r.request.id for r in rows] == [3, 2, 4, 5]
    assert rows[0].countdown == (8 * HOUR - HOUR / 2).total_seconds()
