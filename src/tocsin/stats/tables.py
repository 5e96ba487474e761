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
    method = "suppression"   # or "dp": noise instead of suppression (``stats.dp``), with
    epsilon = 0.5            #   its privacy loss, spent from the year's budget,
    contributions = 3        #   and the most incidents a victim adds (further ones left out)

The measure is the number of incidents opened in the period (additive, so a margin is the sum of
its parts); a cell's risk is judged on the distinct victims behind it: the incident's
constituent, the person or organisation of a report from the public, else the incident itself.

One module past 400 lines: the code lists, the declarations that name them and the codes the
audit relates across releases must change together.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Direction
from tocsin.model.constituent import CRITICAL_SECTORS, region
from tocsin.model.countries import COUNTRY_CODES
from tocsin.model.fields import PRIORITIES
from tocsin.model.taxonomy import TAXONOMY, TYPE_TO_TAXONOMY
from tocsin.stats.dp import DEFAULT_CONTRIBUTIONS, method_of
from tocsin.stats.sdc import Cell, Rule

TOTAL = "Total"
OTHER = "other"
UNKNOWN_COUNTRY = "ZZ"  # ISO 3166-1's user-assigned code: a victim or counterpart of no country
NO_OFFENCE = "none"

# Directive 2013/40/EU, Arts. 3-7, from the RSIT type an analyst gave the incident: illegal access
# (Art. 3), system interference (4), data interference (5), interception (6), tools (7). "none":
# not an offence of those articles (fraud, abusive content, exposure, outages, unknown). An
# attempt counts with the offence it attempts. docs/oversight.md lists the mapping.
OFFENCES: dict[str, str] = {
    "application-compromise": "art3",
    "privileged-account-compromise": "art3",
    "system-compromise": "art3",
    "unprivileged-account-compromise": "art3",
    "unauthorised-information-access": "art3",
    "brute-force": "art3",
    "exploit": "art3",
    "ddos": "art4",
    "dos": "art4",
    "sabotage": "art4",
    "infected-system": "art5",
    "unauthorised-information-modification": "art5",
    "sniffing": "art6",
    "malware-distribution": "art7",
    "c2-server": "art7",
    "malware-configuration": "art7",
}

# Who brought the incident to the desk, from its source: an aggregation rule over the feeds, a
# report from the public (the victims' portal), a mailbox, a partner's request, the desk itself.
REPORTERS = ("desk", "feed", "mail", "partner", "public")


def reporter(source: str) -> str:
    for prefix, kind in (("rule:", "feed"), ("report:", "public"), ("mail:", "mail")):
        if source.startswith(prefix):
            return kind
    return "partner" if source == "assist" else "desk"


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    """The public code lists (the months come from each table's period); not to be changed."""
    types = sorted({t for types in TAXONOMY.values() for t in types} | {OTHER})
    return {
        "type": tuple(types),
        "taxonomy": tuple(sorted(set(TAXONOMY) | {OTHER})),
        "sector": (*sorted(CRITICAL_SECTORS), OTHER),
        "priority": tuple(PRIORITIES),
        "offence": ("art3", "art4", "art5", "art6", "art7", NO_OFFENCE),
        "reporter": REPORTERS,
        "country": (*sorted(COUNTRY_CODES), UNKNOWN_COUNTRY),
        "basis": tuple(b.value for b in Basis),
        "direction": tuple(d.value for d in Direction),
    }


# What a table counts, and the dimensions each measure may be broken down by. Incidents opened;
# events observed (the reports the feeds and the public brought, before they became incidents;
# by the constituent the event was matched to: its sector and country);
# distinct victims (by what belongs to the victim, so that the parts of a margin are disjoint and
# add up: a victim has one sector and one country); requests for assistance issued or received
# (by legal basis, direction, counterpart country, month).
MEASURES: dict[str, tuple[str, ...]] = {
    "incidents": (
        "type",
        "taxonomy",
        "offence",
        "sector",
        "country",
        "region",
        "priority",
        "reporter",
        "month",
    ),
    "events": ("type", "taxonomy", "offence", "sector", "country", "region", "month"),
    "victims": ("sector", "country", "region"),
    "requests": ("basis", "direction", "country", "month"),
}
DIMENSIONS = tuple(dict.fromkeys(d for dims in MEASURES.values() for d in dims))


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    title: str
    rows: str
    columns: str | None
    first: str  # YYYY-MM
    last: str
    rule: Rule = field(default_factory=Rule)
    measure: str = "incidents"
    method: str = "suppression"  # or "dp": noise instead of suppression (``stats.dp``)
    epsilon: float = 0.0  # dp: the privacy loss of the release, spent from the year's budget
    contributions: int = DEFAULT_CONTRIBUTIONS  # dp: the most incidents one victim adds
    regions: tuple[str, ...] = ()  # the region dimension's code list (the desk's, when declared)

    @property
    def dp(self) -> bool:
        return self.method == "dp"

    @property
    def months(self) -> tuple[str, ...]:
        return months(self.first, self.last)

    def codes(self, dim: str) -> tuple[str, ...]:
        if dim == "region":
            return (*self.regions, OTHER)
        return self.months if dim == "month" else code_lists()[dim]

    def code(self, dim: str, value: str) -> str:
        """A record's code in this table: a region outside the table's list is ``other``."""
        if dim == "region" and value not in self.regions:
            return OTHER
        return value

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "measure": self.measure,
            "rows": self.rows,
            "columns": self.columns,
            "from": self.first,
            "to": self.last,
            "threshold": self.rule.threshold,
            "zeros_disclosive": self.rule.zeros_disclosive,
            "rounding": self.rule.rounding,
            "protection": self.rule.protection,
            "method": self.method,
        } | (
            ({"epsilon": self.epsilon, "contributions": self.contributions} if self.dp else {})
            | ({"regions": list(self.regions)} if self.regions else {})
        )


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


