"""The yearly figures of requests for assistance: what Regulation (EU) 2023/1543 Art. 28(2) asks
of the EPOCs and EPOC-PRs issued, and the 24/7 point of contact's own counts, turnaround and KPIs.

Plain tables with fixed dimensions: every value of every code list is a row, an empty one with
zeros, so that two years, or two desks, line up row for row; nothing is suppressed here (a
release with disclosure control reads these tables). Each dimension but the legal basis and the
direction ends with ``total``, in which every request counts once: an emergency EPOC counts in
the ``yes`` row and in the ``total`` row. A request seeking two data categories counts in each,
and once in the data ``total``. What one request counts as: ``figure_facts``; the tables and
their sources: ``docs/assistance.md``, section "Figures".
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from itertools import product
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.clocks import zone
from tocsin.model.assist.figure_facts import (
    CATEGORIES,
    OPEN,
    OUTCOMES,
    PRESERVATIONS,
    UNKNOWN_COUNTRY,
    Facts,
    facts,
    follow_ups,
    in_year,
    issued,
)
from tocsin.model.assist.request import Contact, Direction, Request, Step
from tocsin.model.assist.states import Ground, Reason

__all__ = ["TABLES", "TOTAL", "Figures", "Table", "figures", "to_csv", "zone_of"]

Cell = int | float | str | None
TOTAL = "total"
INSTRUMENTS = (Basis.EPOC, Basis.EPOC_PR)
_ART28 = "Regulation (EU) 2023/1543 Art. 28(2)"
_YES_NO = ("yes", "no")
TABLES = (
    "art28",
    "art28_grounds",
    "requests",
    "refusals",
    "non_execution",
    "kpi",
    "turnaround_basis",
    "turnaround_country",
    "turnaround_data",
)


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its dimension columns, then its measure columns; ``rows`` in a fixed order
    (every combination of the dimensions' values, in their lists' order)."""

    name: str
    title: str
    dimensions: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    measures: tuple[str, ...] = ()
    source: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.dimensions + self.measures

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "dimensions": list(self.dimensions),
            "measures": list(self.measures),
            "rows": self.records(),
        }


@dataclass(frozen=True, slots=True)
class Figures:
    """The tables of one year, counted by the issuance's date in ``timezone``."""

    year: int
    timezone: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "timezone": self.timezone,
            "tables": [t.as_json() for t in self.tables],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)


