"""``tocsin constituents`` and ``tocsin asn``: the registry the pipeline enriches events with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, err, out, shown
from tocsin.model.people import Principal

constituents_app = typer.Typer(help="The constituency registry: import and list organisations.")
asn_app = typer.Typer(help="The IP-to-ASN table used for enrichment (ip2asn TSV layout).")
SHOWN_REFUSALS = 20  # refused lines printed one by one; the rest are counted


@constituents_app.command("import")
def constituents_import(
    path: Annotated[Path, typer.Argument(help="TOML ([[constituent]] tables) or CSV file.")],
) -> None:
    """Replace the constituency registry with the organisations in a TOML or CSV file (in the
    audit log, as Tocsin's own change)."""
    with desk() as d:
        count = d.registry.import_file(Principal.system(), path)
    out.print(shown(f"imported {count} constituents"))


@constituents_app.command("list")
def constituents_list() -> None:
    """List the constituents with their sector, networks, ASNs and domains."""
    with desk() as d:
        members = d.intake.constituents()
    table = Table("name", "sector", "networks", "asns", "domains", "abuse contact", box=None)
    for c in members:
        table.add_row(
            *cells(
                c.name,
                c.sector,
                " ".join(c.networks),
                " ".join(str(a) for a in c.asns),
                " ".join(c.domains),
                c.abuse_contact or "",
            )
        )
    out.print(table)


@asn_app.command("import")
def asn_import(
    path: Annotated[Path, typer.Argument(help="ip2asn TSV: start, end, ASN, country, AS name.")],
) -> None:
    """Replace the IP-to-ASN table with an ip2asn-combined/v4/v6 TSV file."""
    with desk() as d:
        count, refused = d.intake.import_asn_table(path)
    for problem in refused[:SHOWN_REFUSALS]:
        err.print(shown(f"tocsin: {path}: {problem}"))
    if len(refused) > SHOWN_REFUSALS:
        err.print(shown(f"tocsin: … and {len(refused) - SHOWN_REFUSALS} more lines refused"))
    out.print(shown(f"imported {count} ranges, refused {len(refused)} lines"))
