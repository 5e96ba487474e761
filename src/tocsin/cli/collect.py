"""``tocsin collectors list`` and ``tocsin collect``: the feeds Tocsin fetches by itself
(setting ``collectors``, docs/collectors.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, err, out, shown

collectors_app = typer.Typer(help="The collectors of TOCSIN_COLLECTORS: their state and runs.")


def _when(at: int | None) -> str:
    return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if at else "-"


@collectors_app.command("list")
def collectors_list() -> None:
    """List each collector: kind, feed, last success, rows of its last run, their quarantine
    rate, when it is next due, failures in a row."""
    with desk() as d:
        found = d.collectors()
    table = Table(
        "name", "kind", "feed", "last success", "last rows", "quarantined", "next due",
        "failures", box=None,
    )  # fmt: skip
    for status in found:
        state, last = status.state, status.last
        rate = last.quarantine_rate if last else None
        table.add_row(
            *cells(
                status.spec.name,
                status.spec.kind,
                status.spec.feed,
                _when(state.last_success if state else None),
                last.rows if last else "-",
                f"{rate:.1%}" if rate is not None else "-",
                _when(status.next_due) if status.next_due else "now",
                state.failures if state else 0,
            )
        )
    out.print(table)


def collect(
    name: Annotated[
        str | None, typer.Argument(help="Only this collector, due or not.", show_default=False)
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Run once and exit.")] = False,
) -> None:
    """Run the collectors that are due (or the one named) once: fetch, archive, ingest and
    record each run. `tocsin serve` runs them on schedule. Exit status 1 when a run failed."""
    if not once:
        err.print(shown("tocsin: say --once (`tocsin serve` runs the collectors on schedule)"))
        raise typer.Exit(2)
    with desk() as d:
        runs = d.collect(name)
    for run in runs:
        counts = (
            f"{run.objects} objects, {run.rows} rows: accepted {run.accepted}, duplicates "
            f"{run.duplicates}, quarantined {run.quarantined}"
        )
        skipped = f", skipped {run.skipped}" if run.skipped else ""
        verdict = "ok" if run.ok else f"failed: {run.error}"
        out.print(shown(f"{run.collector}: {verdict}; {counts}{skipped}"))
        if run.note:
            out.print(shown(f"  {run.note}"))
    if not runs:
        out.print(shown("no collector is due"))
    if any(not run.ok for run in runs):
        raise typer.Exit(1)
