"""Disclosure control (``stats/sdc.py``): primary rules, secondary suppression by the integer
program, the attacker's audit, and the differencing attack across releases; Hypothesis checks
the protected tables against an attacker who enumerates every integer table."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.stats.sdc import Cell, Published, Rule, audit, primary, protect
from tocsin.stats.tables import Record, build, record, spec_of

RULE = Rule(threshold=3)


def cells_1d(values: list[tuple[int, int]]) -> tuple[list[Cell], list[list[int]]]:
    """A column of (incidents, victims) and its total."""
    cells = [
        Cell((f"r{i}",), {"row": frozenset({f"r{i}"})}, v, n, v) for i, (v, n) in enumerate(values)
    ]
    every = frozenset(f"r{i}" for i in range(len(values)))
    total = sum(v for v, _ in values)
    cells.append(Cell(("Total",), {"row": every}, total, sum(n for _, n in values), total))
    return cells, [list(range(len(cells)))]


def test_primary_suppression_by_victims_zeros_and_dominance() -> None:
    cells = [
        Cell(("a",), {}, 40, 2),  # 40 incidents, 2 victims
        Cell(("b",), {}, 0, 0),
        Cell(("c",), {}, 100, 12, 95),  # two victims hold 95 of 100
        Cell(("d",), {}, 30, 12, 10),
    ]
    assert primary(cells, Rule()) == {
        0: "primary: 2 victims, fewer than 10",
        2: "primary: its 2 largest victims hold more than 90%",
    }
    assert 1 in primary(cells, Rule(zeros_disclosive=True))


def test_one_suppressed_cell_beside_a_published_total_is_derived() -> None:
    cells, _ = cells_1d([(2, 2), (7, 7), (9, 9)])
    shown = [
        Published(c.codes, c.value, c.value, c.value, i == 0, "/".join(c.key))
        for i, c in enumerate(cells)
    ]
    (leak,) = audit(shown, RULE)
    assert (leak.label, leak.low, leak.high) == ("r0", 2, 2)


def test_secondary_suppression_protects_the_column() -> None:
    cells, lines = cells_1d([(2, 2), (7, 7), (9, 9), (30, 30)])
    pattern = protect(cells, lines, RULE)
    assert 0 in pattern.cells and len(pattern.cells) >= 2
    assert 1 in pattern.cells  # the cheapest partner: the smallest other cell
    shown = [
        Published(c.codes, c.value, c.value, c.value, i in pattern.cells, "")
        for i, c in enumerate(cells)
    ]
    assert audit(shown, RULE) == []


def _spec(rows: str, first: str, last: str, **rule: object) -> object:
    return spec_of({"name": "t", "rows": rows, "from": first, "to": last, **rule})


def _release(spec: object, records: list[Record]) -> list[Published]:
    table = build(spec, records)  # type: ignore[arg-type]
    pattern = protect(table.cells, table.lines, spec.rule)  # type: ignore[attr-defined]
    return [
        Published(
            c.codes,
            c.value,
            c.value,
            c.value,
            i in pattern.cells,
            "/".join(c.key),
            pattern.reasons.get(i, "").startswith("primary"),
        )
        for i, c in enumerate(table.cells)
    ]


def test_the_differencing_attack_opens_a_month_that_its_own_table_protected() -> None:
    """January–October by sector, then November alone (health suppressed: 2 victims), then
    January–November: the last minus the first gives November's health exactly."""
    rule = {"threshold": 3}
    records = [
        record("phishing", sector, "P3", month, f"{sector}-{month}-{n}")
        for month in ("2026-01", "2026-10", "2026-11")
        for sector, count in (("energy", 6), ("health", 2 if month == "2026-11" else 5))
        for n in range(count)
    ]
    before = _release(_spec("sector", "2026-01", "2026-10", **rule), records)
    november = _release(_spec("sector", "2026-11", "2026-11", **rule), records)
    assert any(c.suppressed for c in november)
    assert audit(before + november, Rule(threshold=3)) == []
    up_to_november = _release(_spec("sector", "2026-01", "2026-11", **rule), records)
    assert not any(c.suppressed for c in up_to_november)  # safe alone
    leaks = audit(before + november + up_to_november, Rule(threshold=3))
    assert "health" in " ".join(leak.label for leak in leaks)


def _integer_range(
    shown: list[Published], rows: int, cols: int, cell: tuple[int, int], most: int
) -> tuple[int, float]:
    """The least and greatest value of ``cell`` over every table of integers 0..most that
    agrees with every published cell (the atoms are the inner cells)."""
    found = []
    for values in itertools.product(range(most + 1), repeat=rows * cols):
        grid = [values[r * cols : (r + 1) * cols] for r in range(rows)]
        ok = True
        for c in shown:
            if c.suppressed:
                continue
            total = sum(
                grid[r][k]
                for r in range(rows)
                for k in range(cols)
                if f"r{r}" in c.codes["row"] and f"c{k}" in c.codes["col"]
            )
            if total != c.value:
                ok = False
                break
        if ok:
            found.append(grid[cell[0]][cell[1]])
    return min(found), (math.inf if max(found) == most else max(found))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 4), min_size=2, max_size=2), min_size=2, max_size=2),
)
def test_a_protected_table_survives_an_attacker_who_tries_every_integer_table(
    grid: list[list[int]],
) -> None:
    rows, cols = len(grid), len(grid[0])
    cells: list[Cell] = []
    index = {}
    all_rows = frozenset(f"r{r}" for r in range(rows))
    all_cols = frozenset(f"c{k}" for k in range(cols))
    for r in [*range(rows), None]:
        for k in [*range(cols), None]:
            codes = {
                "row": all_rows if r is None else frozenset({f"r{r}"}),
                "col": all_cols if k is None else frozenset({f"c{k}"}),
            }
            value = sum(
                grid[i][j]
                for i in range(rows)
                for j in range(cols)
                if (r is None or i == r) and (k is None or j == k)
            )
            index[(r, k)] = len(cells)
            cells.append(Cell((str(r), str(k)), codes, value, value, value))
    lines = [[index[(r, k)] for k in [*range(cols), None]] for r in [*range(rows), None]]
    lines += [[index[(r, k)] for r in [*range(rows), None]] for k in [*range(cols), None]]
    rule = Rule(threshold=3, protection=0.5)
    pattern = protect(cells, lines, rule)
    shown = [
        Published(c.codes, c.value, c.value, c.value, i in pattern.cells, "")
        for i, c in enumerate(cells)
    ]
    most = 8  # above any value plus its protection here: reaching it is "unbounded"
    for (r, k), i in index.items():
        if r is None or k is None or not pattern.reasons.get(i, "").startswith("primary"):
            continue  # the attacker's target: a primary cell
        low, high = _integer_range(shown, rows, cols, (r, k), most)
        p = rule.interval(cells[i].value)
        assert low <= max(0, cells[i].value - p)
        assert high >= cells[i].value + p


def test_rounding_to_five_publishes_multiples_of_five_and_the_audit_knows_the_interval() -> None:
    from tocsin.stats.sdc import published_value

    rule = Rule(threshold=10, rounding=5)
    assert published_value(12, rule) == (10, 8, 12)
    assert published_value(13, rule) == (15, 13, 17)
    cells, lines = cells_1d([(4, 4), (12, 12), (31, 31)])
    pattern = protect(cells, lines, rule)
    shown = []
    for i, c in enumerate(cells):
        _, low, high = published_value(c.value, rule)
        shown.append(Published(c.codes, c.value, low, high, i in pattern.cells, "/".join(c.key)))
    assert 0 in pattern.cells and audit(shown, rule) == []
