"""``tocsin events``: search the stored events and print them as a table, JSON lines, CSV or one
STIX 2.1 bundle."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import Annotated

import orjson
import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, operator, out
from tocsin.formats import stix
from tocsin.formats.notices import safe_cell
from tocsin.model.event import Event
from tocsin.services.events import make_filter

FORMATS = ("table", "jsonl", "csv", "stix")
CSV_FIELDS = (
    "time.source",
    "time.observation",
    "classification.taxonomy",
    "classification.type",
    "source.ip",
    "source.port",
    "source.network",
    "source.asn",
    "source.fqdn",
    "source.url",
    "source.geolocation.cc",
    "destination.ip",
    "destination.port",
    "malware.name",
    "tocsin.constituent",
    "tocsin.sector",
    "tocsin.priority",
    "tlp",
    "feed.name",
    "tocsin.fingerprint",
)


def events(
    ip: Annotated[str | None, typer.Option(help="Source address or network (CIDR).")] = None,
    asn: Annotated[str | None, typer.Option(help="Source AS number.")] = None,
    fqdn: Annotated[str | None, typer.Option(help="Source domain name.")] = None,
    url: Annotated[str | None, typer.Option(help="Source URL.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="RSIT classification type.")] = None,
    constituent: Annotated[str | None, typer.Option(help="Constituent name.")] = None,
    priority: Annotated[str | None, typer.Option(help="P1, P2, P3 or P4.")] = None,
    feed: Annotated[str | None, typer.Option(help="Feed name.")] = None,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601, UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (ISO 8601, UTC).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many events (1–1000 per page).")] = 100,
    all_: Annotated[
        bool, typer.Option("--all", help="Every matching event, page by page.")
    ] = False,
    format_: Annotated[
        str,
        typer.Option("--format", help="table, jsonl (harmonized names), csv or stix (a bundle)."),
    ] = "table",
) -> None:
    """Search stored events, newest first."""
    if format_ not in FORMATS:
        raise typer.BadParameter("must be table, jsonl, csv or stix", param_hint="'--format'")
    query = make_filter(
        ip=ip,
        asn=asn,
        fqdn=fqdn,
        url=url,
        type=type_,
        constituent=constituent,
        priority=priority,
        feed=feed,
        since=since,
        until=until,
        limit=min(limit, 1000),
    )
    with desk() as d:
        found = d.events.matching(operator(), query, every=all_)
        if format_ == "stix":
            _print_stix(found, d.settings.notify_team)
        elif format_ == "jsonl":
            for event in found:
                sys.stdout.write(orjson.dumps(event).decode() + "\n")
        elif format_ == "csv":
            _print_csv(found)
        else:
            _print_table(found)


def _print_csv(found: Iterator[Event]) -> None:
    """The events as CSV; a cell a spreadsheet would run as a formula is escaped, as in the
    notices' attachment."""
    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_FIELDS)
    for event in found:
        writer.writerow([safe_cell(event.get(name)) for name in CSV_FIELDS])


def _print_table(found: Iterator[Event]) -> None:
    table = Table(
        "time", "type", "source", "constituent", "prio", "tlp", "feed", box=None, show_edge=False
    )
    for event in found:
        table.add_row(
            *cells(
                event.get("time.source") or event.get("time.observation", ""),
                event.get("classification.type", ""),
                _source(event),
                event.get("tocsin.constituent", ""),
                event.get("tocsin.priority", ""),
                event.get("tlp", ""),
                event.get("feed.name", ""),
            )
        )
    out.print(table)


def _source(event: Event) -> str:
    """Where the event came from, in one cell: address and port, network, URL or domain."""
    source = event.get("source.ip") or event.get("source.network") or ""
    if event.get("source.ip") and event.get("source.port") is not None:
        host = f"[{source}]" if ":" in source else source
        source = f"{host}:{event['source.port']}"
    return str(source or event.get("source.url") or event.get("source.fqdn") or "")


def _print_stix(found: Iterator[Event], team: str) -> None:
    """The events as one STIX 2.1 bundle (only the fields that may ever leave are mapped)."""
    producer = stix.producer_identity(team)
    objects = [producer]
    for event in found:
        objects.extend(stix.event_objects(event, producer))
    sys.stdout.write(stix.dumps(stix.bundle(objects)).decode() + "\n")
