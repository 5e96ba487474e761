"""``tocsin audit`` and ``tocsin sla``: the checks an operator runs from a shell or from cron."""

from __future__ import annotations

import typer

from tocsin.cli.common import desk, operator, out, shown

audit_app = typer.Typer(help="The tamper-evident audit log.")
sla_app = typer.Typer(help="SLA clocks.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the whole audit log; name the first entry altered, removed or
    reordered. Record the head hash elsewhere to catch a log cut short at its end."""
    with desk() as d:
        verdict, head = d.audit.verify(operator())
    if verdict.ok:
        out.print(shown(f"audit log intact: {verdict.checked} entries, head {head or '-'}"))
        return
    out.print(
        shown(
            f"audit log broken at entry {verdict.first_bad}: {verdict.reason} "
            f"({verdict.checked} entries before it are intact)"
        )
    )
    raise typer.Exit(1)


@sla_app.command("check")
def sla_check() -> None:
    """Record every SLA breach since the last check (the server does this each minute; use this
    from cron when it does not run)."""
    with desk() as d:
        breached = d.incidents.check_sla()
    for incident in breached:
        out.print(shown(f"breached: {incident.reference} {incident.title}"))
    out.print(shown(f"{len(breached)} incident(s) newly breached"))
