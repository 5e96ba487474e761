"""The yearly report for parliament, as data: for a year, a section per published release whose
period lies within it (its title, a bar chart, its table), the desk's service figures, and the
methods in plain words, in English or French (docs/oversight.md, "The report for parliament").

Only published releases are read, and of each only what it publishes (``shown``, ``suppressed``),
never a cell's true value: the report discloses nothing the releases do not, and their audit
across releases already protects every suppressed cell. A suppressed cell is drawn as a hatched
bar of fixed width labelled ``[c]``, never as a bar of its value nor as zero.

The service figures (``Service``: gathered by ``services/report.py``, where the layers allow it)
get disclosure control of their own: a count below the threshold is shown as "fewer than 10",
and a time or rate computed over fewer items is not shown (``[c]``), nor a rate whose numerator
is such a count. Incident counts are left to the releases: a count of incidents by priority
beside a release by priority would give back what that release suppresses.

The words and numbers are written by ``wording.py`` (the fixed words in ``report_texts.toml``,
numbers as each language writes them) and the charts drawn by ``charts.py`` (SVG, no
JavaScript); the page and the PDF are rendered from one Jinja2 template by the web layer
(``web/common/report.py``). What is left here stays one module because it is one path: a
release's cells become its table, its chart's bars and its methods, and the service figures
their tables, each through the same disclosure rule (``_shown``, the threshold).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.model.fields import PRIORITIES
from tocsin.stats.charts import Bar, bar_chart
from tocsin.stats.outputs import SUPPRESSED, to_json
from tocsin.stats.tables import TOTAL
from tocsin.stats.wording import (
    THRESHOLD,
    _capital,
    _decimal,
    count,
    day,
    duration,
    label,
    number,
    percent,
    period,
    said_dimension,
    words,
)

GROUPED_AT_MOST = 6  # a two-way table with more columns charts its row totals


# -- what the report is made of -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class Grid:
    """A table: its caption, column heads (the first heads the row labels) and rows."""

    anchor: str
    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]


@dataclass(frozen=True, slots=True)
class Section:
    """One published release: its title, what it counts, its chart and its table."""

    anchor: str
    release_id: int
    title: str
    meta: str  # release number, period, date of publication
    chart: str  # SVG
    grid: Grid
    suppressed: str  # "3 of 12 cells suppressed.", or ""
    methods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    year: int
    lang: str
    words: Mapping[str, str]
    title: str
    intro: str
    sections: tuple[Section, ...]
    service_intro: str
    service: tuple[Grid, ...]
    methods: tuple[str, ...]  # the service figures' methods and the sources
    legend: str  # the hatch's meaning
    generated: str

    @property
    def text(self) -> str:
        """Every word and figure of the report, for a test to search."""
        parts = [self.title, self.intro, self.service_intro, *self.methods, self.generated]
        for section in self.sections:
            parts += [section.title, section.meta, section.chart, *section.methods]
            parts += _grid_text(section.grid)
        for grid in self.service:
            parts += _grid_text(grid)
        return "\n".join(parts)


def _grid_text(grid: Grid) -> list[str]:
    return [grid.caption, *grid.head] + [
        f"{name} " + " ".join(c.text for c in cells) for name, cells in grid.rows
    ]


# -- the service figures --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Times:
    """Times (seconds) of ``items`` incidents: their mean, median and how many met the target."""

    items: int = 0
    mean: float | None = None
    median: float | None = None
    within: int = 0


def times(values: Sequence[float], target: int) -> Times:
    if not values:
        return Times()
    within = sum(1 for v in values if v <= target) if target else 0
    return Times(len(values), statistics.fmean(values), statistics.median(values), within)


@dataclass(frozen=True, slots=True)
class PriorityTimes:
    priority: str
    acknowledge_target: int  # seconds (0: no target)
    resolve_target: int
    acknowledge: Times
    resolve: Times


@dataclass(frozen=True, slots=True)
class Requests:
    """Requests for assistance of one direction issued (or received) in the year."""

    direction: str  # outgoing, incoming
    requests: int
    answered: int  # with data: the turnaround is computed over these
    hours_median: float | None
    hours_mean: float | None


@dataclass(frozen=True, slots=True)
class Service:
    """The desk's own figures for a year, before disclosure control."""

    priorities: tuple[PriorityTimes, ...] = ()
    notices_sent: int = 0
    notices_acknowledged: int = 0
    cvd_opened: int = 0
    cvd_published: int = 0
    requests: tuple[Requests, ...] = ()