def parse_spec(text: str, where: str = "spec", regions: Sequence[str] = ()) -> Spec:
    """A table's declaration; unknown keys, dimensions or codes are refused, named. ``regions``:
    the desk's region codes, the code list of a table by region that declares none."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue(where, "", f"not TOML: {exc}") from None
    return spec_of(data, regions)


def spec_of(data: dict[str, Any], regions: Sequence[str] = ()) -> Spec:
    known = (
        {"name", "title", "measure", "rows", "columns", "from", "to"}
        | {
            "threshold",
            "zeros_disclosive",
            "rounding",
            "protection",
        }
        | {"method", "epsilon", "contributions", "regions"}
    )
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidValue(unknown[0], data[unknown[0]], f"not a table setting ({sorted(known)})")
    name = str(data.get("name", "")).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,79}", name):
        raise InvalidValue("name", name, "lower case letters, digits, . _ - (80 at most)")
    measure = str(data.get("measure", "incidents"))
    if measure not in MEASURES:
        raise InvalidValue("measure", measure, f"one of {', '.join(MEASURES)}")
    rows, columns = data.get("rows"), data.get("columns")
    allowed = MEASURES[measure]
    for key, dim in (("rows", rows), ("columns", columns)):
        if (dim is not None or key == "rows") and dim not in allowed:
            raise InvalidValue(key, dim, f"for {measure}: one of {', '.join(allowed)}")
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
    method, epsilon, contributions = method_of(data)  # stats.dp
    return Spec(
        regions=_regions(data, regions) if "region" in (rows, columns) else (),
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
        measure=measure,
        method=method,
        epsilon=epsilon,
        contributions=contributions,
    )


def _regions(data: dict[str, Any], configured: Sequence[str]) -> tuple[str, ...]:
    """A table by region's code list: its own ``regions``, else the desk's (``stats_regions``)."""
    declared = data.get("regions", configured)
    if isinstance(declared, str) or not isinstance(declared, list | tuple):
        raise InvalidValue("regions", declared, "a list of region codes")
    codes = tuple(dict.fromkeys(str(code).strip().upper() for code in declared))
    if not codes:
        raise InvalidValue(
            "rows", "region", "no region codes: declare regions = [...] or set TOCSIN_STATS_REGIONS"
        )
    for code in codes:
        InvalidValue.check("regions", code, region)
    if len(codes) > 2000:
        raise InvalidValue("regions", len(codes), "2,000 codes at most")
    return codes


def stored_spec(data: dict[str, Any]) -> Spec:
    """A kept release's declaration; its ``noise`` (the parameters a differentially private
    release drew its noise with, ``stats.dp``) belongs to the release, not to the declaration."""
    return spec_of({key: value for key, value in data.items() if key != "noise"})


TEMPLATES = ("annual", "art14", "art28")


def template(name: str, year: int, regions: Sequence[str] = ()) -> tuple[str, list[Spec]]:
    """A template's title and its tables for ``year``: ``templates/{name}.toml`` beside this
    module, a list of ``[[table]]`` declarations where ``{year}`` stands for the year."""
    if name not in TEMPLATES:
        raise InvalidValue("template", name, f"one of {', '.join(TEMPLATES)}")
    if not 1970 <= year <= 9998:
        raise InvalidValue("year", year, "a year from 1970 to 9998")
    text = resources.files("tocsin.stats").joinpath(f"templates/{name}.toml").read_text()
    data = tomllib.loads(text.replace("{year}", f"{year:04d}"))
    return str(data["title"]), [spec_of(dict(table), regions) for table in data["table"]]


@dataclass(frozen=True, slots=True)
class Record:
    """One incident as a table counts it."""

    codes: dict[str, str]  # type, taxonomy, sector, priority, month
    victim: str
    count: int = 1  # events: one record holds the events of one victim, type and day


def record(
    type_: str,
    sector: str | None,
    priority: str,
    month: str,
    victim: str,
    *,
    source: str = "",
    country: str | None = None,
    region: str | None = None,
) -> Record:
    """Codes from an incident's values; a value outside its code list counts as ``other`` (a
    country as ``ZZ``; a region outside a table's list as ``other`` in that table)."""
    codes = _harm(type_, sector, country, region, month)
    codes["priority"] = priority if priority in PRIORITIES else "P4"
    codes["reporter"] = reporter(source)
    return Record(codes, victim)


