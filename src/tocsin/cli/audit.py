"""``tocsin audit`` and ``tocsin sla``: the checks an operator runs from a shell or from cron."""

from __future__ import annotations

import typer

from tocsin.cli.common import desk, operator, out, shown

audit_app = typer.Typer(help="The tamper-evident audit log.")
sla_app = typer.Typer(help="SLA clocks.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole audit log under the audit key and against its signed checkpoints: say how
    far it is intact and which checkpoint covers it, or name what broke (GAP: an entry removed;
    REWRITTEN: altered, or the chain recomputed without the key; TRUNCATED: entries removed from
    the end; CHECKPOINT: a checkpoint not signed by the key) with exit status 1."""
    with desk() as d:
        report = d.audit.verify(operator())
    out.print(shown(report.line()))
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Write a signed checkpoint of the audit log's head now (the server writes them on its
    schedule and at shutdown, and every command that writes to the log ends with one)."""
    with desk() as d:
        made = d.audit.checkpoint()
    if made is None:
        out.print(shown("no new entries since the latest checkpoint"))
    else:
        out.print(shown(f"checkpoint written: entry {made.seq}, head {made.head}"))


@sla_app.command("check")
def sla_check() -> None:
    """Record every SLA breach since the last check (the server does this each minute; use this
    from cron when it does not run)."""
    with desk() as d:
        breached = d.incidents.check_sla()
    for incident in breached:
        out.print(shown(f"breached: {incident.reference} {incident.title}"))
    out.print(shown(f"{len(breached)} incident(s) newly breached"))
