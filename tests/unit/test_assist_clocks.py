"""The clocks of a request for assistance: each rule of the table from its start to its due time,
daylight-saving changes in the counterpart's zone, a leap year, pauses, extensions, warnings, a
breach and a clock met. Every ``now`` is a fixed instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.clocks import (
    DAY,
    HOUR,
    RULE,
    RULES,
    Clock,
    OfficeHours,
    clock,
    clocks,
    rules_for,
)
from tocsin.model.assist.request import Direction, Link, Request, Safeguards, Step
from tocsin.model.assist.states import State

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)  # a Monday without any daylight-saving change


def request(**changes: Any) -> Request:
    base = Request(
        id=1,
        ref="RFA-2026-0001",
        direction=Direction.INCOMING,
        basis=Basis.BC_29,
        state=State.IN_EXECUTION,
        org_id=1,
        counterpart_id=None,
        their_ref="X-1",
        title="t",
        emergency=False,
        urgent=False,
        justification="",
        elements={},
        identifiers=(),
        safeguards=Safeguards(),
        tlp="AMBER",
        language="en",
        parent_id=None,
        link=Link.NONE,
        outcome="",
        outcome_note="",
        created_by=None,
        approved_by=None,
        created_at=T0 - DAY,
        updated_at=T0,
    )
    return replace(base, **changes)


def step(at: datetime, state: str, number: int = 0, **detail: str) -> Step:
    return Step(number, 1, at, State(state), None, detail=detail)


def data(*categories: str) -> Safeguards:
    return Safeguards(data_categories=categories)


# One row per rule: the request, its steps, when the clock starts, when it is due.
ROWS: list[tuple[str, dict[str, Any], list[Step], datetime, datetime]] = [
    ("urgent_ack", {"urgent": True, "received_at": T0}, [], T0, T0 + 8 * HOUR),
    (
        "bc29_preservation",
        {"direction": Direction.OUTGOING},
        [step(T0 - DAY, "sent"), step(T0, "preserved", 1)],
        T0,
        T0 + 60 * DAY,
    ),
    ("bc16_order", {}, [step(T0, "preserved")], T0, T0 + 90 * DAY),
    ("epoc_10d", {"basis": Basis.EPOC, "received_at": T0}, [], T0, T0 + 10 * DAY),
    (
        "epoc_8h",
        {"basis": Basis.EPOC, "emergency": True, "received_at": T0},
        [],
        T0,
        T0 + 8 * HOUR,
    ),
    (
        "ea_review_10d",
        {"basis": Basis.EPOC, "received_at": T0 - HOUR, "safeguards": data("traffic")},
        [step(T0, "delivered", event="notified")],
        T0,
        T0 + 10 * DAY,
    ),
    (
        "ea_objection_96h",
        {"basis": Basis.EPOC, "emergency": True, "received_at": T0, "safeguards": data("content")},
        [],
        T0,
        T0 + 96 * HOUR,
    ),
    ("epoc_pr_60d", {"basis": Basis.EPOC_PR}, [step(T0, "preserved")], T0, T0 + 60 * DAY),
    (
        "emergency_validation_48h",
        {"basis": Basis.EPOC, "emergency": True, "direction": Direction.OUTGOING},
        [step(T0, "sent")],
        T0,
        T0 + 48 * HOUR,
    ),
    (
        "correction_5d",
        {"basis": Basis.EPOC_PR},
        [step(T0 - DAY, "delivered"), step(T0, "clarification_requested", 1)],
        T0,
        T0 + 5 * DAY,
    ),
    (
        "p2_7_fallback_30d",
        {"basis": Basis.P2_7, "direction": Direction.OUTGOING},
        [step(T0 - HOUR, "sent"), step(T0, "delivered", 1)],
        T0,
        T0 + 30 * DAY,
    ),
    ("p2_8_serve_45d", {"basis": Basis.P2_8, "received_at": T0}, [], T0, T0 + 45 * DAY),
    (
        "p2_8_subscriber_20d",
        {"basis": Basis.P2_8, "safeguards": data("subscriber")},
        [step(T0, "in_execution", event="served")],
        T0,
        T0 + 20 * DAY,
    ),
    (
        "p2_8_traffic_45d",
        {"basis": Basis.P2_8, "safeguards": data("traffic")},
        [step(T0, "in_execution", event="served")],
        T0,
        T0 + 45 * DAY,
    ),
]


def test_every_rule_has_its_row_and_cites_its_source() -> None:
    assert sorted(row[0] for row in ROWS) == sorted(rule.name for rule in RULES)
    for rule in RULES:
        assert rule.source and rule.verified in ("V", "S", "M"), rule.name


@pytest.mark.parametrize(
    ("name", "changes", "steps", "start", "due"), ROWS, ids=[r[0] for r in ROWS]
)
def test_each_rule_starts_and_falls_due(
    name: str, changes: dict[str, Any], steps: list[Step], start: datetime, due: datetime
) -> None:
    req = request(**changes)
    assert RULE[name] in rules_for(req)
    now = start + HOUR
    found = {c.rule.name: c for c in clocks(req, steps, now)}
    assert found[name].started_at == start
    assert found[name].due_at == due
    assert found[name].state in ("running", "warning")
    assert found[name].remaining(now) == due - now


def test_rules_apply_by_basis_flags_direction_and_data() -> None:
    names = {r.name for r in rules_for(request(basis=Basis.EPOC, safeguards=data("subscriber")))}
    assert names == {"epoc_10d", "correction_5d"}  # no notification for subscriber data
    emergency = request(basis=Basis.EPOC, emergency=True, direction=Direction.OUTGOING)
    names = {r.name for r in rules_for(emergency)}
    assert names == {"urgent_ack", "epoc_8h", "emergency_validation_48h", "correction_5d"}
    assert "bc16_order" not in {r.name for r in rules_for(request(direction=Direction.OUTGOING))}


def test_clocks_are_sorted_nearest_first_and_a_withdrawn_request_has_none() -> None:
    req = request(basis=Basis.EPOC, emergency=True, received_at=T0, safeguards=data("traffic"))
    found = clocks(req, [], T0 + HOUR)
    assert [c.rule.name for c in found] == ["epoc_8h", "urgent_ack", "ea_objection_96h"]
    assert clocks(req, [step(T0 + HOUR, "withdrawn")], T0 + 2 * HOUR) == []


def test_a_naive_time_is_refused() -> None:
    req = request(urgent=True, received_at=T0)
    with pytest.raises(InvalidValue, match="now"):
        clocks(req, [], datetime(2026, 5, 4, 10, 0))
    with pytest.raises(InvalidValue, match=r"step\.at"):
        clocks(req, [step(datetime(2026, 5, 4, 9, 0), "acknowledged")], T0 + HOUR)


# Daylight saving: Europe/Paris changes on the last Sunday of March and of October.
SPRING = datetime(2026, 3, 29, 0, 30, tzinfo=PARIS)  # 23:30 UTC the day before, CET
AUTUMN = datetime(2026, 10, 25, 0, 30, tzinfo=PARIS)  # 22:30 UTC the day before, CEST


@pytest.mark.parametrize(
    ("received", "wall"),
    [(SPRING, datetime(2026, 3, 29, 9, 30)), (AUTUMN, datetime(2026, 10, 25, 7, 30))],
)
def test_an_eight_hour_clock_is_eight_real_hours_across_a_change(
    received: datetime, wall: datetime
) -> None:
    req = request(urgent=True, received_at=received)
    found = clock(RULE["urgent_ack"], req, [], received + HOUR)
    assert found is not None
    assert found.due_at - found.started_at == 8 * HOUR
    assert found.local_due("Europe/Paris").replace(tzinfo=None) == wall  # 9 h or 7 h on the wall


@pytest.mark.parametrize(
    ("tz", "at_start", "at_due"),
    [
        ("Europe/Paris", datetime(2026, 3, 25, 10, 0), datetime(2026, 4, 4, 11, 0)),
        ("America/New_York", datetime(2026, 3, 25, 5, 0), datetime(2026, 4, 4, 5, 0)),
        ("Australia/Sydney", datetime(2026, 3, 25, 20, 0), datetime(2026, 4, 4, 20, 0)),
        ("Australia/Sydney", datetime(2026, 3, 28, 20, 0), datetime(2026, 4, 7, 19, 0)),
        ("America/New_York", datetime(2026, 10, 26, 5, 0), datetime(2026, 11, 5, 4, 0)),
    ],
)
def test_a_ten_day_clock_shifts_on_the_counterparts_wall_clock(
    tz: str, at_start: datetime, at_due: datetime
) -> None:
    received = at_start.replace(tzinfo=ZoneInfo(tz))
    req = request(basis=Basis.EPOC, received_at=received)
    found = clock(RULE["epoc_10d"], req, [], received + HOUR)
    assert found is not None
    assert found.due_at - found.started_at == 10 * DAY
    assert found.due_at.tzinfo == UTC
    assert found.local_due(tz).replace(tzinfo=None) == at_due


def test_sixty_days_across_the_29th_of_february_2028() -> None:
    preserved = datetime(2028, 2, 1, 12, 0, tzinfo=UTC)
    found = clock(RULE["bc29_preservation"], request(), [step(preserved, "preserved")], preserved)
    assert found is not None
    assert found.due_at == datetime(2028, 4, 1, 12, 0, tzinfo=UTC)  # 2 April in a common year


def test_preservation_warns_at_fourteen_and_three_days_then_is_breached() -> None:
    steps = [step(T0, "preserved")]
    due = T0 + 60 * DAY

    def at(now: datetime) -> Clock:
        found = clock(RULE["bc29_preservation"], request(), steps, now)
        assert found is not None
        return found

    assert (at(due - 15 * DAY).state, at(due - 15 * DAY).warning) == ("running", None)
    assert (at(due - 14 * DAY).state, at(due - 14 * DAY).warning) == ("warning", 14 * DAY)
    assert (at(due - 2 * DAY).state, at(due - 2 * DAY).warning) == ("warning", 3 * DAY)
    assert at(due).state == "warning"  # due, not yet past
    late = at(due + timedelta(seconds=1))
    assert late.state == "breached"
    assert late.remaining(due + timedelta(seconds=1)) == timedelta(seconds=-1)


def test_preservation_is_met_when_the_mla_request_arrives_in_time() -> None:
    steps = [step(T0, "preserved"), step(T0 + 40 * DAY, "preserved", 1, event="mla_received")]
    found = clock(RULE["bc29_preservation"], request(), steps, T0 + 70 * DAY)
    assert found is not None
    assert (found.state, found.stopped_at) == ("met", T0 + 40 * DAY)
    assert found.remaining(T0 + 70 * DAY) == 20 * DAY


def test_an_acknowledgement_after_eight_hours_is_a_breach() -> None:
    req = request(urgent=True, received_at=T0)
    found = clock(RULE["urgent_ack"], req, [step(T0 + 9 * HOUR, "acknowledged")], T0 + DAY)
    assert found is not None and found.state == "breached"


def test_art29_preservation_is_renewed_by_each_extension_granted() -> None:
    steps = [
        step(T0, "preserved"),
        step(T0 + 50 * DAY, "extension_requested", 1),
        step(T0 + 51 * DAY, "preserved", 2),
        step(T0 + 100 * DAY, "preserved", 3, extension="granted"),
    ]
    found = clock(RULE["bc29_preservation"], request(), steps, T0 + 101 * DAY)
    assert found is not None
    assert (found.extensions, found.due_at) == (2, T0 + 180 * DAY)


def test_epoc_pr_is_extended_once_by_thirty_days() -> None:
    steps = [
        step(T0, "preserved"),
        step(T0 + 50 * DAY, "preserved", 1, extension="granted"),
        step(T0 + 80 * DAY, "preserved", 2, extension="granted"),
    ]
    req = request(basis=Basis.EPOC_PR)
    found = clock(RULE["epoc_pr_60d"], req, steps, T0 + 81 * DAY)
    assert found is not None
    assert (found.extensions, found.due_at) == (1, T0 + 90 * DAY)


def test_an_extension_refused_does_not_extend() -> None:
    steps = [
        step(T0, "preserved"),
        step(T0 + 50 * DAY, "extension_requested", 1),
        step(T0 + 51 * DAY, "preserved", 2, extension="refused"),
    ]
    found = clock(RULE["epoc_pr_60d"], request(basis=Basis.EPOC_PR), steps, T0 + 52 * DAY)
    assert found is not None and found.due_at == T0 + 60 * DAY


def test_a_clarification_pauses_and_the_clock_resumes_where_it_stood() -> None:
    req = request(basis=Basis.P2_8, received_at=T0)
    asked = [step(T0 + 10 * DAY, "clarification_requested")]
    paused = clock(RULE["p2_8_serve_45d"], req, asked, T0 + 12 * DAY)
    assert paused is not None
    assert (paused.state, paused.paused, paused.paused_for) == ("paused", True, 2 * DAY)
    assert paused.remaining(T0 + 12 * DAY) == paused.remaining(T0 + 30 * DAY) == 35 * DAY
    answered = [*asked, step(T0 + 13 * DAY, "in_execution", 1)]
    resumed = clock(RULE["p2_8_serve_45d"], req, answered, T0 + 14 * DAY)
    assert resumed is not None
    assert (resumed.state, resumed.paused, resumed.paused_for) == ("running", False, 3 * DAY)
    assert resumed.due_at == T0 + 48 * DAY


def test_a_valid_resubmission_restarts_the_epoc_clock_and_meets_the_correction_window() -> None:
    req = request(basis=Basis.EPOC, received_at=T0)
    steps = [
        step(T0 + 3 * DAY, "clarification_requested"),
        step(T0 + 5 * DAY, "in_execution", 1),
    ]
    epoc = clock(RULE["epoc_10d"], req, steps, T0 + 6 * DAY)
    assert epoc is not None
    assert (epoc.started_at, epoc.due_at) == (T0 + 5 * DAY, T0 + 15 * DAY)
    assert epoc.paused_for == 2 * DAY
    window = clock(RULE["correction_5d"], req, steps, T0 + 6 * DAY)
    assert window is not None
    assert (window.state, window.due_at, window.stopped_at) == ("met", T0 + 8 * DAY, T0 + 5 * DAY)


def test_a_late_correction_breaches_the_window() -> None:
    req = request(basis=Basis.EPOC, received_at=T0)
    steps = [step(T0, "clarification_requested"), step(T0 + 6 * DAY, "in_execution", 1)]
    window = clock(RULE["correction_5d"], req, steps, T0 + 7 * DAY)
    assert window is not None and window.state == "breached"


def test_a_clock_met_when_its_stopping_state_is_reached() -> None:
    req = request(basis=Basis.EPOC, emergency=True, received_at=T0)
    found = clock(RULE["epoc_8h"], req, [step(T0 + 5 * HOUR, "produced")], T0 + DAY)
    assert found is not None
    assert (found.state, found.stopped_at) == ("met", T0 + 5 * HOUR)
    assert found.remaining(T0 + 2 * DAY) == 3 * HOUR


def test_a_rule_not_started_has_no_clock() -> None:
    req = request(basis=Basis.EPOC_PR)
    assert clock(RULE["epoc_pr_60d"], req, [step(T0, "sent")], T0 + HOUR) is None
    assert clocks(req, [step(T0, "sent")], T0 + HOUR) == []


@pytest.mark.parametrize(
    ("spec", "when", "inside"),
    [
        ("24/7", datetime(2026, 5, 10, 3, 0), True),
        ("Mo-Fr 08:00-18:00", datetime(2026, 5, 4, 8, 0), True),
        ("Mo-Fr 08:00-18:00", datetime(2026, 5, 4, 18, 0), False),
        ("Mo-Fr 08:00-18:00", datetime(2026, 5, 9, 10, 0), False),  # a Saturday
        ("Mo-Th 08:00-17:00, Fr 08:00-14:00", datetime(2026, 5, 8, 15, 0), False),
        ("Mo-Th 08:00-17:00, Fr 08:00-14:00", datetime(2026, 5, 7, 15, 0), True),
        ("Mo-Fr 08:00-12:00 13:00-17:00", datetime(2026, 5, 4, 12, 30), False),
        ("Sa-Mo 20:00-24:00", datetime(2026, 5, 10, 23, 59), True),
    ],
)
def test_office_hours_read_in_the_counterparts_zone(
    spec: str, when: datetime, inside: bool
) -> None:
    assert OfficeHours.parse(spec).contains(when.replace(tzinfo=PARIS), "Europe/Paris") is inside


def test_the_due_time_against_the_counterparts_office_hours() -> None:
    received = datetime(2026, 5, 4, 16, 0, tzinfo=UTC)  # due at 00:00 UTC, 20:00 in New York
    found = clock(RULE["urgent_ack"], request(urgent=True, received_at=received), [], received)
    assert found is not None
    assert found.in_office_hours("Mo-Fr 08:00-18:00", "America/New_York") is False
    assert found.in_office_hours("Mo-Fr 08:00-18:00", "Asia/Tokyo") is True  # 09:00 Tuesday
    assert found.in_office_hours("24/7", "America/New_York") is True


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("Mo-Fr 8:00-18:00", "not like"),
        ("Mo-Fx 08:00-18:00", "not a day"),
        ("Mo-Fr 18:00-08:00", "must end after"),
        ("Mo-Fr 08:00-25:00", "not a time of day"),
        ("weekdays", "not like"),
        ("", "not like"),
    ],
)
def test_office_hours_are_parsed_strictly(spec: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        OfficeHours.parse(spec)


@pytest.mark.parametrize("name", ["Europe/Atlantis", "Europe", "A" * 300])
def test_an_unknown_time_zone_is_refused(name: str) -> None:
    """A name that is no zone, a folder of zones, a name too long for a file: each refused."""
    found = clock(RULE["urgent_ack"], request(urgent=True, received_at=T0), [], T0)
    assert found is not None
    with pytest.raises(InvalidValue, match="IANA"):
        found.local_due(name)


def test_an_outgoing_request_is_received_when_delivered_else_when_sent() -> None:
    req = request(urgent=True, direction=Direction.OUTGOING)
    sent = [step(T0, "sent")]
    delivered = [*sent, step(T0 + HOUR, "delivered", 1)]
    by_sent = clock(RULE["urgent_ack"], req, sent, T0 + 2 * HOUR)
    by_delivery = clock(RULE["urgent_ack"], req, delivered, T0 + 2 * HOUR)
    assert by_sent is not None and by_sent.started_at == T0
    assert by_delivery is not None and by_delivery.started_at == T0 + HOUR
