"""Bar charts as SVG geometry computed here, drawn by the dashboard's template: no JavaScript,
no inline style (the CSP forbids it; colours are classes of console.css, ``s0`` to ``s7``).

Each chart is an image (``role="img"``) named by its title and described by a sentence; its
figures are in the table the page sets beside it, for screen readers and for anyone who wants
the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 30
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COLOURS = 8  # series s0 … s7 in console.css; a stack of more folds its smallest into "other"
MAX_TICKS = 8  # labels under the bars, at most


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str  # what a pointer shows: the bar's label, series and value


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    summary: str
    bars: list[Bar]
    labels: list[Label]
    grid: list[float]  # y of each horizontal line
    legend: list[tuple[str, int]]  # series name, colour
    target: float | None = None  # y of the target line
    target_text: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT


def axis(top: float, *, whole: bool = True) -> tuple[float, float]:
    """The axis's top and its step: four steps of 1, 2, 2.5 or 5 × 10^k covering ``top``
    (whole steps only, for counts)."""
    if top <= 0:
        return 4.0, 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    return step * 4, step


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_H * (1 - value / top), 1)


def _scale(top: float, fmt: Callable[[float], str]) -> tuple[list[float], list[Label]]:
    step = top / 4
    values = [step * i for i in range(5)]
    grid = [_y(v, top) for v in values]
    return grid, [Label(LEFT - 4, y + 4, fmt(v), "end") for v, y in zip(values, grid, strict=True)]


def _under(names: Sequence[str], slot: float) -> list[Label]:
    every = max(1, math.ceil(len(names) / MAX_TICKS))
    return [
        Label(round(LEFT + slot * (i + 0.5), 1), HEIGHT - BOTTOM + 16, name)
        for i, name in enumerate(names)
        if i % every == 0
    ]


def fold(
    columns: Sequence[str], rows: Sequence[Sequence[int]]
) -> tuple[list[str], list[list[int]]]:
    """At most ``COLOURS`` series: past the seventh, the columns add up as "other"."""
    if len(columns) <= COLOURS:
        return list(columns), [list(r) for r in rows]
    keep = COLOURS - 1
    return [*columns[:keep], "other"], [[*r[:keep], sum(r[keep:])] for r in rows]


def count(value: float) -> str:
    return f"{value:g}"


def stacked(
    id: str,
    title: str,
    summary: str,
    names: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[int]],
    *,
    short: Sequence[str] | None = None,
) -> Chart:
    """One bar per name, stacked by column; ``short`` names go under the bars."""
    series, counts = fold(columns, rows)
    top, _ = axis(max((sum(r) for r in counts), default=0))
    slot = PLOT_W / max(1, len(names))
    width = round(max(slot * 0.7, 0.5), 2)
    bars: list[Bar] = []
    for i, (name, row) in enumerate(zip(names, counts, strict=True)):
        base = 0
        for s, value in enumerate(row):
            if value:
                y = _y(base + value, top)
                bottom = _y(base, top)
                x = round(LEFT + slot * i + (slot - width) / 2, 2)
                bars.append(
                    Bar(x, y, width, round(bottom - y, 1), s, f"{name}, {series[s]}: {value}")
                )
            base += value
    grid, labels = _scale(top, count)
    labels += _under(short or names, slot)
    return Chart(id, title, summary, bars, labels, grid, [(n, i) for i, n in enumerate(series)])


def grouped(
    id: str,
    title: str,
    summary: str,
    names: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    target: float | None = None,
    target_text: str = "",
    fmt: Callable[[float], str] = count,
    whole: bool = True,
    short: Sequence[str] | None = None,
) -> Chart:
    """A group of bars per name, one per series (None: no bar); a line at ``target``."""
    highest = max((v for row in values for v in row if v is not None), default=0.0)
    top, _ = axis(max(highest, (target or 0) * 1.25), whole=whole)
    slot = PLOT_W / max(1, len(names))
    width = round(max(slot * 0.8 / max(1, len(series)), 0.5), 2)
    bars = [
        Bar(
            round(LEFT + slot * i + slot * 0.1 + width * s, 2),
            _y(value, top),
            width,
            round(_y(0, top) - _y(value, top), 1),
            s,
            f"{name}, {series[s]}: {fmt(value)}",
        )
        for i, (name, row) in enumerate(zip(names, values, strict=True))
        for s, value in enumerate(row)
        if value  # no bar for nothing (0) or no figure (None)
    ]
    grid, labels = _scale(top, fmt)
    labels += _under(short or names, slot)
    return Chart(
        id,
        title,
        summary,
        bars,
        labels,
        grid,
        [(n, i) for i, n in enumerate(series)],
        target=_y(target, top) if target is not None else None,
        target_text=target_text,
    )


__all__ = ["Chart", "axis", "fold", "grouped", "stacked"]
