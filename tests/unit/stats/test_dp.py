"""Differential privacy (``stats/dp.py``): the L1 sensitivity of a table's whole vector of cells
(measured on real tables), the scale of the noise and OpenDP's privacy map of it, each victim's
incidents clamped to the table's contributions, noisy counts that are non-negative integers, the
published accuracy as OpenDP computes it and as the sampler keeps it, the declaration's settings,
and the year's ledger."""

from __future__ import annotations

import math

import opendp.prelude as opendp
import pytest

from tocsin.errors import Conflict, InvalidValue
from tocsin.stats import dp
from tocsin.stats.tables import Record, Spec, Table, build, record, spec_of, stored_spec


def _spec(columns: str | None = None, **more: object) -> Spec:
    declared: dict[str, object] = {"name": "t", "rows": "sector", "from": "2026-11"}
    declared |= {"method": "dp", "epsilon": 0.5} | more
    if columns:
        declared["columns"] = columns
    return spec_of(declared)


def _incident(victim: str, sector: str = "energy", priority: str = "P3") -> Record:
    return record("phishing", sector, priority, "2026-11", victim)


def _l1(a: Table, b: Table) -> int:
    return sum(abs(x.value - y.value) for x, y in zip(a.cells, b.cells, strict=True))


@pytest.mark.parametrize(("columns", "cells_of_one"), [(None, 2), ("priority", 4)])
def test_the_sensitivity_is_the_cells_one_incident_moves_and_sets_the_scale(
    columns: str | None, cells_of_one: int
) -> None:
    """One incident more moves exactly 2 cells (its row and the total) of a table of one
    dimension, 4 of two; one victim's ``contributions`` incidents move the vector by
    sensitivity × contributions in L1, which the scale is made of; OpenDP's privacy map of the
    measurement at that distance is within epsilon."""
    spec = _spec(columns, contributions=3)
    others = [_incident(f"v{n}", sector) for n, sector in enumerate(("energy", "health") * 4)]
    before = build(spec, others)
    one_more = build(spec, [*others, _incident("new", "transport", "P1")])
    assert dp.sensitivity(before) == cells_of_one == _l1(before, one_more)
    victim = [_incident("new", sector, p) for sector, p in (("health", "P1"), ("energy", "P2"))]
    victim.append(_incident("new", "banking", "P4"))
    with_victim = build(spec, [*others, *victim])
    assert _l1(before, with_victim) == cells_of_one * 3

    found = dp.parameters(before)
    assert (found.epsilon, found.contributions, found.sensitivity) == (0.5, 3, cells_of_one)
    assert found.scale == pytest.approx(cells_of_one * 3 / 0.5, rel=1e-12)
    assert found.scale >= cells_of_one * 3 / 0.5
    measured = dp.measurement(len(before.cells), found.scale)
    assert measured.map(cells_of_one * 3) <= 0.5


def test_a_victim_with_fifty_incidents_adds_at_most_its_contributions() -> None:
    spec = _spec(contributions=3)
    records = [_incident("big", "health") for _ in range(50)]
    records += [_incident(f"small-{n}", "energy") for n in range(4)]
    records.append(record("phishing", "energy", "P3", "2026-10", "outside"))  # not the period
    kept, left_out = dp.clamp(records, spec.contributions, set(spec.months))
    assert (len(kept), left_out) == (7, 47)
    table = build(spec, kept)
    values = {cell.key: cell.value for cell in table.cells}
    assert values[("health",)] == 3 and values[("energy",)] == 4 and values[("Total",)] == 7
    assert dp.clamp(records, 1, set(spec.months))[1] == 49


def test_noisy_counts_are_non_negative_integers_and_are_noisy() -> None:
    """Mostly empty cells with a large scale (epsilon 0.1: scale 60): noise below zero is shown
    as 0; the counts that are not empty do not all come out as counted."""
    spec = _spec(epsilon=0.1)
    table = build(spec, [_incident(f"v{n}", "energy") for n in range(40)])
    drawn = dp.noisy(table)
    assert len(drawn.shown) == len(table.cells)
    assert all(type(v) is int and v >= 0 for v in drawn.shown)
    assert 0 in drawn.shown  # an empty sector's negative noise, shown 0 (or noise of 0)
    repeated = [dp.noisy(table).shown for _ in range(5)]
    assert any(shown != tuple(c.value for c in table.cells) for shown in repeated)


def test_the_published_accuracy_is_opendps_and_the_sampler_keeps_it() -> None:
    table = build(_spec("priority", epsilon=1.0), [_incident("v", "energy")])
    found = dp.parameters(table)
    assert found.accuracy95 == opendp.discrete_laplacian_scale_to_accuracy(found.scale, 0.05)
    assert found.as_dict() == {
        "kind": "dp",
        "epsilon": 1.0,
        "contributions": 3,
        "sensitivity": 4,
        "scale": found.scale,
        "accuracy95": found.accuracy95,
    }
    # 4,000 cells far from zero (nothing cut at 0): at least 95 % within the accuracy, give or
    # take six standard deviations of the share
    counted = [1000] * 4000
    drawn = dp.measurement(len(counted), found.scale)(counted)
    within = sum(abs(v - 1000) <= found.accuracy95 for v in drawn) / len(drawn)
    assert within >= 0.93