# -- the report -----------------------------------------------------------------------------------


def within(release: Mapping[str, Any], year: int) -> bool:
    """A release whose whole period lies in ``year``."""
    spec = release["spec"]
    return bool(spec["from"][:4] == spec["to"][:4] == f"{year:04d}")


def years(releases: Sequence[Mapping[str, Any]]) -> list[int]:
    """The years a report can be made for: those with a published release inside them, newest
    first."""
    found = {
        int(r["spec"]["from"][:4])
        for r in releases
        if r["state"] == "published" and r["spec"]["from"][:4] == r["spec"]["to"][:4]
    }
    return sorted(found, reverse=True)


def build(
    year: int,
    lang: str,
    releases: Sequence[Mapping[str, Any]],
    service: Service,
    *,
    now: int,
    threshold: int = THRESHOLD,
) -> Report:
    """The report of ``year`` in ``lang`` from the published releases (any other is left out)
    and the service figures."""
    said = words(lang)
    kept = sorted(
        (r for r in releases if r["state"] == "published" and within(r, year)),
        key=lambda r: int(r["id"]),
    )
    n = number(threshold, lang)
    return Report(
        year=year,
        lang=lang,
        words=said,
        title=said["title"].format(year=year),
        intro=said["intro"].format(year=year),
        sections=tuple(_section(r, lang) for r in kept),
        service_intro=said["service_intro"].format(year=year),
        service=_service(service, lang, threshold),
        methods=(
            said["methods_service"].format(year=year),
            said["methods_service_sdc"].format(n=n),
            said["methods_sources"],
        ),
        legend=f"{SUPPRESSED} {said['suppressed']}",
        generated=said["generated"].format(date=day(now, lang)),
    )


def _section(release: Mapping[str, Any], lang: str) -> Section:
    said = words(lang)
    spec = release["spec"]
    rows_dim, columns_dim = spec["rows"], spec.get("columns")
    row_codes = _codes(release, 0)
    column_codes = _codes(release, 1) if columns_dim else []
    cells = {tuple(c["key"]): c for c in release["cells"]}
    anchor = f"release-{release['id']}"
    title = str(release["title"])
    rows_name = said_dimension(lang, rows_dim)
    columns_name = said_dimension(lang, columns_dim) if columns_dim else ""
    grid = _release_grid(anchor, title, lang, spec, row_codes, column_codes, cells)
    grouped = bool(columns_dim) and len(column_codes) <= GROUPED_AT_MOST
    groups: list[tuple[str, list[Bar]]] = []
    series: list[str] = []
    for code in row_codes:
        if grouped:
            series = [label(lang, columns_dim, c) for c in column_codes]
            bars = [_bar(cells.get((code, c)), lang) for c in column_codes]
        else:
            key = (code, TOTAL) if columns_dim else (code,)
            bars = [_bar(cells.get(key), lang)]
        groups.append((label(lang, rows_dim, code), bars))
    chart_name = title
    if columns_dim and not grouped:
        chart_name = f"{title} ({said['chart_total'].format(columns=columns_name)})"
    chart = bar_chart(
        anchor,
        said["chart_label"].format(title=chart_name, rows=rows_name, measure=_measure(lang, spec)),
        groups,
        series,
        said["suppressed"],
    )
    hidden = sum(1 for c in release["cells"] if c["suppressed"])
    first, last = str(spec["from"]), str(spec["to"])
    decided = release.get("decided") or release.get("created") or 0
    return Section(
        anchor=anchor,
        release_id=int(release["id"]),
        title=title,
        meta=said["release_meta"].format(
            id=release["id"], period=period(first, last, lang), date=day(int(decided), lang)
        ),
        chart=chart,
        grid=grid,
        suppressed=(
            said["suppressed_count"].format(
                n=number(hidden, lang), cells=number(len(release["cells"]), lang)
            )
            if hidden
            else ""
        ),
        methods=method(release, lang),
    )


