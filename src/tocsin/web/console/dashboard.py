"""``/dashboard``: what came in, what is open, the mean times against the SLA, the notices and
the feeds, as SVG charts drawn on the server, each with its table beside it (the desk's staff;
docs/dashboard.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.services.dashboard import DEFAULT_DAYS, WINDOWS, Grid, MonthTimes, Overview
from tocsin.web.common.deps import Acting, Services
from tocsin.web.common.rendering import render
from tocsin.web.console.charts import Chart, grouped, stacked

router = APIRouter(include_in_schema=False)


def duration(seconds: float | None) -> str:
    """Seconds as people read them: 40 s, 12 min, 5.5 h, 3.2 d."""
    if seconds is None:
        return "—"
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:.1f} d"
    if seconds >= 2 * 3_600:
        return f"{seconds / 3_600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def percent(value: float) -> str:
    return f"{value:.0f} %"


def per_day(id: str, title: str, summary: str, grid: Grid) -> Chart:
    names = [day for day, _ in grid.rows]
    short = [day[5:] for day in names]  # MM-DD
    rows = [counts for _, counts in grid.rows]
    return stacked(id, title, summary, names, grid.columns, rows, short=short)


def against_target(id: str, title: str, times: list[MonthTimes], *, resolve: bool) -> Chart:
    """Each month's mean time per priority as a share of the priority's target (100 %: on
    target), so that every priority meets one line."""
    months = sorted({t.month for t in times})
    priorities = sorted({t.priority for t in times})
    found = {(t.month, t.priority): t for t in times}
    values: list[list[float | None]] = []
    for month in months:
        row: list[float | None] = []
        for priority in priorities:
            t = found.get((month, priority))
            mean = None if t is None else (t.mttr if resolve else t.mtta)
            target = 0 if t is None else (t.resolve_target if resolve else t.acknowledge_target)
            row.append(None if mean is None or not target else 100 * mean / target)
        values.append(row)
    what = "resolve" if resolve else "acknowledge"
    summary = (
        f"Mean time to {what} per month and priority, as a share of the priority's SLA target;"
        " the line is the target (100 %). The table beside it gives the times."
    )
    return grouped(
        id,
        title,
        summary,
        months,
        priorities,
        values,
        target=100.0,
        target_text="SLA target",
        fmt=percent,
        whole=False,
    )


def charts(o: Overview) -> dict[str, Chart]:
    ages = o.open
    return {
        "incidents": per_day(
            "c-incidents",
            "Incidents created per day, by type",
            f"{o.incidents.total} incidents created in {o.days} days; the table beside it"
            " gives each day's counts by type.",
            o.incidents,
        ),
        "events": per_day(
            "c-events",
            "Events observed per day, by feed",
            f"{o.events.total} events observed in {o.days} days; the table beside it gives"
            " each day's counts by feed.",
            o.events,
        ),
        "open": stacked(
            "c-open",
            "Open incidents by priority and age",
            f"{ages.total} incidents open now; the table beside it gives them by priority and age.",
            [p for p, _ in ages.rows],
            ages.columns,
            [c for _, c in ages.rows],
        ),
        "mtta": against_target(
            "c-mtta", "Mean time to acknowledge against the SLA", o.times, resolve=False
        ),
        "mttr": against_target(
            "c-mttr", "Mean time to resolve against the SLA", o.times, resolve=True
        ),
        "notices": grouped(
            "c-notices",
            "Notices sent and acknowledged per day",
            f"{sum(c[0] for _, c in o.notices.rows)} notices sent in {o.days} days; the table"
            " beside it gives each day's notices sent and acknowledged since.",
            [day for day, _ in o.notices.rows],
            o.notices.columns,
            [list(c) for _, c in o.notices.rows],
            short=[day[5:] for day, _ in o.notices.rows],
        ),
    }


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, viewer: Acting, desk: Services, days: int = DEFAULT_DAYS
) -> HTMLResponse:
    overview = desk.dashboard.overview(viewer.principal, days)  # staff only (403 otherwise)
    return render(
        request,
        "dashboard.html",
        {
            "viewer": viewer,
            "active": "dashboard",
            "o": overview,
            "charts": charts(overview),
            "windows": WINDOWS,
            "duration": duration,
        },
    )
