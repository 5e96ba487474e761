"""The charts of the yearly report for parliament (``report.py``): horizontal bar charts written
as SVG (no JavaScript), each an image named for screen readers whose figures are in the table
beside it, a suppressed cell drawn as a hatched bar of fixed width labelled ``[c]`` (the hatch
kept in print).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tocsin.stats.outputs import SUPPRESSED

# the chart's geometry (SVG user units)
WIDTH, LABEL_W, PLOT_W = 680, 250, 330
BAR_H, BAR_GAP, GROUP_GAP, TOP = 14, 2, 10, 8
HATCH_W = 40  # a suppressed bar: the same width whatever the cell's value
SERIES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")  # Okabe–Ito
INK = "#1a1a1a"


@dataclass(frozen=True, slots=True)
class Bar:
    value: int | None  # None: suppressed
    text: str  # written at its end: the figure, or [c]


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


__all__ = ["Bar", "bar_chart", "hatch"]
