"""Tables' dimensions and measures (``stats/tables.py``) and how the audit relates them across
releases: the offence and the RSIT class are sums of RSIT types, measures never add up together,
a table of victims counts each victim once, and releases too fine to audit are refused."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tocsin.errors import InvalidValue
from tocsin.stats.sdc import (
    MAX_ATOMS,
    Published,
    Rule,
    TooFine,
    audit,
    protect,
    published_value,
    ranges,
)
from tocsin.stats.tables import Record, Table, audit_codes, build, record, reporter, spec_of


def spec(**values: Any) -> Any:
    return spec_of({"name": "t", "from": "2026-03", "threshold": 3, **values})


def shown(table: Table, hidden: set[int] | None = None, label: str = "") -> list[Published]:
    """A table as an attacker knows it once published with its own protection (or ``hidden``)."""
    reasons = protect(table.cells, table.lines, table.spec.rule).reasons
    suppressed = set(reasons) if hidden is None else hidden
    out = []
    for i, c in enumerate(table.cells):
        _, low, high = published_value(c.value, table.spec.rule)
        codes = audit_codes(table.spec, {d: sorted(v) for d, v in c.codes.items()})
        primary = reasons.get(i, "").startswith("primary")
        key = label + "/".join(c.key)
        out.append(Published(codes, c.value, low, high, i in suppressed, key, primary))
    return out


def values(table: Table) -> dict[str, int]:
    return {"/".join(c.key): c.value for c in table.cells}


def test_offences_of_directive_2013_40_come_from_the_rsit_type() -> None:
    records = [
        record(kind, "energy", "P3", "2026-03", f"v{n}")
        for n, kind in enumerate(["ddos", "dos", "system-compromise", "phishing", "sniffing"])
    ]
    got = values(build(spec(rows="offence"), records))
    assert (got["art3"], got["art4"], got["art6"], got["none"], got["Total"]) == (1, 2, 1, 1, 5)
    assert got["art5"] == got["art7"] == 0  # an empty category is published as such


def test_the_reporter_is_read_from_the_incidents_source() -> None:
    sources = ["rule:scan", "report:TC-1", "mail:abuse", "assist", "", "split:TC-2"]
    assert [reporter(s) for s in sources] == ["feed", "public", "mail", "partner", "desk", "desk"]


def test_a_country_outside_the_iso_list_counts_as_zz() -> None:
    got = record("ddos", None, "P3", "2026-03", "v", country="Narnia").codes["country"]
    assert got == "ZZ"


def test_a_table_of_victims_counts_each_victim_once() -> None:
    records = [record("ddos", "energy", "P3", "2026-03", "grid") for _ in range(5)]
    records.append(record("ddos", "health", "P3", "2026-03", "clinic"))
    got = values(build(spec(rows="sector", measure="victims"), records))
    assert (got["energy"], got["health"], got["Total"]) == (1, 1, 2)


@pytest.mark.parametrize(
    ("values_", "key"),
    [
        ({"measure": "victims", "rows": "month"}, "rows"),
        ({"measure": "requests", "rows": "sector"}, "rows"),
        ({"measure": "losses", "rows": "sector"}, "measure"),
    ],
)
def test_a_dimension_the_measure_cannot_be_broken_down_by_is_refused(
    values_: dict[str, str], key: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        spec(**values_)
    assert raised.value.field == key


def intrusions(month: str = "2026-03") -> list[Record]:
    """Intrusions of three types, and plenty of phishing (another class)."""
    shape = {"system-compromise": 12, "application-compromise": 11, "brute-force": 2}
    found = [
        record(kind, "energy", "P3", month, f"{kind}-{n}")
        for kind, count in shape.items()
        for n in range(count)
    ]
    return found + [record("phishing", "energy", "P3", month, f"p{n}") for n in range(40)]


def test_a_class_total_published_elsewhere_opens_a_type_suppressed_alone() -> None:
    """By type, brute-force (2 victims) is hidden with one partner of another class; by class,
    "intrusions" is published: the attacker subtracts the other intrusion types from it. The
    audit relates the two because a class is the sum of its types."""
    by_type = build(spec(rows="type"), intrusions())
    index = {c.key[0]: i for i, c in enumerate(by_type.cells)}
    hidden = {index["brute-force"], index["phishing"]}
    by_class = build(spec(rows="taxonomy"), intrusions())
    leaks = audit(shown(by_type, hidden, "t:") + shown(by_class, set(), "c:"), Rule(threshold=3))
    assert [leak.label for leak in leaks] == ["t:brute-force"]
    assert (leaks[0].low, leaks[0].high) == (2, 2)


def test_an_offence_total_published_elsewhere_opens_a_type_too() -> None:
    by_type = build(spec(rows="type"), intrusions())
    index = {c.key[0]: i for i, c in enumerate(by_type.cells)}
    hidden = {index["brute-force"], index["phishing"]}
    by_offence = build(spec(rows="offence"), intrusions())
    leaks = audit(shown(by_type, hidden, "t:") + shown(by_offence, set(), "o:"), Rule(threshold=3))
    assert [leak.label for leak in leaks] == ["t:brute-force"]


def test_victims_and_incidents_do_not_add_up_together() -> None:
    """The same codes counted as incidents and as victims: were the measures one, the victims'
    total would pin the incidents' hidden cell."""
    records = [record("ddos", "energy", "P3", "2026-03", f"e{n}") for n in range(12)]
    records += [record("ddos", "health", "P3", "2026-03", "clinic") for _ in range(2)]
    incidents = build(spec(rows="sector"), records)
    victims = build(spec(rows="sector", measure="victims"), records)
    published = shown(incidents, label="i:") + shown(victims, set(), "v:")
    assert {leak.label for leak in audit(published, Rule(threshold=3))} <= {"v:health"}
    assert not any(leak.label.startswith("i:") for leak in audit(published, Rule(threshold=3)))