def to_csv(table: Table) -> str:
    """The table as CSV: a header of its columns, one line per row, ``\\n`` line ends; an
    average or share is written with one decimal, an undefined one (nothing to average) empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_text(c) for c in row] for row in table.rows)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class _Dim:
    name: str
    values: tuple[str, ...]
    of: Callable[[Facts], Iterable[str]]
    total: bool = True

    @property
    def all(self) -> tuple[str, ...]:
        return self.values + ((TOTAL,) if self.total else ())

    def member(self, fact: Facts) -> list[str]:
        found = [v for v in self.of(fact) if v in self.values]
        return [*found, TOTAL] if self.total else found


Measure = Callable[[Sequence[Facts]], tuple[Cell, ...]]


def _cube(
    items: Sequence[Facts], dims: Sequence[_Dim], measure: Measure
) -> tuple[tuple[Cell, ...], ...]:
    buckets: dict[tuple[str, ...], list[Facts]] = {}
    for fact in items:
        for key in product(*(d.member(fact) for d in dims)):
            buckets.setdefault(key, []).append(fact)
    return tuple(key + measure(buckets.get(key, [])) for key in product(*(d.all for d in dims)))


def _average(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.fmean(found), 1) if found else None


def _median(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return round(float(statistics.median(found)), 1) if found else None


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _art28(items: Sequence[Facts]) -> tuple[Cell, ...]:
    return (
        len(items),
        sum(f.derogation for f in items),
        sum(f.complied for f in items),
        sum(f.not_complied for f in items),
        sum(f.notified for f in items),
        _average(f.hours_to_data for f in items),
        _average(f.hours_to_production_request for f in items),
    )


def _requests(items: Sequence[Facts]) -> tuple[Cell, ...]:
    counts = tuple(sum(f.outcome == o for f in items) for o in (OPEN, *OUTCOMES))
    times = [f.hours_to_data for f in items]
    return (len(items), *counts, _average(times), _median(times))


def _kpi(items: Sequence[Facts]) -> tuple[Cell, ...]:
    urgent = [f for f in items if f.acknowledged_in_time is not None]
    in_time = sum(bool(f.acknowledged_in_time) for f in urgent)
    kept = [f for f in items if f.basis in PRESERVATIONS]
    preserved = sum(f.complied for f in kept)
    return (
        len(urgent),
        in_time,
        _share(in_time, len(urgent)),
        len(kept),
        preserved,
        _share(preserved, len(kept)),
    )


def _turnaround(items: Sequence[Facts]) -> tuple[Cell, ...]:
    times = [f.hours_to_data for f in items if f.hours_to_data is not None]
    return (len(times), _median(times), _average(times))


def _count(items: Sequence[Facts]) -> tuple[Cell, ...]:
    return (len(items),)


def _codes(fixed: Sequence[str], items: Iterable[Facts]) -> tuple[str, ...]:
    extra = sorted({f.code or "unspecified" for f in items} - set(fixed))
    return (*fixed, *extra)


class _Dims:
    """The dimensions of one year's figures, their values fixed by the code lists."""

    def __init__(self, countries: Sequence[str], codes: Sequence[str]) -> None:
        self.instrument = _Dim(
            "instrument", tuple(b.value for b in INSTRUMENTS), lambda f: (f.basis.value,), False
        )
        self.basis = _Dim("basis", tuple(b.value for b in Basis), lambda f: (f.basis.value,), False)
        self.direction = _Dim(
            "direction", tuple(d.value for d in Direction), lambda f: (f.direction.value,), False
        )
        self.data = _Dim("data", CATEGORIES, lambda f: f.categories)
        self.country = _Dim("country", tuple(countries), lambda f: (f.country,))
        self.emergency = _Dim("emergency", _YES_NO, lambda f: ("yes" if f.emergency else "no",))
        self.ground = _Dim("ground", tuple(codes), lambda f: (f.code or "unspecified",), False)


def zone_of(tz: str | tzinfo) -> tzinfo:
    """``clocks.zone``, and a name that is a folder of the zone database ("Europe") or too long
    for a file name refused as well."""
    try:
        return zone(tz)
    except OSError:
        raise InvalidValue("timezone", str(tz), "not an IANA time zone") from None


def figures(
    requests: Sequence[Request],
    steps: Mapping[int, Sequence[Step]],
    contacts: Mapping[int, Contact],
    year: int,
    tz: str | tzinfo = "UTC",
    grounds: Sequence[str] | None = None,
    reasons: Sequence[str] | None = None,
) -> Figures:
    """The tables of ``year``: the requests issued in it on the wall clock of ``tz``.

    ``contacts`` is the directory (its countries are the country rows), ``steps`` each
    request's history by its id; ``grounds`` and ``reasons`` are the closed lists of refusal
    grounds and non-execution reasons, by default ``Ground`` and ``Reason`` (a code met that
    they lack gets a row too)."""
    grounds = tuple(g.value for g in Ground) if grounds is None else tuple(grounds)
    reasons = tuple(r.value for r in Reason) if reasons is None else tuple(reasons)
    where = zone_of(tz)
    after = follow_ups(requests, steps)
    counted: list[Facts] = []
    for request in requests:
        when = issued(request, steps.get(request.id, ()))
        if when is not None and in_year(when, year, where):
            counted.append(facts(request, steps.get(request.id, ()), when, contacts, after))
    countries = sorted({c.country.strip().upper() for c in contacts.values() if c.country})
    if any(f.country == UNKNOWN_COUNTRY for f in counted) and UNKNOWN_COUNTRY not in countries:
        countries.append(UNKNOWN_COUNTRY)
    refused = [f for f in counted if f.outcome == "refused"]
    failed = [f for f in counted if f.outcome == "not_executed"]
    name = tz if isinstance(tz, str) else str(where)
    return Figures(year, name, _tables(counted, countries, grounds, reasons, refused, failed))


