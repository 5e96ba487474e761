"""The runner: files → parser → normalise → dedupe → enrich → classify → rows, then the store.

``process`` is a pure generator of ``Chunk``s (it never touches the store), so it runs in the same
process or in a second one: with ``workers=1`` a forked child parses while the parent writes,
which puts both cores to work. A chunk is written in one transaction; a crash loses at most the
chunk in flight, and a rerun stores exactly what a clean run stores (fingerprints and quarantine
keys make every write idempotent).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from tocsin.errors import InputUnreadable
from tocsin.model.constituent import Constituent
from tocsin.model.types import datetime_utc
from tocsin.pipeline.enrich.asn import AsnRange, build_asn_map
from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.pipeline.parsers import Parser, Record, Source, get_parser
from tocsin.pipeline.stages.batch import FeedContext, Quarantined
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
    read: int
    duplicates: int
    line: int
    lines: int
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


def process(plan: Plan, paths: Sequence[str]) -> Iterator[Chunk]:
    """Parse and run every stage over ``paths``, one chunk per batch; touches no store."""
    dedupe = Deduper(plan.window)
    for path in paths:
        name = str(Path(path).resolve())
        try:
            source = Source(path)
        except InputUnreadable as exc:
            yield Chunk(name, [], [], 0, 0, 0, 0, error=str(exc))
            continue
        lines = source.data.count(b"\n") + (0 if source.data.endswith(b"\n") else 1)
        now = plan.clock()
        ctx = FeedContext(
            feed=plan.feed,
            file=name,
            observed=datetime_utc(now),
            provider=plan.parser.provider,
            default_type=plan.parser.default_type,
            default_tlp=plan.tlp,
            window=plan.window,
            parser=plan.parser.name,
        )
        created = int(now.timestamp())
        records = _guarded(plan.parser.parse(source))
        while True:
            chunk_records = list(islice(records, plan.batch_size))
            if not chunk_records:
                break
            batch = normalize(chunk_records, ctx)
            batch = plan.rules(plan.enricher(dedupe(batch)))
            yield Chunk(
                name,
                [event_row(event) for event in batch.events],
                [quarantine_row(item, created) for item in batch.quarantined],
                batch.read,
                batch.duplicates,
                chunk_records[-1].line,
                lines,
            )


def _guarded(records: Iterator[Record]) -> Iterator[Record]:
    """A parser that fails on a bug still ends its file with a quarantined record saying so."""
    line = 0
    try:
        for record in records:
            line = record.line
            yield record
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the run; it is recorded
        yield Record(line + 1, "", None, f"parser failed: {exc!r}; the rest of the file was not read")


Progress = Callable[[Chunk], None]


def run(
    plan: Plan,
    store: Store,
    paths: Sequence[str],
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> Summary:
    """Ingest ``paths`` into ``store``; with ``workers=1`` parsing runs in a forked process."""
    started = time.perf_counter()
    summary = Summary()
    by_file: dict[str, FileSummary] = {}
    chunks = _in_worker(plan, paths) if workers else process(plan, paths)
    for chunk in chunks:
        current = by_file.get(chunk.file)
        if current is None:
            current = by_file[chunk.file] = FileSummary(chunk.file)
            summary.files.append(current)
        if chunk.error:
            current.error = chunk.error
            continue
        inserted = store.write(chunk.rows, chunk.quarantined)
        current.read += chunk.read
        current.accepted += inserted
        current.duplicates += chunk.duplicates + len(chunk.rows) - inserted
        current.quarantined += len(chunk.quarantined)
        current.quarantine_keys.update(row[0] for row in chunk.quarantined)
        if progress is not None:
            progress(chunk)
    for path in paths:
        name = str(Path(path).resolve())
        if name not in by_file:  # an empty file: nothing read, nothing lost
            by_file[name] = FileSummary(name)
            summary.files.append(by_file[name])
    summary.seconds = time.perf_counter() - started
    return summary


def _in_worker(plan: Plan, paths: Sequence[str]) -> Iterator[Chunk]:
    """Run ``process`` in a forked child and stream its chunks back over a pipe."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(plan, list(paths), reader, writer), daemon=True)
    child.start()
    writer.close()
    try:
        while True:
            try:
                payload = reader.recv_bytes()
            except EOFError:
                break
            message = pickle.loads(payload)  # noqa: S301 - our own child, over our own pipe
            if isinstance(message, BaseException):
                raise message
            if message is None:
                break
            yield message
    finally:
        reader.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()


def _child(plan: Plan, paths: list[str], reader: Any, writer: Any) -> None:
    reader.close()
    try:
        for chunk in process(plan, paths):
            writer.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        writer.send_bytes(pickle.dumps(None))
    except BrokenPipeError:
        pass  # the parent is gone; so are we
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            writer.send_bytes(pickle.dumps(exc))
        except BrokenPipeError:
            pass
    finally:
        writer.close()
        os._exit(0)


__all__ = ["Chunk", "Plan", "Quarantined", "Summary", "make_plan", "process", "run", "utcnow"]
