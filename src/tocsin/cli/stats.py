"""``tocsin stats``: figures for parliament. ``check`` shows what a table would publish and what
it would suppress and why (alone, and with every release before it); ``release`` keeps it for a
second lead, or refuses it when an attacker could derive a suppressed value with the earlier
releases; ``approve`` and ``refuse`` decide (a lead other than its author, who proves it);
``list`` and ``show`` (CSV, SDMX-CSV, JSON) show them. Tables are declared in TOML
(docs/oversight.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, out, shown
from tocsin.cli.person import As, acting, person
from tocsin.model.numbers import MAX_ID

stats_app = typer.Typer(help="Figures for parliament: tables with disclosure control, releases.")

Spec = Annotated[Path, typer.Argument(help="The table's declaration (TOML).", exists=True)]
ReleaseId = Annotated[int, typer.Argument(help="The release's id.", min=1, max=MAX_ID)]


@stats_app.command("check")
def check(spec: Spec, as_: As = None) -> None:
    """What the table would publish, what it suppresses and why; nothing is kept."""
    with desk() as d:
        found = d.oversight.check(acting(d, as_), d.oversight.spec(spec.read_text(), spec.name))
    rule = found.table.spec.rule
    table = Table("cell", "incidents", "victims", "published", "why", box=None)
    for row in found.rows():
        table.add_row(
            *cells(
                "/".join(row["key"]),
                str(row["value"]),
                str(row["victims"]),
                "[c]" if row["suppressed"] else str(row["shown"]),
                row["reason"],
            )
        )
    out.print(table)
    hidden = sum(1 for row in found.rows() if row["suppressed"])
    out.print(
        shown(
            f"{hidden} of {len(found.table.cells)} cells suppressed (threshold {rule.threshold} "
            f"victims, {found.pattern.rounds} integer programs); snapshot {found.snapshot[:16]}"
        )
    )
    for leak in found.leaks:
        out.print(shown(f"with the earlier releases: {leak.line()}"))
    if found.leaks:
        raise typer.Exit(1)


@stats_app.command("release")
def release(spec: Spec, as_: As = None) -> None:
    """Keep the table as a release for a second lead, or refuse it when it leaks."""
    with desk() as d:
        who = person(d, as_)
        kept = d.oversight.release(who, d.oversight.spec(spec.read_text(), spec.name))
    out.print(
        shown(
            f"release {kept['id']} ({kept['name']}): pending; a lead other than {kept['author']} "
            f"publishes it: tocsin stats approve {kept['id']} --as LEAD"
        )
    )


@stats_app.command("approve")
def approve(release_id: ReleaseId, as_: As = None) -> None:
    """Publish a pending release (a lead other than its author)."""
    with desk() as d:
        done = d.oversight.approve(person(d, as_), release_id)
    out.print(shown(f"release {done['id']}: {done['state']} by {done['approver']}"))


@stats_app.command("refuse")
def refuse(
    release_id: ReleaseId,
    reason: Annotated[str, typer.Option(help="Why, for the author and the audit log.")],
    as_: As = None,
) -> None:
    """Refuse a pending release (a lead other than its author)."""
    with desk() as d:
        done = d.oversight.refuse(person(d, as_), release_id, reason)
    out.print(shown(f"release {done['id']}: {done['state']} by {done['approver']}"))


@stats_app.command("list")
def releases(as_: As = None) -> None:
    """The releases, newest first."""
    with desk() as d:
        found = d.oversight.releases(acting(d, as_))
    table = Table("id", "name", "state", "author", "approver", "sha256 of its CSV", box=None)
    for r in found:
        table.add_row(
            *cells(
                str(r["id"]),
                r["name"],
                r["state"],
                r["author"],
                r["approver"] or "-",
                r["digest"][:16],
            )
        )
    out.print(table)


@stats_app.command("show")
def show(
    release_id: ReleaseId,
    format: Annotated[
        Literal["csv", "sdmx", "json"],
        typer.Option("--format", help="csv ([c] where suppressed), sdmx (SDMX-CSV) or json."),
    ] = "csv",
    as_: As = None,
) -> None:
    """A release as its readers load it."""
    with desk() as d:
        text = d.oversight.output(acting(d, as_), release_id, format)
    typer.echo(text, nl=False)
