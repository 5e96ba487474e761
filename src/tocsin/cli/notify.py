"""``tocsin notify``: plan notices from events, send them, follow them up."""

from __future__ import annotations

from typing import Annotated

import typer

from tocsin.cli.common import desk, out, shown
from tocsin.services.notices import PER_SENDER, run_round

notify_app = typer.Typer(help="Notices to constituents: plan, send, follow up.")
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        help="Sender processes for a large batch, each over its own SMTP connection "
        f"(each takes at least {PER_SENDER} notices; fewer go from one).",
    ),
]


@notify_app.command("plan")
def notify_plan(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go to whom; record nothing.")
    ] = False,
) -> None:
    """Batch the events no notice has carried yet, per recipient and period."""
    with desk() as d:
        found = d.notifier().plan(dry_run=dry_run)
    for p in found.notices:
        why = "; ".join(str(r) for r, _ in p.reasons.most_common(3))
        out.print(
            shown(
                f"{p.priority} {p.recipient} <{', '.join(p.addresses)}> {p.period}: "
                f"{len(p.event_ids)} events ({why})"
            )
        )
    left = ", ".join(f"{n} {why}" for why, n in found.skipped.items()) or "none"
    verb = "would be planned" if dry_run else "planned"
    out.print(shown(f"{len(found.notices)} notices {verb}; events left out: {left}"))


@notify_app.command("send")
def notify_send(workers: Workers = 2) -> None:
    """Send the notices that are due (planned, or deferred until now)."""
    with desk() as d:
        sent = d.notifier().send(workers=workers)
    parts = ", ".join(f"{n} {state}" for state, n in sorted(sent.outcomes.items())) or "nothing"
    out.print(shown(f"notices: {parts}; {sent.waiting} held back by the per-domain limit"))


@notify_app.command("run")
def notify_run(workers: Workers = 2) -> None:
    """Plan, send, and send again the urgent notices nobody acknowledged (for a timer)."""
    with desk() as d:
        done = run_round(d.notifier(), workers=workers)
    out.print(shown(done.line()))


@notify_app.command("list")
def notify_list(
    status: Annotated[str | None, typer.Option(help="pending, sent, deferred, failed…")] = None,
) -> None:
    """The latest notices, with their state and acknowledgement."""
    with desk() as d:
        rows = d.notifier().listing(200, status)
    for n in rows:
        ack = "acknowledged" if n["acknowledged_at"] else "not acknowledged"
        out.print(
            shown(
                f"{n['id']:>6} {n['priority']} {n['status']:9} {n['recipient']} "
                f"({n['events']} events, {n['attempts']} attempts, {ack}) {n['last_error']}"
            )
        )


@notify_app.command("bounce")
def notify_bounce(
    message_id: Annotated[str, typer.Argument(help="The Message-ID the bounce names.")],
) -> None:
    """Record that a sent notice came back (from a delivery status notification)."""
    with desk() as d:
        notice = d.notifier().bounced(message_id)
    out.print(shown(f"notice {notice['id']} to {notice['recipient']}: bounced"))
