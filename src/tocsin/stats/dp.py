"""Differential privacy for a table of incidents, through OpenDP, instead of suppression: every
cell, margins included, is published with noise added, and no cell is withheld.

A table declared with ``method = "dp"`` (``tables.spec_of``) gives its ``epsilon`` (the privacy
loss the release may cause one victim) and ``contributions`` (the most incidents one victim may
add to the table, 3 unless said; a victim's further incidents of the period are left out, the
first ones in the order they were opened kept). Then:

- **Sensitivity**: an incident counts in its cell and in each margin it belongs to (2 cells of a
  table of one dimension: its row and the total; 4 of a table of two), so adding or removing one
  victim moves the whole vector of cells by at most ``sensitivity × contributions`` in L1.
- **Noise**: the discrete Laplace mechanism over that vector of integers (OpenDP's
  ``make_laplace`` on ``vector_domain(atom_domain(T=int))`` with ``l1_distance(T=int)``), of
  ``scale = sensitivity × contributions / epsilon``; OpenDP's privacy map checks that the
  measurement costs no more than ``epsilon`` (the scale is raised by the last float digit when its
  rounding says otherwise) and OpenDP's own secure sampler draws the noise. A negative noisy count
  is shown as 0 (post-processing: it costs no privacy).
- **Accuracy**: ``accuracy95``, OpenDP's ``discrete_laplacian_scale_to_accuracy`` at α = 0.05: a
  published cell is within that of the counted value 95 times out of 100. The epsilon, the
  contributions, the scale and the accuracy are published with the release.
- **The ledger**: each calendar year has a budget (the ``stats_budget`` setting, 1.0 unless
  set). The epsilon spent in a year is the sum over the kept differentially private releases
  (pending or published; a refused one gives its epsilon back: nothing of it was published)
  whose period touches that year; a release that would take any year it touches past its budget
  is refused (``afford``), and nothing is kept.

The code lists are fixed and public (``tables.code_lists``): every cell is published whatever
the data holds, so no private selection of keys (OpenDP's thresholded key sets) is needed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import opendp.prelude as dp

from tocsin.errors import Conflict, InvalidValue

if TYPE_CHECKING:
    from tocsin.stats.tables import Record, Spec, Table

# OpenDP keeps its mechanisms whose proofs are written but not yet vetted under "contrib";
# make_laplace is one of them (the accuracy functions are not).
dp.enable_features("contrib")

DEFAULT_CONTRIBUTIONS = 3  # the incidents of one victim a table counts, at most
MAX_CONTRIBUTIONS = 1000
MAX_EPSILON = 10.0  # past it the noise protects next to nothing
ALPHA = 0.05  # the accuracy published: at 95 %
BUDGET = 1.0  # a calendar year's epsilon, unless the stats_budget setting says otherwise
SLACK = 1e-9  # sums of epsilons in floating point: 0.1 + 0.2 is not quite 0.3


def method_of(data: Mapping[str, Any]) -> tuple[str, float, int]:
    """A declaration's ``method`` (``suppression``, the default, or ``dp``) and, for dp, its
    ``epsilon`` and ``contributions``; each wrong value refused, named (``InvalidValue``)."""
    method = data.get("method", "suppression")
    if method not in ("suppression", "dp"):
        raise InvalidValue("method", method, '"suppression" (the default) or "dp"')
    if method == "suppression":
        for key in ("epsilon", "contributions"):
            if key in data:
                raise InvalidValue(key, data[key], 'only with method = "dp"')
        return method, 0.0, DEFAULT_CONTRIBUTIONS
    if data.get("measure", "incidents") != "incidents":
        raise InvalidValue("method", method, 'dp counts incidents only (measure = "incidents")')
    if data.get("rounding", 0):
        raise InvalidValue("rounding", data["rounding"], 'not with method = "dp": noise is added')
    epsilon = data.get("epsilon")
    if not _number(epsilon) or not 0 < epsilon <= MAX_EPSILON:
        raise InvalidValue("epsilon", epsilon, f"a number above 0, at most {MAX_EPSILON:g}")
    contributions = data.get("contributions", DEFAULT_CONTRIBUTIONS)
    if not isinstance(contributions, int) or isinstance(contributions, bool):
        raise InvalidValue("contributions", contributions, "a whole number of incidents")
    if not 1 <= contributions <= MAX_CONTRIBUTIONS:
        raise InvalidValue("contributions", contributions, f"between 1 and {MAX_CONTRIBUTIONS}")
    return method, float(epsilon), contributions


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# -- one release ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parameters:
    """What a differentially private release publishes about its noise."""

    epsilon: float
    contributions: int
    sensitivity: int  # cells one incident counts in
    scale: float  # of the discrete Laplace noise
    accuracy95: float  # |noise| is below it with probability 95 %

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "dp",
            "epsilon": self.epsilon,
            "contributions": self.contributions,
            "sensitivity": self.sensitivity,
            "scale": self.scale,
            "accuracy95": self.accuracy95,
        }


@dataclass(frozen=True, slots=True)
class Noisy:
    """A table's cells with their noise drawn."""

    parameters: Parameters
    shown: tuple[int, ...] = field(default=())  # each cell as published, in the table's order
    left_out: int = 0  # incidents past their victim's contributions, not counted (staff only)


