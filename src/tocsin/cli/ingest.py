"""``tocsin ingest``, ``tocsin feeds`` and ``tocsin quarantine``: feed files into the store, the
formats Tocsin reads, and the rows that could not become events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from tocsin.cli.common import cells, desk, err, out, shown
from tocsin.model.numbers import MAX_ID
from tocsin.services.intake import Chunk, feed_formats

quarantine_app = typer.Typer(help="Rows that could not become events: list, show, retry.")


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
    with desk() as d, _progress() as advance:
        summary = d.intake.ingest(
            [str(p) for p in paths], feed, mapping=mapping, tlp=tlp, window=window, progress=advance
        )
    for failed in summary.unreadable:
        err.print(shown(f"tocsin: cannot read {failed.error}"))
    out.print(shown(summary.line()))
    if summary.quarantined:
        out.print(shown("see them with: tocsin quarantine list"))
    if summary.unreadable:
        raise typer.Exit(1)


@contextmanager
def _progress() -> Iterator[Callable[[Chunk], None] | None]:
    """A progress bar per file on stderr when it is a terminal; nothing when piped."""
    if not err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}", markup=False),
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
                tasks[chunk.file] = bar.add_task(
                    shown(Path(chunk.file).name).plain, total=max(size, 1)
                )
            done[(chunk.file, chunk.size)] = chunk.position  # one entry per part of a file
            total = sum(v for (f, _), v in done.items() if f == chunk.file)
            bar.update(tasks[chunk.file], completed=total)

        yield advance


def feeds() -> None:
    """List the feed formats Tocsin reads, with a line of help each."""
    table = Table("feed", "provider", "default TLP", "what it reads", box=None)
    for found in feed_formats():
        table.add_row(*cells(found.name, found.provider, found.default_tlp, found.help))
    out.print(table)


@quarantine_app.command("list")
def quarantine_list(
    feed: Annotated[str | None, typer.Option(help="Only this feed.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file (absolute path).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1, max=MAX_ID)] = 100,
) -> None:
    """List quarantined rows: id, feed, file:line, stage and reason."""
    with desk() as d:
        entries = d.intake.quarantined(feed=feed, file=file, limit=limit)
    table = Table("id", "feed", "where", "stage", "reason", box=None)
    for entry in entries:
        table.add_row(
            *cells(
                str(entry.id), entry.feed, f"{entry.file}:{entry.line}", entry.stage, entry.reason
            )
        )
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(
    entry_id: Annotated[int, typer.Argument(help="The row's id.", min=1, max=MAX_ID)],
) -> None:
    """Show one quarantined row with its raw text."""
    with desk() as d:
        entry = d.intake.quarantined_row(entry_id)
    for label, value in (
        ("id", entry.id),
        ("feed", entry.feed),
        ("file", entry.file),
        ("line", entry.line),
        ("stage", entry.stage),
        ("reason", entry.reason),
    ):
        out.print(shown(f"{label}: {value}"))
    out.print(shown("raw:"))
    out.print(shown(entry.raw, lines=True))


@quarantine_app.command("retry")
def quarantine_retry(
    feed: Annotated[str | None, typer.Option(help="Only this feed.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file (absolute path).")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping for generic feeds.")] = None,
) -> None:
    """Run the files of quarantined rows through the pipeline again; rows that now pass leave."""
    with desk() as d:
        summary, missing = d.intake.retry(feed=feed, file=file, mapping=mapping)
    for path in missing:
        err.print(shown(f"tocsin: {path} can no longer be read; its rows stay quarantined"))
    out.print(shown(summary.line()))
