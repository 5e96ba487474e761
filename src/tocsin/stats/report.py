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

The fixed words are in ``report_texts.toml`` beside this module, a table a language, with the
labels of the code lists (RSIT classes, NIS2 sectors, priorities); numbers are written as each
language writes them (French: a narrow no-break space between thousands, a decimal comma). The
charts are SVG written here (no JavaScript); the page and the PDF are rendered from one Jinja2
template by the web layer (``web/common/report.py``).
"""

from __future__ import annotations

import statistics
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from babel.dates import format_date

from tocsin.errors import InvalidValue
from tocsin.model.fields import PRIORITIES
from tocsin.stats.outputs import SUPPRESSED, to_json
from tocsin.stats.sdc import Rule
from tocsin.stats.tables import TOTAL

LANGUAGES = ("en", "fr")
THRESHOLD = Rule().threshold  # the releases' default: 10
NNBSP = "\u202f"  # French thousands separator, and before % and units
GROUPED_AT_MOST = 6  # a two-way table with more columns charts its row totals

# the chart's geometry (SVG user units)
WIDTH, LABEL_W, PLOT_W = 680, 250, 330
BAR_H, BAR_GAP, GROUP_GAP, TOP = 14, 2, 10, 8
HATCH_W = 40  # a suppressed bar: the same width whatever the cell's value
SERIES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")  # Okabe–Ito
INK = "#1a1a1a"


# -- the catalogue and the numbers ----------------------------------------------------------------


@cache
def catalogue(lang: str) -> Mapping[str, Mapping[str, str]]:
    """The fixed words of one language (``text``) and its code lists' labels."""
    if lang not in LANGUAGES:
        raise InvalidValue("lang", lang, f"one of {', '.join(LANGUAGES)}")
    source = resources.files("tocsin.stats").joinpath("report_texts.toml").read_text("utf-8")
    found: dict[str, dict[str, str]] = tomllib.loads(source)[lang]
    return found


def words(lang: str) -> Mapping[str, str]:
    return catalogue(lang)["text"]


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``1,234.5`` in English, ``1 234,5`` (narrow no-break space, decimal comma) in French."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def percent(share: float, lang: str) -> str:
    """A share out of 100: ``93.5%``, ``93,5 %`` (``100%``: no decimal when whole)."""
    return _short(share, lang) + (f"{NNBSP}%" if lang == "fr" else "%")


def _short(value: float, lang: str) -> str:
    return number(value, lang, 0 if abs(value - round(value)) < 0.05 else 1)


def duration(seconds: float, lang: str) -> str:
    """Minutes under an hour, hours under two days, days beyond."""
    said = words(lang)
    if seconds < 3600:
        return said["minutes"].format(n=number(seconds / 60, lang))
    if seconds < 48 * 3600:
        return said["hours"].format(n=_short(seconds / 3600, lang))
    return said["days"].format(n=_short(seconds / 86_400, lang))


def count(value: int, lang: str, threshold: int = THRESHOLD) -> str:
    """A count of the service figures: "fewer than 10" below the threshold."""
    if value < threshold:
        return words(lang)["fewer_than"].format(n=number(threshold, lang))
    return number(value, lang)


def month_name(month: str, lang: str, year: bool = True) -> str:
    """``2026-11`` as ``November 2026`` or ``novembre 2026``."""
    y, m = (int(p) for p in month.split("-"))
    return format_date(date(y, m, 1), "LLLL y" if year else "LLLL", locale=lang)


def period(first: str, last: str, lang: str) -> str:
    if first == last:
        return month_name(first, lang)
    same_year = first[:4] == last[:4]
    return words(lang)["period"].format(
        first=month_name(first, lang, year=not same_year), last=month_name(last, lang)
    )


def day(at: int, lang: str) -> str:
    return format_date(datetime.fromtimestamp(at, UTC).date(), "long", locale=lang)


def label(lang: str, dimension: str, code: str) -> str:
    """A code's label in ``lang`` (a type keeps its RSIT name, a month is named)."""
    if code == TOTAL:
        return words(lang)["total"]
    if dimension == "month":
        return month_name(code, lang)
    return catalogue(lang).get(dimension, {}).get(code, code)


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
        said["chart_label"].format(title=chart_name, rows=rows_name),
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


def said_dimension(lang: str, dimension: str) -> str:
    return catalogue(lang)["dimension"].get(dimension, dimension)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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
        caption = said["table_caption"].format(title=title, rows=said_dimension(lang, rows_dim))
        return Grid(f"{anchor}-table", caption, (head_first, _capital(said["measure"])), rows)
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