def _codes(release: Mapping[str, Any], at: int) -> list[str]:
    """The codes of the rows (``at`` 0) or columns (1) in the release's order, totals left out."""
    found: dict[str, None] = {}
    for cell in release["cells"]:
        if len(cell["key"]) > at and cell["key"][at] != TOTAL:
            found.setdefault(cell["key"][at], None)
    return list(found)


def _shown(cell: Mapping[str, Any] | None, lang: str) -> Cell:
    if cell is None or cell["suppressed"] or cell.get("shown") is None:
        return Cell(SUPPRESSED, True)
    return Cell(number(int(cell["shown"]), lang))


def _release_grid(
    anchor: str,
    title: str,
    lang: str,
    spec: Mapping[str, Any],
    row_codes: Sequence[str],
    column_codes: Sequence[str],
    cells: Mapping[tuple[str, ...], Mapping[str, Any]],
) -> Grid:
    said = words(lang)
    rows_dim, columns_dim = spec["rows"], spec.get("columns")
    head_first = _capital(said_dimension(lang, rows_dim))
    if not columns_dim:
        rows = tuple(
            (label(lang, rows_dim, code), (_shown(cells.get((code,)), lang),))
            for code in (*row_codes, TOTAL)
        )
        measure = _measure(lang, spec)
        caption = said["table_caption"].format(
            title=title, rows=said_dimension(lang, rows_dim), measure=measure
        )
        return Grid(f"{anchor}-table", caption, (head_first, _capital(measure)), rows)
    head = (
        head_first,
        *(label(lang, columns_dim, c) for c in column_codes),
        said["total"],
    )
    rows = tuple(
        (
            label(lang, rows_dim, r),
            tuple(_shown(cells.get((r, c)), lang) for c in (*column_codes, TOTAL)),
        )
        for r in (*row_codes, TOTAL)
    )
    caption = said["table_caption_2"].format(
        title=title,
        rows=said_dimension(lang, rows_dim),
        columns=said_dimension(lang, columns_dim),
        measure=_measure(lang, spec),
    )
    return Grid(f"{anchor}-table", caption, head, rows)


def method(release: Mapping[str, Any], lang: str) -> tuple[str, ...]:
    """How a release was protected, in plain words, from its stored parameters: suppression
    (threshold, dominance, secondary suppression and the audit across releases, rounding, the
    protection interval) or differential privacy (``method = "dp"``, its epsilon and accuracy)."""
    said = words(lang)
    spec = release["spec"]
    published = to_json(dict(release))["method"]
    stated = {**spec, **published}
    rounding = int(stated.get("rounding") or 0)
    rounded = said["method_rounding"].format(base=number(rounding, lang))
    if stated.get("method") == "dp":
        found = [said["method_dp"].format(epsilon=_decimal(stated.get("epsilon"), lang))]
        if stated.get("contributions") is not None:
            found.append(
                said["method_dp_contributions"].format(
                    contributions=_decimal(stated["contributions"], lang)
                )
            )
        accuracy = stated.get("accuracy95")
        if stated.get("scale") is not None and accuracy is not None:
            found.append(
                said["method_dp_accuracy"].format(
                    scale=_decimal(stated["scale"], lang), accuracy=_decimal(accuracy, lang)
                )
            )
        if rounding > 1:
            found.append(rounded)
        return tuple(found)
    dominance = stated.get("dominance") or {"n": 2, "k": 0.9}
    found = [
        said["method_threshold"].format(threshold=number(int(stated.get("threshold", 10)), lang)),
        said["method_dominance"].format(
            n=number(int(dominance["n"]), lang), k=percent(100 * float(dominance["k"]), lang)
        ),
    ]
    if stated.get("zeros_disclosive"):
        found.append(said["method_zeros"])
    found.append(said["method_secondary"])
    protection = float(stated.get("protection", 0.5))
    found.append(said["method_protection"].format(share=percent(100 * protection, lang)))
    found.append(rounded if rounding > 1 else said["method_exact"])
    return tuple(found)


