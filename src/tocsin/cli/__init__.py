"""The command line: parses options, calls the services, renders the result. No logic lives here."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from tocsin import __version__
from tocsin.cli.common import audit_app, clock, operator, sla_app, tokens_app, use_clock, users_app
from tocsin.cli.cvd import cvd_app
from tocsin.cli.notify import notify_app
from tocsin.cli.share import partners_app, share_app
from tocsin.errors import InvalidValue, TocsinError
from tocsin.model.clock import wall_clock
from tocsin.pipeline.parsers import all_parsers
from tocsin.pipeline.runner import Chunk
from tocsin.services import events as event_service
from tocsin.services import quarantine as quarantine_service
from tocsin.services import registry
from tocsin.services.ingest import ingest as run_ingest
from tocsin.services.ingest import inputs, load_mapping
from tocsin.services.stores import open_configured_store
from tocsin.settings import Settings

app = typer.Typer(
    help="Tocsin: the 24/7 desk of a national CSIRT. Ingest feeds, search events, serve the desk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
quarantine_app = typer.Typer(help="Rows that could not become events: list, show, retry.")
constituents_app = typer.Typer(help="The constituency registry: import and list organisations.")
asn_app = typer.Typer(help="The IP-to-ASN table used for enrichment (ip2asn TSV layout).")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(sla_app, name="sla")
app.add_typer(notify_app, name="notify")
app.add_typer(constituents_app, name="constituents")
app.add_typer(asn_app, name="asn")
app.add_typer(cvd_app, name="cvd")
app.add_typer(partners_app, name="partners")
app.add_typer(share_app, name="share")

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:  # piped or redirected: whole values, never cut to 80 columns
    out = Console(highlight=False, soft_wrap=True, width=100_000)
err = Console(stderr=True, highlight=False)
if not err.is_terminal:
    err = Console(stderr=True, highlight=False, soft_wrap=True, width=100_000)

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


@contextmanager
def errors_as_messages() -> Iterator[None]:
    """Every Tocsin error ends as one line on stderr and exit status 2."""
    try:
        yield
    except TocsinError as exc:
        err.print(f"tocsin: {exc}", markup=False)
        raise typer.Exit(2) from None


def settings() -> Settings:
    return Settings.load()


@app.callback()
def _root(
    context: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    # a test hands its clock in as the context's object; everyone else runs on the wall clock
    use_clock(context.obj if callable(context.obj) else wall_clock)
    if version:
        out.print(f"tocsin {__version__}")
        raise typer.Exit()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Feed files to read.", show_default=False)],
    feed: Annotated[str, typer.Option("--feed", "-f", help="Feed format (see `tocsin feeds`).")],
    mapping: Annotated[
        Path | None, typer.Option(help="TOML column mapping for generic-csv / generic-jsonl.")
    ] = None,
    tlp: Annotated[
        str | None, typer.Option(help="TLP for these events (default: the feed's).")
    ] = None,
    window: Annotated[
        int | None, typer.Option(help="Dedupe window in seconds (default: the setting).")
    ] = None,
) -> None:
    """Run feed files through the pipeline into the store; print read / accepted / duplicates /
    quarantined. Exit status 1 only when an input cannot be read."""
    config = settings()
    with errors_as_messages():
        options = load_mapping(mapping)
        store = open_configured_store(config)
        try:
            with _progress() as advance:
                summary = run_ingest(
                    config,
                    store,
                    inputs(feed, [str(p) for p in paths]),
                    feed,
                    options=options,
                    tlp=tlp,
                    window=window,
                    progress=advance,
                )
        finally:
            store.close()
    for failed in summary.unreadable:
        err.print(f"tocsin: cannot read {failed.error}", markup=False)
    out.print(summary.line(), markup=False)
    if summary.quarantined:
        out.print("see them with: tocsin quarantine list", markup=False)
    if summary.unreadable:
        raise typer.Exit(1)


@contextmanager
def _progress() -> Iterator[Any]:
    if not err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}
        done: dict[tuple[str, int], int] = {}

        def advance(chunk: Chunk) -> None:
            if chunk.file not in tasks:
                size = Path(chunk.file).stat().st_size if Path(chunk.file).exists() else 1
                tasks[chunk.file] = bar.add_task(Path(chunk.file).name, total=max(size, 1))
            done[(chunk.file, chunk.size)] = chunk.position  # one entry per part of a file
            total = sum(v for (f, _), v in done.items() if f == chunk.file)
            bar.update(tasks[chunk.file], completed=total)

        yield advance


@app.command()
def feeds() -> None:
    """List the feed formats Tocsin reads, with a line of help each."""
    table = Table("feed", "provider", "default TLP", "what it reads", box=None)
    for name, parser in all_parsers().items():
        table.add_row(name, parser.provider, parser.default_tlp, parser.help)
    out.print(table)


@app.command()
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
    if format_ not in {"table", "jsonl", "csv", "stix"}:
        err.print("tocsin: --format must be table, jsonl, csv or stix")
        raise typer.Exit(2)
    config = settings()
    with errors_as_messages():
        query = event_service.make_filter(
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
        store = open_configured_store(config)
        try:
            _print_events(store, query, format_, all_)
        finally:
            store.close()


def _print_events(store: Any, query: Any, format_: str, all_: bool) -> None:
    from dataclasses import replace

    if format_ == "stix":
        _print_stix(store, query, all_)
        return
    writer = csv.writer(sys.stdout) if format_ == "csv" else None
    if writer is not None:
        writer.writerow(CSV_FIELDS)
    table = Table(
        "time", "type", "source", "constituent", "prio", "tlp", "feed", box=None, show_edge=False
    )
    while True:
        page = event_service.search(store, operator(), query)
        for event in page.events:
            if format_ == "jsonl":
                sys.stdout.write(orjson.dumps(event).decode() + "\n")
            elif writer is not None:
                writer.writerow([event.get(name, "") for name in CSV_FIELDS])
            else:
                source = event.get("source.ip") or event.get("source.network") or ""
                if event.get("source.ip") and event.get("source.port") is not None:
                    host = f"[{source}]" if ":" in source else source
                    source = f"{host}:{event['source.port']}"
                source = source or event.get("source.url") or event.get("source.fqdn") or ""
                table.add_row(
                    event.get("time.source") or event.get("time.observation", ""),
                    event.get("classification.type", ""),
                    str(source),
                    event.get("tocsin.constituent", ""),
                    event.get("tocsin.priority", ""),
                    event.get("tlp", ""),
                    event.get("feed.name", ""),
                )
        if not all_ or page.next_cursor is None:
            break
        query = replace(query, before=page.next_cursor)
    if format_ == "table":
        out.print(table)


def _print_stix(store: Any, query: Any, all_: bool) -> None:
    """The events as one STIX 2.1 bundle (only the fields that may ever leave are mapped)."""
    from dataclasses import replace

    from tocsin.formats import stix

    producer = stix.producer_identity(settings().notify_team)
    objects = [producer]
    while True:
        page = event_service.search(store, operator(), query)
        for event in page.events:
            objects.extend(stix.event_objects(event, producer))
        if not all_ or page.next_cursor is None:
            break
        query = replace(query, before=page.next_cursor)
    sys.stdout.write(stix.dumps(stix.bundle(objects)).decode() + "\n")


@quarantine_app.command("list")
def quarantine_list(
    feed: Annotated[str | None, typer.Option(help="Only this feed.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file (absolute path).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
) -> None:
    """List quarantined rows: id, feed, file:line, stage and reason."""
    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            entries = quarantine_service.list_entries(store, feed=feed, file=file, limit=limit)
        finally:
            store.close()
    table = Table("id", "feed", "where", "stage", "reason", box=None)
    for entry in entries:
        table.add_row(
            str(entry.id), entry.feed, f"{entry.file}:{entry.line}", entry.stage, entry.reason
        )
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(entry_id: Annotated[int, typer.Argument(help="The row's id.")]) -> None:
    """Show one quarantined row with its raw text."""
    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            entry = quarantine_service.show(store, entry_id)
        finally:
            store.close()
    for label, value in (
        ("id", entry.id),
        ("feed", entry.feed),
        ("file", entry.file),
        ("line", entry.line),
        ("stage", entry.stage),
        ("reason", entry.reason),
    ):
        out.print(f"{label}: {value}", markup=False)
    out.print("raw:", markup=False)
    out.print(entry.raw, markup=False)


@quarantine_app.command("retry")
def quarantine_retry(
    feed: Annotated[str | None, typer.Option(help="Only this feed.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file (absolute path).")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping for generic feeds.")] = None,
) -> None:
    """Run the files of quarantined rows through the pipeline again; rows that now pass leave."""
    config = settings()
    with errors_as_messages():
        options = load_mapping(mapping)
        store = open_configured_store(config)
        try:
            summary, missing = quarantine_service.retry(
                config, store, feed=feed, file=file, options=options
            )
        finally:
            store.close()
    for path in missing:
        err.print(f"tocsin: {path} can no longer be read; its rows stay quarantined", markup=False)
    out.print(summary.line(), markup=False)


@constituents_app.command("import")
def constituents_import(
    path: Annotated[Path, typer.Argument(help="TOML ([[constituent]] tables) or CSV file.")],
) -> None:
    """Replace the constituency registry with the organisations in a TOML or CSV file."""
    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            count = registry.import_constituents(store, path)
        finally:
            store.close()
    out.print(f"imported {count} constituents", markup=False)


@constituents_app.command("list")
def constituents_list() -> None:
    """List the constituents with their sector, networks, ASNs and domains."""
    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            members = registry.list_constituents(store)
        finally:
            store.close()
    table = Table("name", "sector", "networks", "asns", "domains", "abuse contact", box=None)
    for c in members:
        table.add_row(
            c.name,
            c.sector,
            " ".join(c.networks),
            " ".join(str(a) for a in c.asns),
            " ".join(c.domains),
            c.abuse_contact or "",
        )
    out.print(table)


@asn_app.command("import")
def asn_import(
    path: Annotated[Path, typer.Argument(help="ip2asn TSV: start, end, ASN, country, AS name.")],
) -> None:
    """Replace the IP-to-ASN table with an ip2asn-combined/v4/v6 TSV file."""
    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            count, refused = registry.import_asn_table(store, path)
        finally:
            store.close()
    for problem in refused[:20]:
        err.print(f"tocsin: {path}: {problem}", markup=False)
    if len(refused) > 20:
        err.print(f"tocsin: … and {len(refused) - 20} more lines refused", markup=False)
    out.print(f"imported {count} ranges, refused {len(refused)} lines", markup=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the web pages, the JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json) and
    TAXII 2.1 under /taxii2/."""
    import uvicorn

    from tocsin.web.app import create_app

    config = settings()
    with errors_as_messages():
        config = config.but(host=host or config.host, port=port or config.port)
        application = create_app(config)
    out.print(f"Tocsin at http://{config.host}:{config.port}/", markup=False)
    uvicorn.run(application, host=config.host, port=config.port, log_level="warning")