def _decimal(value: Any, lang: str) -> str:
    if value is None:
        return "?"
    as_float = float(value)
    if as_float == int(as_float):
        return number(as_float, lang)
    places = min(4, max(1, len(f"{as_float:g}".partition(".")[2])))
    return number(as_float, lang, places)


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


@dataclass(frozen=True, slots=True)
class Bar:
    value: int | None  # None: suppressed
    text: str  # written at its end: the figure, or [c]


def _bar(cell: Mapping[str, Any] | None, lang: str) -> Bar:
    shown = _shown(cell, lang)
    if shown.suppressed:
        return Bar(None, SUPPRESSED)
    assert cell is not None
    return Bar(int(cell["shown"]), shown.text)


def hatch(anchor: str) -> str:
    """The hatch of suppressed cells: diagonal lines on white (visible in print, in grey)."""
    return (
        f'<pattern id="hatch-{anchor}" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#333333" stroke-width="1.5"/>'
        "</pattern>"
    )


def bar_chart(
    anchor: str,
    name: str,
    groups: Sequence[tuple[str, Sequence[Bar]]],
    series: Sequence[str],
    suppressed: str,
) -> str:
    """A horizontal bar chart as SVG: a group of bars a row (one bar, or one a column when
    ``series`` names them), a suppressed cell as a hatched bar of fixed width labelled [c], and
    a legend. An image (``role="img"``) named by ``name``; its figures are in the table."""
    values = [b.value for _, bars in groups for b in bars if b.value is not None]
    top = max([*values, 1])
    per_group = max((len(bars) for _, bars in groups), default=1)
    group_h = per_group * BAR_H + (per_group - 1) * BAR_GAP
    y = TOP
    parts: list[str] = []
    any_hidden = False
    for group_label, bars in groups:
        middle = y + group_h / 2
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{middle + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(group_label)}</text>'
        )
        for i, bar in enumerate(bars):
            by = y + i * (BAR_H + BAR_GAP)
            if bar.value is None:
                any_hidden = True
                parts.append(
                    f'<rect class="suppressed" x="{LABEL_W}" y="{by}" width="{HATCH_W}" '
                    f'height="{BAR_H}" fill="url(#hatch-{anchor})" stroke="#333333" '
                    'stroke-width="1"/>'
                )
                end = LABEL_W + HATCH_W
            else:
                width = PLOT_W * bar.value / top
                colour = SERIES[i % len(SERIES)]
                parts.append(
                    f'<rect x="{LABEL_W}" y="{by}" width="{width:.1f}" height="{BAR_H}" '
                    f'fill="{colour}"/>'
                )
                end = LABEL_W + width
            parts.append(
                f'<text x="{end + 4:.1f}" y="{by + BAR_H - 3}" font-size="10" '
                f'fill="{INK}">{escape(bar.text)}</text>'
            )
        y += group_h + GROUP_GAP
    parts.append(
        f'<line x1="{LABEL_W}" y1="{TOP - 2}" x2="{LABEL_W}" y2="{y - GROUP_GAP + 2}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    legend: list[tuple[str, str]] = [(SERIES[i % len(SERIES)], s) for i, s in enumerate(series)]
    if any_hidden:
        legend.append((f"url(#hatch-{anchor})", f"{SUPPRESSED} {suppressed}"))
    x = LABEL_W
    y += 4
    for fill, text in legend:
        width = 22 + 6.2 * len(text)
        if x + width > WIDTH and x > LABEL_W:
            x, y = LABEL_W, y + 18
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="12" fill="{fill}" stroke="#333333" '
            'stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{x + 18}" y="{y + 10}" font-size="10" fill="{INK}">{escape(text)}</text>'
        )
        x += int(width) + 12
    height = y + (18 if legend else 0)
    label_text = escape(name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{label_text}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}"><title>{label_text}</title><defs>{hatch(anchor)}</defs>'
        + "".join(parts)
        + "</svg>"
    )


__all__ = [
    "LANGUAGES",
    "THRESHOLD",
    "Bar",
    "Cell",
    "Grid",
    "PriorityTimes",
    "Report",
    "Requests",
    "Section",
    "Service",
    "Times",
    "bar_chart",
    "build",
    "catalogue",
    "count",
    "duration",
    "method",
    "number",
    "percent",
    "times",
    "within",
    "years",
]
