"""The runner: files → parser → normalise → dedupe → enrich → classify → rows, then the store.

``process`` is a pure generator of ``Chunk``s (it never touches the store), so it runs in the same
process or in a second one: with ``workers=1`` a forked child parses while the parent writes,
which puts both cores to work. A row that fails in any stage (parse, normalise, dedupe, enrich,
classify, store) is quarantined with its file, line, stage and reason, and the run goes on: every
row read ends accepted, duplicate or quarantined. A chunk is written in one transaction; a crash
loses at most the chunk in flight, and a rerun stores exactly what a clean run stores
(fingerprints and quarantine keys make every write idempotent).

One module past 400 lines on purpose: the stages and the quarantine of a row that fails in any of
them are one loop, read top to bottom; the stages themselves live in their own modules.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from tocsin.errors import InputUnreadable
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.quarantine import Quarantined
from tocsin.model.types import datetime_utc
from tocsin.pipeline.enrich.asn import build_asn_map
from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.pipeline.parsers import Parser, Record, Source, get_parser
from tocsin.pipeline.parsers.base import split_points
from tocsin.pipeline.stages.batch import Batch, FeedContext, failure
from tocsin.pipeline.stages.classify import PriorityRules
from tocsin.pipeline.stages.dedupe import Deduper
from tocsin.pipeline.stages.enrich import Enricher
from tocsin.pipeline.stages.normalize import normalize
from tocsin.store.base import Store
from tocsin.store.rows import EventRow, QuarantineRow, event_row, quarantine_row

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One batch ready for the store, with what the progress bar and the summary need."""

    file: str
    rows: list[EventRow]
    quarantined: list[QuarantineRow]
    lines: list[int]  # the line of each row, to quarantine it should the store refuse it
    read: int
    duplicates: int
    position: int  # bytes of this part read so far
    size: int  # bytes in this part
    error: str | None = None


@dataclass(slots=True)
class FileSummary:
    file: str
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    error: str | None = None
    quarantine_keys: set[bytes] = field(default_factory=set)