def test_the_declaration_names_what_is_wrong() -> None:
    spec = _spec("priority", epsilon=0.25, contributions=5)
    assert spec.dp and spec.as_dict()["method"] == "dp"
    assert (spec.as_dict()["epsilon"], spec.as_dict()["contributions"]) == (0.25, 5)
    assert spec_of(spec.as_dict()) == spec
    assert _spec(epsilon=1).contributions == dp.DEFAULT_CONTRIBUTIONS
    plain = spec_of({"name": "t", "rows": "sector", "from": "2026-11"})
    assert plain.method == "suppression" and "epsilon" not in plain.as_dict()
    older = {k: v for k, v in plain.as_dict().items() if k != "method"}  # kept before dp
    assert stored_spec(older).method == "suppression"
    assert stored_spec(spec.as_dict() | {"noise": {"scale": 1.0}}) == spec
    wrong: list[tuple[dict[str, object], str]] = [
        ({"method": "noise"}, "method"),
        ({"epsilon": 0}, "epsilon"),
        ({"epsilon": -1.0}, "epsilon"),
        ({"epsilon": "0.5"}, "epsilon"),
        ({"epsilon": True}, "epsilon"),
        ({"epsilon": math.inf}, "epsilon"),
        ({"epsilon": None}, "epsilon"),
        ({"contributions": 0}, "contributions"),
        ({"contributions": 2.5}, "contributions"),
        ({"rounding": 5}, "rounding"),
        ({"noise": {"scale": 1.0}}, "noise"),
    ]
    for more, key in wrong:
        with pytest.raises(InvalidValue) as refused:
            _spec(**more)
        assert refused.value.field == key, more
    for key, value in (("epsilon", 0.5), ("contributions", 3)):
        with pytest.raises(InvalidValue) as refused:
            spec_of({"name": "t", "rows": "sector", "from": "2026-11", key: value})
        assert refused.value.field == key


def _kept(id_: int, state: str, first: str, last: str, epsilon: float | None) -> dict[str, object]:
    spec: dict[str, object] = {"from": first, "to": last, "method": "suppression"}
    if epsilon is not None:
        spec |= {"method": "dp", "epsilon": epsilon}
    return {"id": id_, "name": f"r{id_}", "state": state, "spec": spec}


def test_the_ledger_sums_the_kept_dp_releases_of_each_year_they_touch() -> None:
    kept = [
        _kept(1, "published", "2025-11", "2026-02", 0.25),  # touches 2025 and 2026
        _kept(2, "pending", "2026-05", "2026-05", 0.5),
        _kept(3, "refused", "2026-06", "2026-06", 0.5),  # gives its epsilon back
        _kept(4, "published", "2026-07", "2026-07", None),  # suppression: no epsilon
        _kept(5, "published", "2027-01", "2027-03", 0.125),
    ]
    year = dp.ledger(kept, 2026, 1.0)
    assert [r["id"] for r in year.releases] == [1, 2]
    assert (year.spent, year.left) == (0.75, 0.25)
    assert dp.ledger(kept, 2025, 1.0).spent == 0.25
    assert dp.ledger(kept, 2024, 1.0).releases == ()
    assert dp.ledger(kept, 2026, 1.0).as_dict()["spent"] == 0.75
    dp.afford(kept, _spec(epsilon=0.25), 1.0)  # exactly the budget: allowed
    with pytest.raises(Conflict, match=r"2026 is 1; 0\.75 is spent .* asks epsilon 0\.5"):
        dp.afford(kept, _spec(epsilon=0.5), 1.0)
    across = spec_of(
        {"name": "t", "rows": "sector", "from": "2025-12", "to": "2026-01", "method": "dp"}
        | {"epsilon": 0.5}
    )
    with pytest.raises(Conflict, match="2026"):  # fits 2025 (0.25 spent), not 2026
        dp.afford(kept, across, 1.0)
    tenths = [_kept(n, "published", "2026-01", "2026-01", 0.1) for n in range(1, 10)]
    dp.afford(tenths, _spec(epsilon=0.1), 1.0)  # 0.1 ten times is the budget, float sums aside


def test_tables_released_together_share_the_years_budget() -> None:
    """Each of two dp tables fits the year alone; together (a template's tables) they do not,
    and the second is named; a suppression table among them spends nothing."""
    first, second = (
        _spec(epsilon=0.5),
        spec_of(
            {
                "name": "second",
                "rows": "priority",
                "from": "2026-11",
                "method": "dp",
                "epsilon": 0.75,
            }
        ),
    )
    plain = spec_of({"name": "plain", "rows": "sector", "from": "2026-11"})
    dp.afford_together([first, plain], [], 1.0)
    dp.afford_together([second], [], 1.0)
    with pytest.raises(Conflict, match=r"second: .* 0\.5 is spent .* asks epsilon 0\.75"):
        dp.afford_together([first, plain, second], [], 1.0)
