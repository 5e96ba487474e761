"""Disclosure control for the desk's published tables: primary suppression, secondary suppression
as a small integer program, and the attacker's audit by linear programming — of one table, and
of a table together with every release published before it (the differencing attack).

The model. Every published figure is a count of incidents (additive: a margin is the sum of its
parts). A table's cells and margins are sums over *atoms*: the finest cells of a universe of
dimensions (for example sector × month). A cell is known by the codes it fixes in each dimension
(a month range is a set of months); it sums the atoms whose codes it holds. An attacker knows
every published cell of every release (exactly, or as an interval when rounded) and that atoms
are never negative; for a suppressed cell they compute, by linear programming, the least and the
greatest value it can have. A primary cell is protected when that range covers its protection
interval ``[v - p, v + p]`` (cut at 0, and above at the most the grand total can be: no cell
exceeds it), ``p = ceil(protection × max(v, threshold))``.

- **Primary**: a cell with fewer distinct victims than the threshold (a victim with 20 incidents
  counts once), a zero where the table says zeros are disclosive, or one whose two largest
  victims hold more than 90 % of it (dominance, n = 2, k = 90 %).
- **Secondary**: the fewest-incidents set of further cells such that every additive relation
  (a line: its parts, then its margin) holding a suppressed cell holds at least two, and the
  other suppressed cells of a primary cell's line can absorb its protection interval, found by
  ``scipy.optimize.milp`` (HiGHS); then audited; while a suppressed cell is not protected, a cut
  ("at least one more cell than this pattern") is added and the program solved again. Only
  suppressing more can widen a range, so the loop ends, at worst with every cell suppressed.
- **Across releases**: ``audit`` over the cells of this release and of every earlier one. The
  release is refused when a suppressed cell (its own or an earlier one's) is narrowed below its
  protection interval.

The LP relaxation gives ranges at least as wide as the integer ones (as τ-ARGUS's audit does).

One module past 400 lines: the secondary suppression's integer program and the attacker's
audit are two halves of one loop (each pattern is audited, each failed audit cuts the program).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix, vstack

Codes = Mapping[str, frozenset[str]]  # dimension -> the codes a cell holds there


@dataclass(frozen=True, slots=True)
class Rule:
    threshold: int = 10  # fewest distinct victims a published cell stands for
    zeros_disclosive: bool = False
    dominance_n: int = 2
    dominance_k: float = 0.90
    protection: float = 0.5  # the protection interval's half-width, as a share
    rounding: int = 0  # 0: exact; 5: to the nearest 5 (the "10-5 rule" with threshold 10)

    def interval(self, value: int) -> int:
        return max(1, math.ceil(self.protection * max(value, self.threshold)))


@dataclass(frozen=True, slots=True)
class Cell:
    key: tuple[str, ...]  # its codes in its table, "Total" for a margin
    codes: Codes  # what it sums
    value: int  # incidents
    victims: int = 0  # distinct victims behind them
    top: int = 0  # incidents of its ``dominance_n`` largest victims


@dataclass(frozen=True, slots=True)
class Published:
    """A cell as the attacker knows it: its codes and its value, or an interval when rounded;
    or, suppressed, its codes and its true value (kept by Tocsin to audit later releases)."""

    codes: Codes
    value: int
    low: int
    high: int
    suppressed: bool
    label: str = ""
    sensitive: bool | None = None  # needs its protection interval (None: when suppressed)

    @property
    def protected(self) -> bool:
        """Whether the audit checks its interval: a primary cell (a secondary one is hidden
        only to shield the primary ones)."""
        return self.suppressed if self.sensitive is None else self.sensitive


@dataclass(frozen=True, slots=True)
class Leak:
    label: str
    value: int
    low: float
    high: float
    needed: tuple[int, int]

    def line(self) -> str:
        high = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return (
            f"{self.label}: an attacker bounds it to [{self.low:g}, {high}], "
            f"inside the protection interval [{self.needed[0]}, {self.needed[1]}]"
        )


@dataclass(slots=True)
class Pattern:
    """Which cells of a table are suppressed, and why."""

    reasons: dict[int, str] = field(default_factory=dict)
    rounds: int = 0  # integer programs solved

    @property
    def cells(self) -> set[int]:
        return set(self.reasons)


def primary(cells: Sequence[Cell], rule: Rule) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell.value == 0:
            if rule.zeros_disclosive:
                found[i] = "primary: a zero, disclosive in this table"
        elif cell.victims < rule.threshold:
            found[i] = f"primary: {cell.victims} victims, fewer than {rule.threshold}"
        elif cell.victims > rule.dominance_n and cell.top > rule.dominance_k * cell.value:
            found[i] = (
                f"primary: its {rule.dominance_n} largest victims hold more than "
                f"{rule.dominance_k:.0%}"
            )
    return found


def published_value(value: int, rule: Rule) -> tuple[int, int, int]:
    """(shown, low, high): what a published cell says, and what it lets an attacker know."""
    if rule.rounding <= 1:
        return value, value, value
    base = rule.rounding
    shown = int(base * math.floor(value / base + 0.5))
    half = base // 2
    return shown, max(0, shown - half), shown + half


def protect(
    cells: Sequence[Cell],
    lines: Sequence[Sequence[int]],
    rule: Rule,
    earlier: Sequence[Published] = (),
    *,
    max_rounds: int = 200,
) -> Pattern:
    """Primary, then secondary suppression of one table; ``earlier`` releases count in the
    audit of each candidate pattern, so a pattern that would open an earlier one is not kept."""
    pattern = Pattern(primary(cells, rule))
    sensitive = set(pattern.reasons)
    if not pattern.reasons and not audit([*_as_published(cells, set(), rule), *earlier], rule):
        return pattern
    n = len(cells)
    program = _Program(n, lines, fixed=set(pattern.reasons))
    for line in lines:  # room for each primary cell to move within its line
        program.capacity(line, cells, {i: rule.interval(cells[i].value) for i in sensitive})
    cost = np.array([c.value + 1.0 for c in cells])
    while pattern.rounds < max_rounds:
        pattern.rounds += 1
        chosen = program.solve(cost)
        if chosen is None:
            break
        if not audit([*_as_published(cells, chosen, rule, sensitive), *earlier], rule):
            for i in sorted(chosen - set(pattern.reasons)):
                pattern.reasons[i] = "secondary: so that suppressed cells cannot be derived"
            return pattern
        if not program.cut(chosen):
            break
    for i in range(n):  # nothing smaller protects it: the whole table is withheld
        pattern.reasons.setdefault(i, "secondary: the table cannot be protected otherwise")
    return pattern


class _Program:
    """The integer program of secondary suppression: a 0/1 variable a cell, the primary ones
    fixed to 1, every line holding a suppressed cell holding another, and the cuts added."""

    def __init__(self, n: int, lines: Sequence[Sequence[int]], fixed: set[int]) -> None:
        self.n = n
        self.rows: list[np.ndarray] = []
        self.low: list[float] = []
        for line in lines:
            for i in line:
                row = np.zeros(n)
                row[list(line)] = 1.0
                row[i] = -1.0
                self.rows.append(row)
                self.low.append(0.0)
        self.fixed = np.zeros(n)
        self.fixed[sorted(fixed)] = 1.0

    def capacity(self, line: Sequence[int], cells: Sequence[Cell], needs: dict[int, int]) -> None:
        """For each primary cell of ``line`` (its parts, then its margin): the other suppressed
        cells of the line can absorb its protection interval — their values, or the whole
        interval for the margin (a hidden total lets a part move freely)."""
        margin = line[-1]
        for i in line:
            if i not in needs:
                continue
            row = np.zeros(self.n)
            for j in line:
                if j != i:
                    row[j] = float(needs[i]) if j == margin or i == margin else cells[j].value
            self.rows.append(row)
            self.low.append(float(needs[i]))

    def solve(self, cost: np.ndarray) -> set[int] | None:
        constraints = [LinearConstraint(np.array(self.rows), self.low, np.inf)] if self.rows else []
        found = milp(
            cost,
            constraints=constraints,
            integrality=np.ones(self.n),
            bounds=Bounds(self.fixed, np.ones(self.n)),
        )
        if found.x is None:
            return None
        return {i for i in range(self.n) if found.x[i] > 0.5}

    def cut(self, chosen: set[int]) -> bool:
        """At least one cell more than ``chosen``: any pattern that protects holds one (less
        suppression never widens a range). False when every cell is in it already."""
        row = np.array([0.0 if i in chosen else 1.0 for i in range(self.n)])
        if not row.any():
            return False
        self.rows.append(row)
        self.low.append(1.0)
        return True


def _as_published(
    cells: Sequence[Cell], suppressed: set[int], rule: Rule, sensitive: set[int] | None = None
) -> list[Published]:
    out = []
    for i, c in enumerate(cells):
        _, low, high = published_value(c.value, rule)
        needs = None if sensitive is None else i in sensitive
        out.append(Published(c.codes, c.value, low, high, i in suppressed, "/".join(c.key), needs))
    return out


MAX_ATOMS = 2_000_000  # past it the releases together are too fine to audit: refused, named


class TooFine(ValueError):
    """The releases together break the counts down too finely for the audit to be solved."""


def audit(cells: Sequence[Published], rule: Rule) -> list[Leak]:
    """Every suppressed cell an attacker can bound inside its protection interval, knowing every
    published cell (all the releases given) and that no count is negative.

    Cells that count different things (their codes in ``measure`` are disjoint: incidents,
    victims of a period, requests) never constrain one another and are audited apart."""
    groups: dict[frozenset[str], list[Published]] = {}
    for cell in cells:
        groups.setdefault(cell.codes.get("measure", frozenset()), []).append(cell)
    leaks: list[Leak] = []
    for group in groups.values():
        leaks += _audit(group, rule)
    return leaks


def _audit(cells: Sequence[Published], rule: Rule) -> list[Leak]:
    if not any(c.suppressed and c.protected for c in cells):
        return []
    found, most = _ranges(cells, lambda c: c.protected)
    return [leak for i, bounds in found.items() for leak in _leak(cells[i], bounds, rule, most)]


def ranges(
    cells: Sequence[Published], which: Callable[[Published], bool] = lambda c: True
) -> dict[int, tuple[float, float]]:
    """The least and greatest value an attacker can give each suppressed cell (``_ranges``)."""
    return _ranges(cells, which)[0]


def _ranges(
    cells: Sequence[Published], which: Callable[[Published], bool]
) -> tuple[dict[int, tuple[float, float]], float]:
    """The least and greatest value an attacker can give each suppressed cell (of those
    ``which`` chooses), by its index, knowing every published cell and that no count is negative.

    Solved by parts. Dimensions that no published cell ties together (a table by month,
    another by sector) are independent but for the grand total: whatever counts by month and by
    sector agree on the total, some table of month × sector has them as its margins. So the
    dimensions fall into groups (two dimensions a cell restricts together are of one group),
    each group's cells are solved over that group's atoms alone, and the groups meet only
    through the grand total's range: the LP over all dimensions at once, in far fewer
    variables (``tests/unit/stats/test_tables.py`` checks the two agree)."""
    parts, grand = _by_parts(cells)
    total = [0.0, math.inf]
    for i in grand:
        if not cells[i].suppressed:
            total = [max(total[0], cells[i].low), min(total[1], cells[i].high)]
    solved = [(_Part([c for _, c in part]), [i for i, _ in part]) for part in parts.values()]
    if total[0] < total[1]:  # each part's own constraints bound the grand total too
        for part, _ in solved:
            low, high = part.bounds(np.ones(part.space.size), None)
            total = [max(total[0], low), min(total[1], high)]
    found: dict[int, tuple[float, float]] = {}
    for part, indexes in solved:
        for cell, i in zip(part.cells, indexes, strict=True):
            if cell.suppressed and which(cells[i]):
                found[i] = part.bounds(part.space.row(cell.codes), total)
    for i in grand:
        if cells[i].suppressed and which(cells[i]):
            found[i] = (total[0], total[1])
    return dict(sorted(found.items())), total[1]


def _by_parts(
    cells: Sequence[Published],
) -> tuple[dict[str, list[tuple[int, Published]]], list[int]]:
    """The cells by group of dimensions, with their indexes (each cell's codes narrowed to the
    dimensions it restricts), and the indexes of the cells that restrict none (grand totals)."""
    universe: dict[str, set[str]] = {}
    for cell in cells:
        for dim, codes in cell.codes.items():
            universe.setdefault(dim, set()).update(codes)
    group = {dim: dim for dim in universe}

    def root(dim: str) -> str:
        while group[dim] != dim:
            dim = group[dim] = group[group[dim]]
        return dim

    narrowed: list[dict[str, frozenset[str]]] = []
    for cell in cells:
        codes = {d: frozenset(c) for d, c in cell.codes.items() if not universe[d] <= set(c)}
        dims = sorted(codes)
        for dim in dims[1:]:
            group[root(dim)] = root(dims[0])
        narrowed.append(codes)
    parts: dict[str, list[tuple[int, Published]]] = {}
    grand: list[int] = []
    for i, (cell, codes) in enumerate(zip(cells, narrowed, strict=True)):
        if not codes:
            grand.append(i)
            continue
        kept = Published(
            codes, cell.value, cell.low, cell.high, cell.suppressed, cell.label, cell.sensitive
        )
        parts.setdefault(root(next(iter(codes))), []).append((i, kept))
    return parts, grand


def _leak(
    cell: Published, found: tuple[float, float], rule: Rule, most: float = math.inf
) -> list[Leak]:
    """A leak when the attacker's range misses the protection interval. Its upper end is cut at
    the most the grand total can be (``most``, the attacker's bound): no cell exceeds the total,
    so a cell bounded only by the total is as protected above as it can be (a small desk whose
    feeds bring nearly all its incidents would otherwise never publish a table by reporter)."""
    p = rule.interval(cell.value)
    upper = cell.value + p if math.isinf(most) else min(cell.value + p, math.floor(most + 1e-6))
    needed = (max(0, cell.value - p), upper)
    low, high = found
    if low > needed[0] + 1e-6 or high < needed[1] - 1e-6:
        return [Leak(cell.label, cell.value, low, high, needed)]
    return []


class _Part:
    """One group of dimensions: its cells, its atoms, what its published cells tell (the
    attacker's constraints, built once and solved for every suppressed cell)."""

    def __init__(self, cells: list[Published]) -> None:
        self.cells = cells
        known = [c for c in cells if not c.suppressed]
        self.space = _Space(cells, [c.codes for c in known if c.high == 0])
        self.matrix = vstack([self.space.row(c.codes) for c in known]).tocsr() if known else None
        self.low = np.array([float(c.low) for c in known])
        self.high = np.array([float(c.high) for c in known])
        self._systems: dict[tuple[float, float] | None, tuple[Any, Any]] = {}

    def bounds(self, objective: Any, total: list[float] | None) -> tuple[float, float]:
        target = objective.toarray().ravel() if hasattr(objective, "toarray") else objective
        if not self.space.size or not target.any():  # every atom it sums is known to be zero
            return 0.0, 0.0
        a_ub, b_ub = self._system(None if total is None else (total[0], total[1]))
        return _bound(target, a_ub, b_ub), -_bound(-target, a_ub, b_ub)

    def _system(self, total: tuple[float, float] | None) -> tuple[Any, Any]:
        """``low ≤ cell ≤ high`` for every published cell (and the grand total's range), as
        the ``A x ≤ b`` of ``linprog``."""
        if total not in self._systems:
            parts = [] if self.matrix is None else [self.matrix]
            low, high = list(self.low), list(self.high)
            if total is not None:
                parts.append(csr_matrix(np.ones((1, self.space.size))))
                low.append(total[0])
                high.append(total[1])
            if not parts:
                self._systems[total] = (None, None)
            else:
                matrix = vstack(parts).tocsr()
                finite = ~np.isinf(np.array(high))
                a_ub = vstack([matrix[np.flatnonzero(finite)], -matrix]).tocsr()
                b_ub = np.concatenate([np.array(high)[finite], -np.array(low)])
                self._systems[total] = (a_ub, b_ub)
        return self._systems[total]


def _bound(objective: np.ndarray, a_ub: Any, b_ub: Any) -> float:
    found = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if found.status == 3:  # unbounded: nothing published limits it
        return -math.inf
    if found.status != 0:
        raise ValueError(f"the audit's linear program failed: {found.message}")
    return float(found.fun)


class _Space:
    """The atoms: the finest cells the published ones can tell apart. In each dimension, codes
    that every cell either holds together or leaves together are one class (no figure tells
    them apart, so their sum is all an attacker can know); an atom is a class in each dimension.
    Atoms a published zero covers can only be zero and are dropped, dimension by dimension as
    the product is built, so that a fine table of mostly empty cells stays small."""

    def __init__(self, cells: Sequence[Published], zeros: Sequence[Codes]) -> None:
        universe: dict[str, set[str]] = {}
        for cell in cells:
            for dim, codes in cell.codes.items():
                universe.setdefault(dim, set()).update(codes)
        self.classes: dict[str, dict[str, int]] = {}
        for dim in universe:
            sets = sorted({frozenset(c.codes[dim]) for c in cells if dim in c.codes}, key=sorted)
            numbers: dict[tuple[bool, ...], int] = {}
            self.classes[dim] = {
                code: numbers.setdefault(tuple(code in s for s in sets), len(numbers))
                for code in sorted(universe[dim])
            }
        sizes = {d: max(c.values()) + 1 for d, c in self.classes.items()}
        self.dims = sorted(universe, key=lambda d: (-sizes[d], d))
        held = [self._held(codes) for codes in zeros]
        self.atoms = np.zeros((1, 0), dtype=np.int32)
        for k, dim in enumerate(self.dims):
            self.atoms = np.hstack(
                [
                    np.repeat(self.atoms, sizes[dim], axis=0),
                    np.tile(np.arange(sizes[dim], dtype=np.int32), self.size)[:, None],
                ]
            )
            done = set(self.dims[: k + 1])
            keep = np.ones(self.size, dtype=bool)
            for fixed in held:
                if dim in fixed and set(fixed) <= done:
                    keep &= ~self._match(fixed)
            self.atoms = self.atoms[keep]
            if self.size > MAX_ATOMS:
                raise TooFine(
                    f"the releases together break the counts into more than {MAX_ATOMS:,} "
                    f"finest cells that may hold incidents "
                    f"({', '.join(f'{d}: {sizes[d]}' for d in self.dims)}): "
                    "publish coarser tables"
                )

    def _held(self, codes: Codes) -> dict[str, np.ndarray]:
        """The classes a cell holds in each dimension it restricts (all of them: not restricted)."""
        found = {}
        for dim, allowed in codes.items():
            classes = self.classes[dim]
            held = np.zeros(max(classes.values()) + 1, dtype=bool)
            held[[classes[c] for c in allowed if c in classes]] = True
            if not held.all():
                found[dim] = held
        return found

    def _match(self, held: Mapping[str, np.ndarray]) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        for dim, classes in held.items():
            mask &= classes[self.atoms[:, self.dims.index(dim)]]
        return mask

    @property
    def size(self) -> int:
        return int(self.atoms.shape[0])

    def row(self, codes: Codes) -> csr_matrix:
        columns = np.flatnonzero(self._match(self._held(codes)))
        data = np.ones(len(columns))
        return csr_matrix((data, (np.zeros(len(columns), dtype=np.int32), columns)), (1, self.size))


__all__ = [
    "MAX_ATOMS",
    "Cell",
    "Leak",
    "Pattern",
    "Published",
    "Rule",
    "TooFine",
    "audit",
    "primary",
    "protect",
    "ranges",
]
