"""The command line: parses options, calls the desk's services, renders the result. No logic
lives here.

One module per command group; ``common`` holds what they share (the consoles, the clock, the
acting person, the desk). Errors become a message and an exit status in one place: the root
command below turns every ``TocsinError`` into ``tocsin: <message>`` on stderr and status 2.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tocsin import __version__
from tocsin.cli.audit import audit_app, sla_app
from tocsin.cli.backup import backup, restore
from tocsin.cli.collect import collect, collectors_app
from tocsin.cli.common import err, out, shown, use_clock
from tocsin.cli.contacts import contacts_app
from tocsin.cli.cvd import cvd_app
from tocsin.cli.events import events
from tocsin.cli.figures import figures
from tocsin.cli.ingest import feeds, ingest, quarantine_app
from tocsin.cli.notify import notify_app
from tocsin.cli.registry import asn_app, constituents_app
from tocsin.cli.requests import requests_app
from tocsin.cli.retention import retention_app
from tocsin.cli.serve import demo, serve, worker
from tocsin.cli.share import partners_app, share_app
from tocsin.cli.stats import stats_app
from tocsin.cli.users import tokens_app, users_app
from tocsin.errors import TocsinError
from tocsin.model.clock import wall_clock

ERROR_STATUS = 2  # a Tocsin error, as for a usage error: the command did not do its work


class Tocsin(TyperGroup):
    """The root command: the one place where a Tocsin error becomes a message and a status."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer's own copy of click types the context
        try:
            return super().invoke(ctx)
        except TocsinError as exc:
            err.print(shown(f"tocsin: {exc}"))
            raise typer.Exit(ERROR_STATUS) from None


app = typer.Typer(
    cls=Tocsin,
    help="Tocsin: the 24/7 desk of a national CSIRT. Ingest feeds, search events, serve the desk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (ingest, feeds, events, collect, serve, worker, demo, backup, restore):
    app.command()(command)
for name, group in (
    ("quarantine", quarantine_app),
    ("users", users_app),
    ("tokens", tokens_app),
    ("audit", audit_app),
    ("sla", sla_app),
    ("notify", notify_app),
    ("constituents", constituents_app),
    ("asn", asn_app),
    ("cvd", cvd_app),
    ("requests", requests_app),
    ("contacts", contacts_app),
    ("partners", partners_app),
    ("share", share_app),
    ("collectors", collectors_app),
    ("retention", retention_app),
    ("stats", stats_app),
):
    app.add_typer(group, name=name)
requests_app.command("figures")(figures)


@app.callback()
def _root(
    context: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    # a test hands its clock in as the context's object; everyone else runs on the wall clock
    use_clock(context.obj if callable(context.obj) else wall_clock)
    if version:
        out.print(shown(f"tocsin {__version__}"))
        raise typer.Exit()


def main() -> None:
    app()


__all__ = ["app", "main"]