def test_victims_of_two_periods_are_not_summed_as_incidents_are() -> None:
    march = spec(rows="sector", measure="victims", to="2026-03")
    quarter = spec(rows="sector", measure="victims", to="2026-05")
    assert audit_codes(march, {})["measure"] != audit_codes(quarter, {})["measure"]
    assert audit_codes(spec(rows="sector", to="2026-05"), {})["measure"] == {"incidents"}


def test_releases_too_fine_to_audit_are_refused_named() -> None:
    """Cells that tie four dimensions of 200 codes together, one hidden: the attacker's space
    would have 200⁴ finest cells that may hold something (no published zero rules them out)."""
    cells = [
        Published({d: frozenset({f"{d}{n}"}) for d in "abcd"}, 5, 5, 5, False, str(n))
        for n in range(200)
    ]
    cells.append(Published({"a": frozenset({"a0"})}, 5, 5, 5, True, "a0"))
    with pytest.raises(TooFine, match=f"{MAX_ATOMS:,}"):
        audit(cells, Rule(threshold=10))


def test_tables_of_unrelated_dimensions_are_audited_apart_but_for_the_total() -> None:
    """By month, by sector, by reporter: no cell ties them, so each is solved over its own
    codes; the grand total, published by one only, still binds the others: a sector hidden
    alone beside a total published by the month table is derived."""
    cells = [Published({"month": frozenset({f"m{n}"})}, 10, 10, 10, False, "") for n in range(12)]
    cells.append(Published({}, 120, 120, 120, False, "total"))
    cells += [Published({"sector": frozenset({f"s{n}"})}, 40, 40, 40, False, "") for n in range(2)]
    cells.append(Published({"sector": frozenset({"s2"})}, 40, 40, 40, True, "s2"))
    (leak,) = audit(cells, Rule(threshold=10))
    assert (leak.label, leak.low, leak.high) == ("s2", 40, 40)


def test_published_zeros_keep_a_fine_table_auditable() -> None:
    """A thousand countries of which three are not empty, a hundred types of which forty, two
    years of months: 2.4 million atoms, but the zeros rule most out and the audit is solved."""
    cells = []
    for dim, every, busy in (("country", 1000, 3), ("type", 100, 40), ("month", 24, 24)):
        for n in range(every):
            value = 120 // busy if n < busy else 0  # each table sums to 120
            cells.append(Published({dim: frozenset({f"{n}"})}, value, value, value, False, ""))
    cells.append(Published({"country": frozenset({"0"})}, 40, 40, 40, True, "hidden"))
    (leak,) = audit(cells, Rule(threshold=10))  # the other countries are known: 0 left
    assert leak.label == "hidden"


def joint_ranges(cells: list[Published]) -> dict[int, tuple[float, float]]:
    """The attacker's ranges by the plain LP over every atom of every dimension at once."""
    universe: dict[str, set[str]] = {}
    for cell in cells:
        for dim, codes in cell.codes.items():
            universe.setdefault(dim, set()).update(codes)
    dims = sorted(universe)
    atoms = list(itertools.product(*(sorted(universe[d]) for d in dims)))

    def row(cell: Published) -> list[float]:
        return [
            1.0 if all(atom[dims.index(d)] in c for d, c in cell.codes.items()) else 0.0
            for atom in atoms
        ]

    known = [c for c in cells if not c.suppressed]
    a_ub = [row(c) for c in known] + [[-x for x in row(c)] for c in known]
    b_ub = [float(c.high) for c in known] + [-float(c.low) for c in known]
    found = {}
    for i, cell in enumerate(cells):
        if cell.suppressed:
            target = row(cell)
            low = linprog(target, A_ub=a_ub or None, b_ub=b_ub or None, method="highs")
            high = linprog([-x for x in target], A_ub=a_ub or None, b_ub=b_ub or None)
            found[i] = (
                low.fun if low.status == 0 else -math.inf,
                -high.fun if high.status == 0 else math.inf,
            )
    return found


