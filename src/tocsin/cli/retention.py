"""``tocsin retention plan`` and ``tocsin retention run``: what each kind's retention would purge
now, and the purge (the server runs it daily as the ``retention`` job)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from tocsin.cli.common import desk, operator, out, shown
from tocsin.model.retention import Expiring
from tocsin.services.retention import REQUESTS

retention_app = typer.Typer(help="How long records are kept, and the purge of what expired.")


@retention_app.command("plan")
def retention_plan() -> None:
    """For each kind (events, raw, quarantine, reporters, evidence, and the requests for
    assistance past their own retention limit): its retention, the cut-off,
    how many records a purge now would take and the oldest one's date. Changes nothing."""
    with desk() as d:
        found = d.retention().plan()
    for item in found:
        out.print(shown(_line(item, "would go")))


@retention_app.command("run")
def retention_run() -> None:
    """Purge now what has expired (each kind's purge written to the audit log)."""
    with desk() as d:
        done = d.retention().run(operator().username)
    for item in done:
        out.print(shown(_line(item, "purged")))


def _line(item: Expiring, verb: str) -> str:
    if item.kind == REQUESTS:  # each request has its own limit
        oldest = f", the oldest limit {_day(item.oldest)}" if item.oldest is not None else ""
        return f"{item.kind}: personal data past each request's limit: {item.count} {verb}{oldest}"
    if not item.days:
        return f"{item.kind}: kept for ever"
    cutoff = _day(item.cutoff)
    oldest = f", oldest {_day(item.oldest)}" if item.oldest is not None else ""
    return f"{item.kind}: {item.days} days (before {cutoff}): {item.count} {verb}{oldest}"


def _day(moment: int) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%d")


__all__ = ["retention_app"]
