"""The yearly figures of requests for assistance: the Art. 28 table of a fixture set to the
character, fixed dimensions with empty rows, the year on the wall clock of a zone, emergencies in
their row and the total, the time to data and its rule, the 24/7 KPIs and turnaround."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.assist_figures import CONTACTS, REQUESTS, STEPS, at, request, sent, step
from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.figures import TABLES, TOTAL, Figures, figures, to_csv
from tocsin.model.assist.request import Direction
from tocsin.model.assist.states import Ground, Reason, State

EXPECTED = Path(__file__).resolve().parents[1] / "samples" / "assist" / "art28_2026_paris.csv"
GROUNDS = ("political_offence", "essential_interests", "fundamental_rights")
REASONS = ("Incomplete", "DataNotHeld")


def fixture(year: int = 2026, tz: str = "Europe/Paris") -> Figures:
    return figures(REQUESTS, STEPS, CONTACTS, year, tz, grounds=GROUNDS, reasons=REASONS)


def row(result: Figures, table: str, **where: str) -> dict[str, object]:
    found = [r for r in result.table(table).records() if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, where
    return found[0]


def test_the_fixture_set_makes_the_art28_table_written_by_hand() -> None:
    assert to_csv(fixture().table("art28")) == EXPECTED.read_text(encoding="utf-8")


def test_every_table_has_all_its_rows_even_with_no_request() -> None:
    """Empty categories are rows of zeros: the same shape with no request as with fourteen."""
    empty = figures([], {}, CONTACTS, 2026, "Europe/Paris", grounds=GROUNDS, reasons=REASONS)
    full = fixture()
    for table in full.tables:
        assert len(empty.table(table.name).rows) == len(table.rows), table.name
    art28 = empty.table("art28")
    assert len(art28.rows) == 2 * 5 * 3 * 3  # instrument × data × country × emergency
    assert {r["issued"] for r in art28.records()} == {0}
    assert {r["hours_to_data"] for r in art28.records()} == {None}


def test_an_unused_basis_ground_and_category_still_have_their_rows() -> None:
    result = fixture()
    assert (
        row(
            result, "requests", basis="P2-10", direction="incoming", country=TOTAL, emergency=TOTAL
        )["requests"]
        == 0
    )
    assert (
        row(result, "refusals", basis="BC-29", direction="outgoing", ground="political_offence")[
            "refused"
        ]
        == 0
    )
    assert (
        row(
            result,
            "art28",
            instrument="EPOC-PR",
            data="identification",
            country=TOTAL,
            emergency=TOTAL,
        )["issued"]
        == 0
    )
    assert row(result, "turnaround_data", direction="incoming", data="content")["answered"] == 0


def test_a_request_sent_on_31_december_2330_utc_counts_in_the_next_year_in_paris() -> None:
    late = [r for r in REQUESTS if r.id == 9]

    def issued(year: int, tz: str) -> object:
        result = figures(late, STEPS, CONTACTS, year, tz)
        return row(result, "art28", instrument="EPOC", data=TOTAL, country=TOTAL, emergency=TOTAL)[
            "issued"
        ]

    assert issued(2027, "Europe/Paris") == 1
    assert issued(2026, "Europe/Paris") == 0
    assert issued(2026, "UTC") == 1


def test_an_emergency_epoc_counts_in_the_emergency_row_and_in_the_total() -> None:
    only = [r for r in REQUESTS if r.id == 3]
    result = figures(only, STEPS, CONTACTS, 2026, "Europe/Paris")
    at_de = {"instrument": "EPOC", "data": "subscriber", "country": "DE"}
    assert row(result, "art28", **at_de, emergency="yes")["issued"] == 1
    assert row(result, "art28", **at_de, emergency="no")["issued"] == 0
    assert row(result, "art28", **at_de, emergency=TOTAL)["issued"] == 1
    assert row(result, "art28", **at_de, emergency=TOTAL)["derogation"] == 1


def test_time_to_data_counts_hours_from_sending_and_keeps_the_clarification_pause() -> None:
    """Issuance to the first produced step: 10 days with a day of clarification inside is 240 h,
    not 216 h."""
    only = [r for r in REQUESTS if r.id == 2]
    result = figures(only, STEPS, CONTACTS, 2026)
    assert (
        row(result, "art28", instrument="EPOC", data="traffic", country="IE", emergency="no")[
            "hours_to_data"
        ]
        == 240.0
    )


def test_time_to_data_of_an_incoming_request_starts_when_it_reached_us() -> None:
    result = fixture()
    assert row(result, "turnaround_basis", direction="incoming", basis="BC-29") == {
        "direction": "incoming",
        "basis": "BC-29",
        "answered": 1,
        "hours_median": 24.0,
        "hours_average": 24.0,
    }


def test_an_epoc_preserved_has_not_yet_given_its_data() -> None:
    """For an order to produce, preservation is not the data: only produced or partly executed."""
    epoc = request(20, Basis.EPOC, 2, sent_at=at(3, 1, 0))
    steps = {20: [sent(20, at(3, 1, 0)), step(20, at(3, 1, 2), State.PRESERVED)]}
    result = figures([epoc], steps, CONTACTS, 2026)
    found = row(result, "art28", instrument="EPOC", data=TOTAL, country="IE", emergency="no")
    assert (found["complied"], found["hours_to_data"]) == (0, None)


def test_a_preservation_withdrawn_after_it_was_kept_stays_complied_with() -> None:
    kept = request(21, Basis.EPOC_PR, 2, sent_at=at(3, 1, 0))
    steps = {
        21: [
            sent(21, at(3, 1, 0)),
            step(21, at(3, 1, 3), State.PRESERVED),
            step(21, at(4, 1, 0), State.WITHDRAWN),
        ]
    }
    result = figures([kept], steps, CONTACTS, 2026)
    found = row(
        result, "requests", basis="EPOC-PR", direction="outgoing", country="IE", emergency="no"
    )
    assert (found["preserved"], found["withdrawn"], found["hours_to_data_average"]) == (1, 0, 3.0)


def test_turnaround_median_and_average_per_basis() -> None:
    # Outgoing EPOCs of 2026 with their data: 6, 36, 72, 192 and 240 hours.
    assert row(fixture(), "turnaround_basis", direction="outgoing", basis="EPOC") == {
        "direction": "outgoing",
        "basis": "EPOC",
        "answered": 5,
        "hours_median": 72.0,
        "hours_average": 109.2,
    }


def test_the_24_7_kpis_acknowledgement_within_8_hours_and_preservations() -> None:
    result = fixture()
    # Outgoing urgent or emergency: 3 (in time: 3 h), 5 (5 h), 8 (4 h) and 12 (9 h 55: late).
    assert row(result, "kpi", direction="outgoing", country=TOTAL) == {
        "direction": "outgoing",
        "country": TOTAL,
        "urgent": 4,
        "acknowledged_8h": 3,
        "acknowledged_8h_pct": 75.0,
        "preservations": 3,  # 6 and 8 preserved, 12 refused
        "preserved": 2,
        "preserved_pct": 66.7,
    }
    incoming = row(result, "kpi", direction="incoming", country="DE")
    assert (incoming["acknowledged_8h_pct"], incoming["preserved_pct"]) == (100.0, 100.0)
    assert row(result, "kpi", direction="incoming", country="IE")["acknowledged_8h_pct"] is None


def test_refusals_and_non_execution_by_their_code() -> None:
    result = fixture()
    assert (
        row(result, "refusals", basis="BC-29", direction="outgoing", ground="essential_interests")[
            "refused"
        ]
        == 1
    )
    assert (
        row(result, "refusals", basis="EPOC", direction="outgoing", ground="fundamental_rights")[
            "refused"
        ]
        == 1
    )
    assert (
        row(result, "non_execution", basis="EPOC", direction="outgoing", reason="DataNotHeld")[
            "not_executed"
        ]
        == 1
    )
    grounds = result.table("art28_grounds")
    assert (
        row(
            result,
            "art28_grounds",
            instrument="EPOC",
            data="traffic",
            country="DE",
            emergency="no",
            ground="fundamental_rights",
        )["not_complied"]
        == 1
    )
    assert (
        row(
            result,
            "art28_grounds",
            instrument="EPOC",
            data="identification",
            country=TOTAL,
            emergency=TOTAL,
            ground="DataNotHeld",
        )["not_complied"]
        == 1
    )
    assert len(grounds.rows) == 2 * 5 * 3 * 3 * 5  # … × (3 grounds + 2 reasons)


def test_the_closed_lists_of_grounds_and_reasons_are_the_default_rows() -> None:
    result = figures(REQUESTS, STEPS, CONTACTS, 2026, "Europe/Paris")
    refusals = {r["ground"] for r in result.table("refusals").records()}
    reasons = {r["reason"] for r in result.table("non_execution").records()}
    assert refusals == {g.value for g in Ground}
    assert reasons == {r.value for r in Reason}
    assert (
        row(
            result,
            "refusals",
            basis="EPOC",
            direction="outgoing",
            ground=Ground.NE_BIS_IN_IDEM.value,
        )["refused"]
        == 0
    )


def test_a_code_outside_the_lists_and_a_counterpart_outside_the_directory_get_rows() -> None:
    odd = request(30, Basis.BC_31, None, sent_at=at(5, 5, 5), outcome="no_treaty")
    steps = {30: [sent(30, at(5, 5, 5)), step(30, at(5, 6, 5), State.REFUSED)]}
    result = figures([odd], steps, CONTACTS, 2026, grounds=GROUNDS)
    assert (
        row(result, "refusals", basis="BC-31", direction="outgoing", ground="no_treaty")["refused"]
        == 1
    )
    assert (
        row(result, "requests", basis="BC-31", direction="outgoing", country="ZZ", emergency=TOTAL)[
            "refused"
        ]
        == 1
    )


def test_the_requests_table_counts_outcomes_by_basis_and_direction() -> None:
    found = row(
        fixture(), "requests", basis="EPOC", direction="outgoing", country="IE", emergency=TOTAL
    )
    # 1, 2 and 7 produced, 5 not executed, 13 withdrawn (14 never sent).
    assert (found["requests"], found["produced"], found["not_executed"], found["withdrawn"]) == (
        5,
        3,
        1,
        1,
    )
    assert found["hours_to_data_median"] == 192.0


def test_json_holds_every_table_with_its_rows() -> None:
    result = fixture()
    data = json.loads(result.to_json())
    assert data["year"] == 2026 and data["timezone"] == "Europe/Paris"
    assert [t["name"] for t in data["tables"]] == list(result.names) == list(TABLES)
    art28 = data["tables"][0]
    assert art28["source"].startswith("Regulation (EU) 2023/1543 Art. 28(2)")
    assert art28["rows"][-1] == {
        "instrument": "EPOC-PR",
        "data": TOTAL,
        "country": TOTAL,
        "emergency": TOTAL,
        "issued": 2,
        "derogation": 0,
        "complied": 2,
        "not_complied": 0,
        "notified": 0,
        "hours_to_data": 5.0,
        "hours_to_production_request": 720.0,
    }


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "x" * 300, ""])
def test_an_unknown_zone_is_refused(name: str) -> None:
    """A name that is no zone, a folder of the zone database, or too long for a file."""
    with pytest.raises(InvalidValue):
        figures(REQUESTS, STEPS, CONTACTS, 2026, name)


def test_an_incoming_epoc_is_not_an_order_we_issued() -> None:
    """Art. 28 counts the orders a desk issued; one received is in the requests table only."""
    theirs = replace(REQUESTS[0], id=40, direction=Direction.INCOMING, received_at=at(3, 2, 9))
    result = figures([theirs], {40: STEPS[1]}, CONTACTS, 2026)
    assert (
        row(result, "art28", instrument="EPOC", data=TOTAL, country=TOTAL, emergency=TOTAL)[
            "issued"
        ]
        == 0
    )
    assert (
        row(result, "requests", basis="EPOC", direction="incoming", country="IE", emergency="no")[
            "produced"
        ]
        == 1
    )
