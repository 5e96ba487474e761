"""``tocsin requests figures``: a year's figures of requests for assistance, as CSV (one table)
or JSON (every table, or one), for the yearly statistics of Regulation (EU) 2023/1543 Art. 28
and the 24/7 point of contact's own (``docs/assistance.md``, section "Figures")."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
import typer

from tocsin.cli.common import desk
from tocsin.cli.person import As, acting
from tocsin.services.types import FIGURE_TABLES


def figures(
    year: Annotated[int, typer.Option(help="The calendar year counted.", min=1970, max=9998)],
    table: Annotated[
        str | None,
        typer.Option(help=f"One table: {', '.join(FIGURE_TABLES)} (CSV: art28 unless given)."),
    ] = None,
    format: Annotated[
        Literal["csv", "json"], typer.Option("--format", help="csv (one table) or json.")
    ] = "csv",
    tz: Annotated[
        str, typer.Option("--tz", help="The zone whose calendar year counts (IANA name).")
    ] = "UTC",
    as_: As = None,
) -> None:
    """A year's figures: requests by basis, country and emergency, refusals, time to data."""
    with desk() as d:
        who = acting(d, as_)
        if format == "csv":
            typer.echo(d.assist_figures.csv(who, year, table or "art28", tz), nl=False)
            return
        if table is not None:
            found = d.assist_figures.table(who, year, table, tz).as_json()
        else:
            found = d.assist_figures.year(who, year, tz).as_json()
    typer.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