def _tables(
    counted: Sequence[Facts],
    countries: Sequence[str],
    grounds: Sequence[str],
    reasons: Sequence[str],
    refused: Sequence[Facts],
    failed: Sequence[Facts],
) -> tuple[Table, ...]:
    orders = [f for f in counted if f.basis in INSTRUMENTS and f.direction is Direction.OUTGOING]
    unmet = [f for f in orders if f.not_complied]
    d = _Dims(countries, _codes((*grounds, *reasons), unmet))
    refusals = _Dims(countries, _codes(grounds, refused)).ground
    reasons_dim = _Dims(countries, _codes(reasons, failed)).ground
    by_data = (d.instrument, d.data, d.country, d.emergency)
    return (
        Table(
            "art28",
            "EPOCs and EPOC-PRs issued: complied with, not complied with, Art. 8 "
            "notifications, emergency derogations, average time to data",
            _cols(by_data),
            _cube(orders, by_data, _art28),
            _ART28_MEASURES,
            f"{_ART28}(a)–(f)",
        ),
        Table(
            "art28_grounds",
            "EPOCs and EPOC-PRs not complied with, by ground",
            _cols((*by_data, d.ground)),
            _cube(unmet, (*by_data, d.ground), _count),
            ("not_complied",),
            f"{_ART28}(d)",
        ),
        Table(
            "requests",
            "Requests for assistance by legal basis, direction, counterpart "
            "country and emergency: outcomes and time to data",
            _cols((d.basis, d.direction, d.country, d.emergency)),
            _cube(counted, (d.basis, d.direction, d.country, d.emergency), _requests),
            _REQUEST_MEASURES,
            "Tocsin",
        ),
        Table(
            "refusals",
            "Requests refused, by ground",
            ("basis", "direction", "ground"),
            _cube(refused, (d.basis, d.direction, refusals), _count),
            ("refused",),
            "Budapest Convention Art. 27(4), 29(4)–(5), 30(2); Regulation (EU) 2023/1543 Art. 12",
        ),
        Table(
            "non_execution",
            "Requests not executed, by reason",
            ("basis", "direction", "reason"),
            _cube(failed, (d.basis, d.direction, reasons_dim), _count),
            ("not_executed",),
            "Regulation (EU) 2023/1543 Annex III",
        ),
        Table(
            "kpi",
            "The 24/7 point of contact: urgent requests acknowledged within 8 hours, "
            "preservations executed",
            ("direction", "country"),
            _cube(counted, (d.direction, d.country), _kpi),
            _KPI_MEASURES,
            "Directive 2013/40/EU Art. 13(1); Budapest Convention Art. 29, 35",
        ),
        *(
            Table(
                f"turnaround_{dim.name}",
                f"Time to data by {dim.name}",
                ("direction", dim.name),
                _cube(counted, (d.direction, dim), _turnaround),
                ("answered", "hours_median", "hours_average"),
                "Tocsin",
            )
            for dim in (d.basis, d.country, d.data)
        ),
    )


def _cols(dims: Sequence[_Dim]) -> tuple[str, ...]:
    return tuple(dim.name for dim in dims)


_ART28_MEASURES = (
    "issued",
    "derogation",
    "complied",
    "not_complied",
    "notified",
    "hours_to_data",
    "hours_to_production_request",
)
_REQUEST_MEASURES = (
    "requests",
    OPEN,
    *(o.value for o in OUTCOMES),
    "hours_to_data_average",
    "hours_to_data_median",
)
_KPI_MEASURES = (
    "urgent",
    "acknowledged_8h",
    "acknowledged_8h_pct",
    "preservations",
    "preserved",
    "preserved_pct",
)
