"""Disclosure control (``stats/sdc.py``): primary rules, secondary suppression by the integer
program, the attacker's audit, and the differencing attack across releases; Hypothesis checks
the protected tables against an attacker who enumerates every integer table."""

from __future__ import annotations

import itertools
import math

import numpy as np
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
    shown: list[Published], rows: int, cols: int, cell: tuple[int, int] | None, most: int
) -> tuple[int, float]:
    """The least and greatest value of ``cell`` (None: the grand total) over every table of
    integers 0..most that agrees with every published cell (the atoms are the inner cells)."""
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
        if ok and cell is None:  # the grand total: unbounded when an atom can reach ``most``
            found.append(math.inf if most in values else sum(values))
        elif ok and cell is not None:
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
            cells.append(Cell((str(r), str(k)), codes, value, value, min(value, 2)))
    lines = [[index[(r, k)] for k in [*range(cols), None]] for r in [*range(rows), None]]
    lines += [[index[(r, k)] for r in [*range(rows), None]] for k in [*range(cols), None]]
    rule = Rule(threshold=3, protection=0.5)
    pattern = protect(cells, lines, rule)
    shown = [
        Published(c.codes, c.value, c.value, c.value, i in pattern.cells, "")
        for i, c in enumerate(cells)
    ]
    most = 8  # above any value plus its protection here: reaching it is "unbounded"
    _, total = _integer_range(shown, rows, cols, None, most)  # no cell is above the total
    for (r, k), i in index.items():
        if r is None or k is None or not pattern.reasons.get(i, "").startswith("primary"):
            continue  # the attacker's target: a primary cell
        low, high = _integer_range(shown, rows, cols, (r, k), most)
        p = rule.interval(cells[i].value)
        assert low <= max(0, cells[i].value - p)
        assert high >= min(cells[i].value + p, total)


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


def _by_sector(
    truth: dict[tuple[str, str], int], months: frozenset[str], rule: Rule, earlier: list[Published]
) -> tuple[list[Published], set[int]]:
    """A table by sector over ``months`` (each incident its own victim), protected with the
    earlier releases in its audit; its cells as published and its primary cells."""
    sectors = sorted({s for s, _ in truth})
    cells = []
    for held in [*({s} for s in sectors), set(sectors)]:
        value = sum(n for (s, m), n in truth.items() if s in held and m in months)
        codes = {"sector": frozenset(held), "month": months}
        cells.append(Cell((str(sorted(held)),), codes, value, value, min(value, 2)))
    pattern = protect(cells, [list(range(len(cells)))], rule, earlier)
    shown = [
        Published(
            c.codes,
            c.value,
            c.value,
            c.value,
            i in pattern.cells,
            c.key[0],
            pattern.reasons.get(i, "").startswith("primary"),
        )
        for i, c in enumerate(cells)
    ]
    return shown, {i for i, r in pattern.reasons.items() if r.startswith("primary")}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=4, max_size=4))
def test_releases_are_kept_only_when_together_they_survive_an_attacker_who_tries_every_table(
    counts: list[int],
) -> None:
    """Two sectors over two months; October by sector, November by sector, then October to
    November by sector (the differencing attack: the last minus November is October). Each is
    protected with the kept ones in its audit and kept only when the audit of all passes; what
    is kept survives an attacker who tries every integer table of sector × month."""
    atoms = [(s, m) for s in ("s0", "s1") for m in ("oct", "nov")]
    truth = dict(zip(atoms, counts, strict=True))
    rule = Rule(threshold=3, protection=0.5)
    published: list[Published] = []
    targets: list[Published] = []
    for months in ({"oct"}, {"nov"}, {"oct", "nov"}):
        shown, primary_cells = _by_sector(truth, frozenset(months), rule, published)
        if not audit(published + shown, rule):
            published += shown
            targets += [shown[i] for i in primary_cells]
    most = 13  # above any value (8 at most) plus its protection (4 at most)
    tables = np.array(list(itertools.product(range(most + 1), repeat=4)))

    def sums(cell: Published) -> np.ndarray:
        return tables @ np.array([1 if _holds(cell, a) else 0 for a in atoms])

    consistent = np.ones(len(tables), dtype=bool)
    for cell in published:
        if not cell.suppressed:
            consistent &= sums(cell) == cell.value
    reaches = (tables[consistent] == most).any(axis=1)  # an atom at the edge: unbounded
    total = math.inf if reaches.any() else float(tables[consistent].sum(axis=1).max())
    for cell in targets:
        values = sums(cell)[consistent]
        p = rule.interval(cell.value)
        assert values.min() <= max(0, cell.value - p)
        assert values.max() >= min(cell.value + p, total)  # no cell is above the total


def _holds(cell: Published, atom: tuple[str, str]) -> bool:
    return atom[0] in cell.codes["sector"] and atom[1] in cell.codes["month"]