TABLE_DIMS = st.sampled_from([("a",), ("b",), ("c",), ("a", "b"), ("b", "c"), ("a", "c")])


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 3)),
    seed=st.integers(0, 2**32 - 1),
    shapes=st.lists(TABLE_DIMS, min_size=1, max_size=4),
    rounding=st.sampled_from([0, 5]),
)
def test_the_audit_by_parts_gives_the_ranges_of_the_lp_over_every_dimension(
    sizes: tuple[int, int, int], seed: int, shapes: list[tuple[str, ...]], rounding: int
) -> None:
    """Random true counts over a × b × c, random tables of one or two of the dimensions with
    their margins, random cells suppressed, exact or rounded to 5: every suppressed cell's
    range is the same whether solved by parts or over every atom at once."""
    rng = random.Random(seed)
    codes = {d: [f"{d}{n}" for n in range(k)] for d, k in zip("abc", sizes, strict=True)}
    truth = {atom: rng.randrange(0, 30) for atom in itertools.product(*(codes[d] for d in "abc"))}
    rule = Rule(rounding=rounding)
    cells: list[Published] = []
    for dims in shapes:
        for choice in itertools.product(*([*codes[d], None] for d in dims)):
            held = {d: frozenset({c} if c else codes[d]) for d, c in zip(dims, choice, strict=True)}
            value = sum(
                n for atom, n in truth.items() if all(atom["abc".index(d)] in held[d] for d in dims)
            )
            _, low, high = published_value(value, rule)
            cells.append(Published(held, value, low, high, rng.random() < 0.3, ""))
    expected = joint_ranges(cells)
    got = ranges(cells)
    assert got.keys() == expected.keys()
    for i, (low, high) in expected.items():
        assert got[i][0] == pytest.approx(low, abs=1e-5)
        assert got[i][1] == pytest.approx(high, abs=1e-5) or math.isinf(high) == math.isinf(
            got[i][1]
        )


def regional(*codes: str) -> list[Record]:
    """Incidents of single-incident victims, by region code."""
    return [
        record("ddos", "energy", "P3", "2026-03", f"{code}-{n}", region=code)
        for n, code in enumerate(codes)
    ]


def test_a_table_by_region_counts_a_region_outside_its_list_as_other() -> None:
    records = regional("EE001", "EE001", "EE008", "LV003")
    got = values(build(spec(rows="region", regions=["ee001", "EE004"]), records))
    assert got == {"EE001": 2, "EE004": 0, "other": 2, "Total": 4}


@pytest.mark.parametrize(
    ("declared", "key"),
    [
        ({}, "rows"),
        ({"regions": ["EE001", "not a region"]}, "regions"),
        ({"regions": "EE001"}, "regions"),
    ],
)
def test_a_table_by_region_needs_a_list_of_region_codes(declared: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        spec(rows="region", **declared)
    assert raised.value.field == key


def test_the_desks_regions_are_the_list_of_a_table_that_declares_none() -> None:
    made = spec_of({"name": "t", "rows": "region", "from": "2026-03"}, regions=("EE001",))
    assert made.codes("region") == ("EE001", "other")
    assert made.as_dict()["regions"] == ["EE001"]


def test_regions_one_list_leaves_out_are_in_its_other_for_the_audit() -> None:
    """March by region twice: the first lists EE001 and EE004, the second EE008 too. The first's
    "other" is EE008 and the rest; the attacker subtracts the second's "other" from it and finds
    EE008, which the second hid (with its complement)."""
    records = regional(*(["EE001"] * 12), *(["EE004"] * 12), "EE008", *(["LV003"] * 12))
    first = build(spec(rows="region", regions=["EE001", "EE004"]), records)
    second = build(spec(rows="region", regions=["EE001", "EE004", "EE008"]), records)
    universe = frozenset({"EE001", "EE004", "EE008"})

    def published(table: Table, hidden: set[str], label: str) -> list[Published]:
        return [
            Published(
                audit_codes(table.spec, c.codes, universe),
                c.value,
                c.value,
                c.value,
                c.key[0] in hidden,
                label + c.key[0],
                c.key[0] == "EE008",
            )
            for c in table.cells
        ]

    together = published(first, set(), "1:") + published(second, {"EE008", "EE004"}, "2:")
    assert [leak.label for leak in audit(together, Rule(threshold=3))] == ["2:EE008"]
    alone = published(second, {"EE008", "EE004"}, "2:")
    assert audit(alone, Rule(threshold=3)) == []