def event_record(
    type_: str,
    month: str,
    victim: str,
    count: int,
    sector: str | None,
    country: str | None,
    region: str | None = None,
) -> Record:
    """Events of one type, month and victim (the constituent they were matched to, else the
    network they came from), counted by the database."""
    return Record(_harm(type_, sector, country, region, month), victim, count)


def _harm(
    type_: str, sector: str | None, country: str | None, region: str | None, month: str
) -> dict[str, str]:
    """The codes an incident and an event share: what happened (type, class, offence), to
    whom (sector, country, region) and when (month)."""
    kind = type_ if type_ in _TYPES else OTHER
    return {
        "type": kind,
        "taxonomy": TYPE_TO_TAXONOMY.get(kind, OTHER),
        "offence": OFFENCES.get(kind, NO_OFFENCE),
        "sector": sector if sector in _SECTORS else OTHER,
        "country": country if country in _COUNTRIES else UNKNOWN_COUNTRY,
        "region": region or OTHER,
        "month": month,
    }


def request_record(basis: str, direction: str, country: str, month: str, request: str) -> Record:
    """A request for assistance as a table counts it; each request is its own unit (a cell of
    fewer than the threshold is suppressed whoever the requests are about)."""
    return Record(
        {
            "basis": basis,
            "direction": direction,
            "country": country if country in _COUNTRIES else UNKNOWN_COUNTRY,
            "month": month,
        },
        request,
    )


def audit_codes(
    spec: Spec, codes: Mapping[str, Iterable[str]], regions: Iterable[str] = ()
) -> dict[str, frozenset[str]]:
    """A cell's codes as the audit relates them across releases: the RSIT class and the offence
    are sets of RSIT types (so "intrusions" is the sum of its types, and a table by class and one
    by type tell the attacker what they really do); the measure is a dimension of its own, so
    that incidents, requests and victims never add up together. Victims of different periods do
    not add up either (a victim of January and of February counts once in the year): the measure
    of a table of victims names its period."""
    out = {d: frozenset(c) for d, c in codes.items() if d not in ("taxonomy", "offence")}
    for dim, of in (("taxonomy", _TYPES_OF_CLASS), ("offence", _TYPES_OF_OFFENCE)):
        if dim in codes:
            types = frozenset(t for code in codes[dim] for t in of.get(code, ()))
            out["type"] = out["type"] & types if "type" in out else types
    if OTHER in out.get("region", ()):  # every region its list leaves out, named in another's
        out["region"] |= frozenset(regions) - frozenset(spec.regions)
    measure = spec.measure
    if measure == "victims":
        measure = f"victims {spec.first}..{spec.last}"
    out["measure"] = frozenset({measure})
    return out


_TYPES = frozenset(code_lists()["type"])
_SECTORS = frozenset(code_lists()["sector"])
_COUNTRIES = frozenset(code_lists()["country"])
_TYPES_OF_CLASS = {
    c: tuple(t for t in code_lists()["type"] if TYPE_TO_TAXONOMY.get(t, OTHER) == c)
    for c in code_lists()["taxonomy"]
}
_TYPES_OF_OFFENCE = {
    o: tuple(t for t in code_lists()["type"] if OFFENCES.get(t, NO_OFFENCE) == o)
    for o in code_lists()["offence"]
}


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
        if r.codes.get("month") not in period:
            continue
        row = spec.code(spec.rows, r.codes[spec.rows])
        keys = [(row,), (TOTAL,)]
        if spec.columns:
            col = spec.code(spec.columns, r.codes[spec.columns])
            keys = [(row, col), (row, TOTAL), (TOTAL, col), (TOTAL, TOTAL)]
        for key in keys:
            by_cell[key][r.victim] += r.count
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
        index[key] = len(cells)
        if spec.measure == "victims":  # each victim once: the value is the victims
            top = min(len(counted), spec.rule.dominance_n)
            cells.append(Cell(key, audit_codes(spec, codes), len(counted), len(counted), top))
            continue
        top = sum(n for _, n in counted.most_common(spec.rule.dominance_n))
        cells.append(Cell(key, audit_codes(spec, codes), sum(counted.values()), len(counted), top))
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


__all__ = [
    "DIMENSIONS",
    "MEASURES",
    "OFFENCES",
    "Record",
    "Spec",
    "Table",
    "audit_codes",
    "build",
    "code_lists",
    "event_record",
    "parse_spec",
    "record",
    "reporter",
    "request_record",
    "stored_spec",
]