def clamp(
    records: Iterable[Record], contributions: int, months: Collection[str]
) -> tuple[list[Record], int]:
    """The records of the period, each victim's first ``contributions`` of them kept (in the
    order given: the store's, the order the incidents were opened), and how many were left out."""
    seen: Counter[str] = Counter()
    kept: list[Record] = []
    left_out = 0
    for r in records:
        if r.codes["month"] not in months:
            continue
        if seen[r.victim] >= contributions:
            left_out += 1
            continue
        seen[r.victim] += 1
        kept.append(r)
    return kept, left_out


def sensitivity(table: Table) -> int:
    """The cells one incident counts in: its own and each margin it belongs to (2 for a table of
    one dimension, 4 for two); the L1 sensitivity of the whole vector of cells to one incident."""
    return 2 if table.spec.columns is None else 4


def measurement(cells: int, scale: float) -> Any:
    """OpenDP's discrete Laplace measurement over a vector of ``cells`` integer counts."""
    space = dp.vector_domain(dp.atom_domain(T=int), size=cells), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=scale)


def parameters(table: Table) -> Parameters:
    """The noise of ``table``: scale = sensitivity × contributions / epsilon, raised by the last
    digit while OpenDP's privacy map, rounding conservatively, finds it costs more than epsilon."""
    spec = table.spec
    d_in = sensitivity(table) * spec.contributions  # one victim's most, in L1
    scale = d_in / spec.epsilon
    for _ in range(64):
        if measurement(len(table.cells), scale).map(d_in) <= spec.epsilon:
            break
        scale = math.nextafter(scale, math.inf)
    else:  # pragma: no cover - the map is within a few float digits of d_in / scale
        raise ValueError(f"no scale near {d_in / spec.epsilon} costs at most {spec.epsilon}")
    accuracy = float(dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA))
    return Parameters(spec.epsilon, spec.contributions, d_in // spec.contributions, scale, accuracy)


def noisy(table: Table, left_out: int = 0) -> Noisy:
    """The table's cells with discrete Laplace noise from OpenDP's sampler, negatives shown 0."""
    found = parameters(table)
    drawn = measurement(len(table.cells), found.scale)([cell.value for cell in table.cells])
    return Noisy(found, tuple(max(0, int(v)) for v in drawn), left_out)


# -- the ledger -------------------------------------------------------------------------------


def years(first: str, last: str) -> range:
    """The calendar years a period (months YYYY-MM, inclusive) touches."""
    return range(int(first[:4]), int(last[:4]) + 1)


@dataclass(frozen=True, slots=True)
class Ledger:
    """A calendar year's privacy budget and the releases that spend it."""

    year: int
    budget: float
    releases: tuple[dict[str, Any], ...]  # id, name, state, epsilon, from, to

    @property
    def spent(self) -> float:
        return math.fsum(r["epsilon"] for r in self.releases)

    @property
    def left(self) -> float:
        return max(0.0, self.budget - self.spent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "budget": self.budget,
            "spent": self.spent,
            "left": self.left,
            "releases": list(self.releases),
        }


def ledger(kept: Iterable[Mapping[str, Any]], year: int, budget: float) -> Ledger:
    """The year's ledger from the releases kept: the differentially private ones, pending or
    published (not refused), whose period touches ``year``; oldest first."""
    spending = []
    for release in kept:
        spec = release["spec"]
        if release["state"] == "refused" or spec.get("method") != "dp":
            continue
        if year in years(spec["from"], spec["to"]):
            spending.append(
                {
                    "id": release["id"],
                    "name": release["name"],
                    "state": release["state"],
                    "epsilon": float(spec["epsilon"]),
                    "from": spec["from"],
                    "to": spec["to"],
                }
            )
    return Ledger(year, budget, tuple(sorted(spending, key=lambda r: r["id"])))


def afford(
    kept: Sequence[Mapping[str, Any]], spec: Spec, budget: float, before: Sequence[Spec] = ()
) -> None:
    """Refuse (``Conflict``) a release of ``spec`` that would take a year it touches past its
    budget, naming the year, what is spent, what it asks and the budget; ``before``: the tables
    released together with it, ahead of it, whose epsilon counts as spent."""
    for year in years(spec.first, spec.last):
        spent = math.fsum(
            [ledger(kept, year, budget).spent]
            + [s.epsilon for s in before if s.dp and year in years(s.first, s.last)]
        )
        if spent + spec.epsilon > budget + SLACK:
            raise Conflict(
                f"refused: {spec.name}: the privacy budget of {year} is {budget:g}; {spent:g} "
                f"is spent and this table asks epsilon {spec.epsilon:g} "
                f"(tocsin stats ledger {year})"
            )


def afford_together(
    specs: Sequence[Spec], kept: Sequence[Mapping[str, Any]], budget: float
) -> None:
    """Refuse tables released together (a template's) whose dp ones, added up, would take a
    year past its budget, though each alone fits."""
    for n, spec in enumerate(specs):
        if spec.dp:
            afford(kept, spec, budget, specs[:n])


__all__ = [
    "BUDGET",
    "DEFAULT_CONTRIBUTIONS",
    "Ledger",
    "Noisy",
    "Parameters",
    "afford",
    "afford_together",
    "clamp",
    "ledger",
    "measurement",
    "method_of",
    "noisy",
    "parameters",
    "sensitivity",
    "years",
]