@dataclass(slots=True)
class Summary:
    """What a run did: every row read ends accepted, duplicate or quarantined."""

    files: list[FileSummary] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def unreadable(self) -> list[FileSummary]:
        return [f for f in self.files if f.error]

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds > 0 else 0.0
        return (
            f"read {self.read}, accepted {self.accepted}, duplicates {self.duplicates}, "
            f"quarantined {self.quarantined} in {self.seconds:.2f} s ({rate:,.0f} rows/s)"
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything ``process`` needs, built once per run (and inherited by a forked worker)."""

    parser: Parser
    feed: str
    tlp: str
    window: int
    batch_size: int
    constituency: ConstituencyIndex
    enricher: Enricher
    rules: PriorityRules
    clock: Clock


def make_plan(
    feed: str,
    *,
    constituents: Iterable[Constituent],
    asn_ranges: Iterable[AsnRange],
    options: Mapping[str, Any] | None = None,
    rules: PriorityRules | None = None,
    window: int = 86_400,
    batch_size: int = 5_000,
    tlp: str | None = None,
    clock: Clock = utcnow,
) -> Plan:
    parser = get_parser(feed)(options)
    index = ConstituencyIndex(constituents)
    asn_map = build_asn_map(asn_ranges)
    feed_name = str(getattr(parser, "feed_name", None) or parser.name)
    return Plan(
        parser=parser,
        feed=feed_name,
        tlp=tlp or parser.default_tlp,
        window=window,
        batch_size=batch_size,
        constituency=index,
        enricher=Enricher(index, asn_map),
        rules=rules or PriorityRules.load(),
        clock=clock,
    )


@dataclass(frozen=True, slots=True)
class Job:
    """One file, or one part of a large file, for one parsing process."""

    path: str
    file: str  # the resolved path, as quarantine entries name it
    observed: datetime  # one observation time per file, whichever process parses which part
    start: int = 0
    end: int | None = None
    preamble: int = 0


SPLIT_ABOVE = 8 << 20  # bytes: smaller files are not worth splitting


def plan_jobs(plan: Plan, paths: Sequence[str], parts: int = 1) -> list[Job]:
    """One job per file; a large file of a splittable feed becomes ``parts`` jobs."""
    jobs: list[Job] = []
    preamble = plan.parser.split_preamble
    for path in paths:
        name = str(Path(path).resolve())
        observed = plan.clock()
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        if parts > 1 and preamble is not None and size > SPLIT_ABOVE:
            try:
                ranges = split_points(path, parts, preamble)
            except OSError:
                ranges = []
            if len(ranges) > 1:
                jobs.extend(Job(path, name, observed, a, b, preamble) for a, b in ranges)
                continue
        jobs.append(Job(path, name, observed))
    return jobs


def process(plan: Plan, jobs: Sequence[Job]) -> Iterator[Chunk]:
    """Parse and run every stage over the jobs, one chunk per batch; touches no store."""
    dedupe = Deduper(plan.window)
    for job in jobs:
        try:
            source = Source(job.path, start=job.start, end=job.end, preamble=job.preamble)
        except InputUnreadable as exc:
            yield Chunk(job.file, [], [], [], 0, 0, 0, 0, error=str(exc))
            continue
        ctx = FeedContext(
            feed=plan.feed,
            file=job.file,
            observed=datetime_utc(job.observed),
            provider=plan.parser.provider,
            default_type=plan.parser.default_type,
            default_tlp=plan.tlp,
            window=plan.window,
            parser=plan.parser.name,
        )
        created = int(job.observed.timestamp())
        records = _guarded(plan.parser.parse(source))
        while True:
            chunk_records = list(islice(records, plan.batch_size))
            if not chunk_records:
                break
            batch = normalize(chunk_records, ctx)
            batch = plan.rules(plan.enricher(dedupe(batch)))
            rows, lines = _rows(batch, plan.window)
            yield Chunk(
                job.file,
                rows,
                [quarantine_row(item, created) for item in batch.quarantined],
                lines,
                batch.read,
                batch.duplicates,
                source.position,
                source.size,
            )


def _rows(batch: Batch, window: int) -> tuple[list[EventRow], list[int]]:
    """The store's rows of the batch's events and their lines; an event that cannot be one is
    quarantined (stage ``store``)."""
    rows: list[EventRow] = []
    lines: list[int] = []
    for event in batch.events:
        try:
            key = event["tocsin.fingerprint"]
            rows.append(event_row(event, batch.ranks[key], batch.observations.get(key), window))
        except Exception as exc:  # a value no check foresaw: that row's failure only
            batch.quarantine(event, "store", failure("store", exc))
            continue
        origin = batch.origins.get(id(event))
        lines.append(origin.line if origin else 0)
    return rows, lines


def _guarded(records: Iterator[Record]) -> Iterator[Record]:
    """A parser that fails on a bug still ends its file with a quarantined record saying so."""
    line = 0
    try:
        for record in records:
            line = record.line
            yield record
    except Exception as exc:
        yield Record(
            line + 1, "", None, f"parser failed: {exc!r}; the rest of the file was not read"
        )


Progress = Callable[[Chunk], None]


def run(
    plan: Plan,
    store: Store,
    paths: Sequence[str],
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> Summary:
    """Ingest ``paths`` into ``store``.

    ``workers=0`` parses in this process. Otherwise that many forked processes parse (a large
    file of a splittable feed is cut between them) while this one writes.
    """
    started = time.perf_counter()
    summary = Summary()
    by_file: dict[str, FileSummary] = {}
    for path in paths:  # every file has a line in the summary, even an empty one
        name = str(Path(path).resolve())
        if name not in by_file:
            by_file[name] = FileSummary(name)
            summary.files.append(by_file[name])
    jobs = plan_jobs(plan, paths, parts=max(workers, 1))
    chunks = _in_workers(plan, jobs, workers) if workers else process(plan, jobs)
    for chunk in chunks:
        current = by_file[chunk.file]
        if chunk.error:
            current.error = chunk.error
            continue
        inserted, stored, refused = _write(store, chunk, plan.parser.name, plan.clock)
        current.read += chunk.read
        current.accepted += inserted
        current.duplicates += chunk.duplicates + stored - inserted
        current.quarantined += len(chunk.quarantined) + len(refused)
        current.quarantine_keys.update(row[0] for row in chunk.quarantined)
        current.quarantine_keys.update(row[0] for row in refused)
        if progress is not None:
            progress(chunk)
    summary.seconds = time.perf_counter() - started
    return summary


def _write(
    store: Store, chunk: Chunk, feed: str, clock: Clock
) -> tuple[int, int, list[QuarantineRow]]:
    """Write a chunk in one transaction: how many events were new, how many rows the store took,
    and the quarantine rows of those it refused. Should the chunk fail, each row is written on
    its own, and one the store refuses is quarantined (stage ``store``); when even that fails,
    the store itself is failing and the error stops the run."""
    try:
        return store.write(chunk.rows, chunk.quarantined), len(chunk.rows), []
    except Exception:
        if not chunk.rows:
            raise
    store.write([], chunk.quarantined)
    inserted = stored = 0
    refused: list[QuarantineRow] = []
    created = int(clock().timestamp())
    for row, line in zip(chunk.rows, chunk.lines, strict=True):
        try:
            inserted += store.write([row], [])
            stored += 1
        except Exception as exc:
            item = Quarantined(feed, chunk.file, line, row[-1], "store", failure("store", exc))
            quarantined = quarantine_row(item, created)
            store.write([], [quarantined])
            refused.append(quarantined)
    return inserted, stored, refused


def _in_workers(plan: Plan, jobs: list[Job], workers: int) -> Iterator[Chunk]:
    """Run ``process`` in forked children and stream their chunks back over pipes."""
    readers, children = _fork(plan, [jobs[i::workers] for i in range(workers)])
    try:
        yield from _receive(readers)
    finally:
        for reader in readers:
            reader.close()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()


def _fork(plan: Plan, shares: list[list[Job]]) -> tuple[list[Any], list[Any]]:
    """One forked child per non-empty share, and the end of the pipe each one writes to."""
    context = multiprocessing.get_context("fork")
    readers: list[Any] = []
    children = []
    for share in shares:
        if not share:
            continue
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(plan, share, reader, writer), daemon=True)
        child.start()
        writer.close()
        readers.append(reader)
        children.append(child)
    return readers, children


def _receive(readers: list[Any]) -> Iterator[Chunk]:
    """The children's chunks as they come, until every child has said it is done."""
    open_readers = list(readers)
    while open_readers:
        for ready in wait(open_readers):
            chunk = _next_chunk(ready)
            if chunk is None:
                open_readers.remove(ready)
                continue
            yield chunk


def _next_chunk(reader: Any) -> Chunk | None:
    """A child's next chunk; None once it is done (or gone); an exception it sent is raised."""
    try:
        payload = reader.recv_bytes()
    except EOFError:
        return None
    message = pickle.loads(payload)  # noqa: S301 - our own child, our own pipe
    if isinstance(message, BaseException):
        raise message
    return message  # type: ignore[no-any-return]


def _child(plan: Plan, jobs: list[Job], reader: Any, writer: Any) -> None:
    reader.close()
    try:
        for chunk in process(plan, jobs):
            writer.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        writer.send_bytes(pickle.dumps(None))
    except BrokenPipeError:
        pass  # the parent is gone; so are we
    except BaseException as exc:  # handed to the parent, which raises it
        with contextlib.suppress(BrokenPipeError):
            writer.send_bytes(pickle.dumps(exc))
    finally:
        writer.close()
        os._exit(0)


__all__ = [
    "Chunk",
    "Job",
    "Plan",
    "Quarantined",
    "Summary",
    "make_plan",
    "process",
    "run",
    "utcnow",
]