def _service(service: Service, lang: str, threshold: int) -> tuple[Grid, ...]:
    said = words(lang)
    hidden = Cell(SUPPRESSED, True)

    def time(t: Times, value: float | None) -> Cell:
        return hidden if t.items < threshold or value is None else Cell(duration(value, lang))

    def share(t: Times, target: int) -> Cell:
        if t.items < threshold or not target:
            return hidden
        return Cell(percent(100 * t.within / t.items, lang))

    def target(seconds: int) -> Cell:
        return Cell(duration(seconds, lang) if seconds else "–")

    by_priority = {p.priority: p for p in service.priorities}
    names = (*PRIORITIES, *sorted(set(by_priority) - set(PRIORITIES)))
    clocks = []
    for clock in ("acknowledge", "resolve"):
        rows = []
        for name in names:
            p = by_priority.get(name) or PriorityTimes(name, 0, 0, Times(), Times())
            t: Times = getattr(p, clock)
            goal: int = getattr(p, f"{clock}_target")
            cells = (target(goal), time(t, t.mean), time(t, t.median), share(t, goal))
            rows.append((label(lang, "priority", name), cells))
        head = tuple(said[f"{clock}_{part}"] for part in ("target", "mean", "median", "within"))
        clocks.append(
            Grid(f"service-{clock}", said[f"times_{clock}"], (said["priority"], *head), tuple(rows))
        )
    sent, acknowledged = service.notices_sent, service.notices_acknowledged
    rate = (
        Cell(percent(100 * acknowledged / sent, lang))
        if sent >= threshold and acknowledged >= threshold
        else hidden
    )
    notices = Grid(
        "service-notices",
        said["notices"],
        (said["figure"], said["value"]),
        (
            (said["notices_sent"], (Cell(count(sent, lang, threshold)),)),
            (said["notices_acknowledged"], (Cell(count(acknowledged, lang, threshold)),)),
            (said["notices_rate"], (rate,)),
        ),
    )
    cvd = Grid(
        "service-cvd",
        said["cvd"],
        (said["figure"], said["value"]),
        (
            (said["cvd_opened"], (Cell(count(service.cvd_opened, lang, threshold)),)),
            (said["cvd_published"], (Cell(count(service.cvd_published, lang, threshold)),)),
        ),
    )
    by_direction = {r.direction: r for r in service.requests}
    assist_rows = []
    for direction in ("outgoing", "incoming"):
        found = by_direction.get(direction) or Requests(direction, 0, 0, None, None)

        def hours(value: float | None, found: Requests = found) -> Cell:
            if found.answered < threshold or value is None:
                return hidden
            return Cell(duration(value * 3600, lang))

        assist_rows.append(
            (
                said[direction],
                (
                    Cell(count(found.requests, lang, threshold)),
                    Cell(count(found.answered, lang, threshold)),
                    hours(found.hours_median),
                    hours(found.hours_mean),
                ),
            )
        )
    assist = Grid(
        "service-assist",
        said["assist"],
        (
            said["direction"],
            said["requests"],
            said["answered"],
            said["hours_median"],
            said["hours_mean"],
        ),
        tuple(assist_rows),
    )
    return (*clocks, notices, cvd, assist)


# -- the chart ------------------------------------------------------------------------------------


def _bar(cell: Mapping[str, Any] | None, lang: str) -> Bar:
    shown = _shown(cell, lang)
    if shown.suppressed:
        return Bar(None, SUPPRESSED)
    assert cell is not None
    return Bar(int(cell["shown"]), shown.text)


def _measure(lang: str, spec: Mapping[str, Any]) -> str:
    """What a release counts, in ``lang``: incidents (releases made before measures had a
    name), reports (events), victims or requests."""
    return words(lang)[f"measure_{spec.get('measure', 'incidents')}"]


__all__ = [
    "Cell",
    "Grid",
    "PriorityTimes",
    "Report",
    "Requests",
    "Section",
    "Service",
    "Times",
    "build",
    "method",
    "times",
    "within",
    "years",
]
