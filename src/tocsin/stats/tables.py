"""Tables for parliament from fixed, public code lists, never from whatever values the data holds:
an empty category is published as such, and every table of every release names its cells by the
same codes, which is what lets the audit relate releases to one another (``sdc``).

A table is declared in TOML::

    name = "incidents-by-sector-2026-11"
    title = "Incidents by sector and priority, November 2026"
    rows = "sector"          # type, taxonomy, sector, priority, month
    columns = "priority"     # optional
    from = "2026-11"         # months, inclusive
    to = "2026-11"
    threshold = 10           # fewest distinct victims a published cell stands for
    zeros_disclosive = false
    rounding = 0             # 5: the "10-5 rule"

The measure is the number of incidents opened in the period (additive, so a margin is the sum of
its parts); a cell's risk is judged on the distinct victims behind it: the incident's
constituent, the person or organisation of a report from the public, else the incident itself.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.fields import PRIORITIES
from tocsin.model.taxonomy import TAXONOMY, TYPE_TO_TAXONOMY
from tocsin.stats.sdc import Cell, Rule

TOTAL = "Total"
OTHER = "other"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    """The public code lists (the months come from each table's period); not to be changed."""
    types = sorted({t for types in TAXONOMY.values() for t in types} | {OTHER})
    return {
        "type": tuple(types),
        "taxonomy": (*sorted(TAXONOMY), OTHER),
        "sector": (*sorted(CRITICAL_SECTORS), OTHER),
        "priority": tuple(PRIORITIES),
    }


DIMENSIONS = ("type", "taxonomy", "sector", "priority", "month")


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    title: str
    rows: str
    columns: str | None
    first: str  # YYYY-MM
    last: str
    rule: Rule = field(default_factory=Rule)

    @property
    def months(self) -> tuple[str, ...]:
        return months(self.first, self.last)

    def codes(self, dim: str) -> tuple[str, ...]:
        return self.months if dim == "month" else code_lists()[dim]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "rows": self.rows,
            "columns": self.columns,
            "from": self.first,
            "to": self.last,
            "threshold": self.rule.threshold,
            "zeros_disclosive": self.rule.zeros_disclosive,
            "rounding": self.rule.rounding,
            "protection": self.rule.protection,
        }


def months(first: str, last: str) -> tuple[str, ...]:
    a, b = _MONTH.match(first), _MONTH.match(last)
    if a is None or b is None:
        raise InvalidValue("from", f"{first}..{last}", "months as YYYY-MM")
    y, m = int(a.group(1)), int(a.group(2))
    end = (int(b.group(1)), int(b.group(2)))
    if (y, m) > end:
        raise InvalidValue("to", last, "the period ends before it begins")
    found = []
    while (y, m) <= end:
        found.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(found) > 120:
        raise InvalidValue("to", last, "ten years at most")
    return tuple(found)


def parse_spec(text: str, where: str = "spec") -> Spec:
    """A table's declaration; unknown keys, dimensions or codes are refused, named."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue(where, "", f"not TOML: {exc}") from None
    return spec_of(data)


def spec_of(data: dict[str, Any]) -> Spec:
    known = {"name", "title", "rows", "columns", "from", "to"} | {
        "threshold",
        "zeros_disclosive",
        "rounding",
        "protection",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidValue(unknown[0], data[unknown[0]], f"not a table setting ({sorted(known)})")
    name = str(data.get("name", "")).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,79}", name):
        raise InvalidValue("name", name, "lower case letters, digits, . _ - (80 at most)")
    rows, columns = data.get("rows"), data.get("columns")
    for key, dim in (("rows", rows), ("columns", columns)):
        if (dim is not None or key == "rows") and dim not in DIMENSIONS:
            raise InvalidValue(key, dim, f"one of {', '.join(DIMENSIONS)}")
    if rows == columns:
        raise InvalidValue("columns", columns, "not the same dimension as the rows")
    threshold = int(data.get("threshold", 10))
    rounding = int(data.get("rounding", 0))
    protection = float(data.get("protection", 0.5))
    if not 1 <= threshold <= 1_000_000:
        raise InvalidValue("threshold", threshold, "between 1 and 1,000,000")
    if rounding not in (0, 5, 10):
        raise InvalidValue("rounding", rounding, "0 (none), 5 or 10")
    if not 0 < protection <= 1:
        raise InvalidValue("protection", protection, "a share above 0, at most 1")
    first, last = str(data.get("from", "")), str(data.get("to", data.get("from", "")))
    months(first, last)
    return Spec(
        name=name,
        title=str(data.get("title") or name),
        rows=str(rows),
        columns=str(columns) if columns else None,
        first=first,
        last=last,
        rule=Rule(
            threshold=threshold,
            zeros_disclosive=bool(data.get("zeros_disclosive", False)),
            rounding=rounding,
            protection=protection,
        ),
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One incident as a table counts it."""

    codes: dict[str, str]  # type, taxonomy, sector, priority, month
    victim: str