@app.command()
def demo(
    serve_: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the demo once loaded.")
    ] = True,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Load the made-up sample feeds, constituents and ASN table into the store, then serve them."""

    from tocsin.services.demo import (
        demo_password,
        load_cvd,
        load_demo,
        load_incidents,
        load_people,
        load_reports,
        load_sharing,
    )

    config = settings()
    with errors_as_messages():
        store = open_configured_store(config)
        try:
            results = load_demo(config, store)
            logins = load_people(store, clock())
            opened, linked = load_incidents(store, clock())
            receipts = load_reports(config, store, clock())
            collection, shared = load_sharing(config, store, clock())
            load_cvd(store, clock())
        finally:
            store.close()
    for name, summary in results:
        out.print(f"{name}: {summary.line()}", markup=False)
    out.print(f"incidents: {opened} opened by the aggregation rules, {linked} events linked")
    for receipt in receipts[:1]:
        out.print(
            f"reports from the public: {len(receipts)} made up; the portal is /report, and "
            f"/report/status shows {receipt.reference} with the code {receipt.code}",
            markup=False,
        )
    out.print("Log in as (made-up demo accounts):", markup=False)
    for name, password, role in logins:
        out.print(f"  {role:8} user {name:8} password {password}", markup=False)
    out.print(
        f"TAXII 2.1 for the demo partner: {config.public_url}/taxii2/ (HTTP Basic: user partner, "
        f"password {demo_password('partner')}), collection community = {collection} "
        f"({shared} STIX objects, up to TLP:GREEN)",
        markup=False,
    )
    if serve_:
        serve(host=host, port=port)


def main() -> None:
    app()


__all__ = ["InvalidValue", "app", "main"]
