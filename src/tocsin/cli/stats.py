"""``tocsin stats``: figures for parliament. ``check`` shows what a table would publish and what
it would suppress and why (alone, and with every release before it); ``release`` keeps it for a
second lead, or refuses it when an attacker could derive a suppressed value with the earlier
releases; ``approve`` and ``refuse`` decide (a lead other than its author, who proves it);
``list`` and ``show`` (CSV, SDMX-CSV, JSON) show them; ``ledger`` shows a year's privacy budget
and the differentially private releases that spend it; ``report`` writes a year's report for
parliament (HTML or PDF, English or French). Tables are declared in TOML (docs/oversight.md)."""

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
    if found.noise is not None:  # differential privacy: nothing suppressed, nothing audited
        noise = found.noise.parameters
        out.print(
            shown(
                f"differential privacy: epsilon {noise.epsilon:g}, at most {noise.contributions} "
                f"incidents a victim ({found.noise.left_out} more left out), noise of scale "
                f"{noise.scale:.4g}: 95 % of cells within ±{noise.accuracy95:.4g}; "
                f"snapshot {found.snapshot[:16]}"
            )
        )
        return
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


@stats_app.command("template")
def template(
    name: Annotated[str, typer.Argument(help="annual, art14 (Directive 2013/40) or art28.")],
    year: Annotated[int, typer.Argument(help="The calendar year.", min=1970, max=9998)],
    release: Annotated[
        bool, typer.Option("--release", help="Keep its tables as releases (else check only).")
    ] = False,
    as_: As = None,
) -> None:
    """A template's tables for a year: checked, or released together (none if one leaks)."""
    with desk() as d:
        title, specs = d.oversight.template(name, year)
        if release:
            kept = d.oversight.release_all(person(d, as_), specs)
            for r in kept:
                out.print(shown(f"release {r['id']} ({r['name']}): pending"))
            out.print(shown(f"{title}: {len(kept)} releases; a second lead publishes each"))
            return
        who = acting(d, as_)
        leaked = False
        for spec, found in zip(specs, d.oversight.check_all(who, specs), strict=True):
            hidden = sum(1 for row in found.rows() if row["suppressed"])
            out.print(shown(f"{spec.name}: {hidden} of {len(found.table.cells)} cells suppressed"))
            for leak in found.leaks:
                out.print(shown(f"  with the earlier releases: {leak.line()}"))
            leaked = leaked or bool(found.leaks)
    out.print(shown(f"{title}: {len(specs)} tables"))
    if leaked:
        raise typer.Exit(1)


@stats_app.command("reproduce")
def reproduce(release_id: ReleaseId, as_: As = None) -> None:
    """Build a release again from its declaration: the same snapshot and CSV, or exit 1."""
    with desk() as d:
        again = d.oversight.reproduce(acting(d, as_), release_id)
    said = "the same" if again.same else "different: the data it counted changed"
    out.print(
        shown(
            f"release {release_id}: {said} (snapshot {again.snapshot[:16]}, CSV sha256 "
            f"{again.digest[:16]})"
        )
    )
    if not again.same:
        raise typer.Exit(1)


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


@stats_app.command("ledger")
def ledger(
    year: Annotated[int, typer.Argument(help="The calendar year.", min=1970, max=9999)],
    as_: As = None,
) -> None:
    """A year's privacy budget and the differentially private releases that spend it."""
    with desk() as d:
        book = d.oversight.ledger(acting(d, as_), year)
    table = Table("id", "name", "state", "from", "to", "epsilon", box=None)
    for r in book["releases"]:
        table.add_row(
            *cells(str(r["id"]), r["name"], r["state"], r["from"], r["to"], f"{r['epsilon']:g}")
        )
    out.print(table)
    out.print(
        shown(
            f"{year}: epsilon {book['spent']:g} spent of a budget of {book['budget']:g}, "
            f"{book['left']:g} left"
        )
    )


@stats_app.command("report")
def report(
    year: Annotated[int, typer.Argument(help="The calendar year.", min=1970, max=9998)],
    out_file: Annotated[
        Path, typer.Option("--out", help="The file to write.", dir_okay=False, writable=True)
    ],
    lang: Annotated[
        Literal["en", "fr"], typer.Option("--lang", help="en (English) or fr (French).")
    ] = "en",
    format: Annotated[
        Literal["html", "pdf"],
        typer.Option("--format", help="html (one file, its style inside) or pdf (A4)."),
    ] = "html",
) -> None:
    """The year's report for parliament: its published releases charted, the desk's service
    figures and the methods (public: published releases only)."""
    from tocsin.web.common import report as parliament  # WeasyPrint and Jinja2 only when asked

    with desk() as d:
        made = d.report.build(year, lang)
    if format == "pdf":
        out_file.write_bytes(parliament.pdf(made))
    else:
        out_file.write_text(parliament.html(made), encoding="utf-8")
    out.print(
        shown(f"wrote {out_file} ({format}, {lang}): {len(made.sections)} published release(s)")
    )