def record(type_: str, sector: str | None, priority: str, month: str, victim: str) -> Record:
    """Codes from an incident's values; a value outside its code list counts as ``other``."""
    kind = type_ if type_ in _TYPES else OTHER
    return Record(
        {
            "type": kind,
            "taxonomy": TYPE_TO_TAXONOMY.get(kind, OTHER),
            "sector": sector if sector in _SECTORS else OTHER,
            "priority": priority if priority in PRIORITIES else "P4",
            "month": month,
        },
        victim,
    )


_TYPES = frozenset(code_lists()["type"])
_SECTORS = frozenset(code_lists()["sector"])


@dataclass(frozen=True, slots=True)
class Table:
    spec: Spec
    cells: list[Cell]
    lines: list[list[int]]  # each an additive relation: a margin and its parts
    row_codes: tuple[str, ...]
    column_codes: tuple[str, ...]  # () for a table of one dimension


def build(spec: Spec, records: Iterable[Record]) -> Table:
    """Every cell of the table, margins included, from the code lists (empty ones too)."""
    period = set(spec.months)
    rows = spec.codes(spec.rows)
    columns = spec.codes(spec.columns) if spec.columns else ()
    by_cell: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for r in records:
        if r.codes["month"] not in period:
            continue
        row = r.codes[spec.rows]
        keys = [(row,), (TOTAL,)]
        if spec.columns:
            col = r.codes[spec.columns]
            keys = [(row, col), (row, TOTAL), (TOTAL, col), (TOTAL, TOTAL)]
        for key in keys:
            by_cell[key][r.victim] += 1
    base: dict[str, frozenset[str]] = {}
    if "month" not in (spec.rows, spec.columns):
        base["month"] = frozenset(spec.months)
    all_rows, all_columns = frozenset(rows), frozenset(columns)
    cells: list[Cell] = []
    index: dict[tuple[str, ...], int] = {}
    keys_in_order = [(r,) for r in rows] + [(TOTAL,)]
    if spec.columns:
        keys_in_order = [(r, c) for r in (*rows, TOTAL) for c in (*columns, TOTAL)]
    for key in keys_in_order:
        codes = dict(base)
        codes[spec.rows] = all_rows if key[0] == TOTAL else frozenset({key[0]})
        if spec.columns:
            codes[spec.columns] = all_columns if key[1] == TOTAL else frozenset({key[1]})
        counted = by_cell.get(key, Counter())
        top = sum(n for _, n in counted.most_common(spec.rule.dominance_n))
        index[key] = len(cells)
        cells.append(Cell(key, codes, sum(counted.values()), len(counted), top))
    return Table(spec, cells, _lines(index, rows, columns), rows, columns)


def _lines(
    index: dict[tuple[str, ...], int], rows: Sequence[str], columns: Sequence[str]
) -> list[list[int]]:
    if not columns:
        return [[index[(r,)] for r in rows] + [index[(TOTAL,)]]]
    lines = []
    for r in (*rows, TOTAL):
        lines.append([index[(r, c)] for c in columns] + [index[(r, TOTAL)]])
    for c in (*columns, TOTAL):
        lines.append([index[(r, c)] for r in rows] + [index[(TOTAL, c)]])
    return lines


__all__ = ["DIMENSIONS", "Record", "Spec", "Table", "build", "code_lists", "parse_spec", "record"]
