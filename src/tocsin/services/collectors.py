"""Collectors at work: fetch, archive, ingest, record (the collectors file: setting
``collectors``, docs/collectors.md).

One run of one collector: a run row is opened, the collector fetches (``tocsin.collect``), each
object is archived as received under ``data_dir/raw/`` (by its SHA-256), run through the
pipeline (``services/ingest.py``) unless this collector took the same content in before, then
recorded; the run row gets its counts and the collector's state its validators and when it is
next due. Nothing is half-ingested: an object is recorded only once its ingest is whole, and the
pipeline's keys store no row twice, so a run that fails or dies is run again and stores exactly
what one clean run stores. A failed run is tried again after a back-off that doubles from
``BACKOFF_FIRST`` up to ``BACKOFF_CAP``.

Plain ``tocsin ingest`` runs are recorded too, as the source ``ingest:<feed>``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tocsin.collect import Batch, Collector, Fetched, Spec, build, load
from tocsin.collect.archive import Archive
from tocsin.collect.imap import REPORTS
from tocsin.errors import InputUnreadable, InvalidValue, TocsinError
from tocsin.model.clock import Now
from tocsin.model.collector import ArchivedObject, CollectorRun, CollectorState
from tocsin.pipeline.parsers import all_parsers
from tocsin.pipeline.runner import Summary
from tocsin.services.ingest import ingest, load_mapping
from tocsin.services.mail_reports import MailReports
from tocsin.settings import Settings
from tocsin.store.base import Store

BACKOFF_FIRST = 60  # seconds before the first retry of a failed run
BACKOFF_CAP = 6 * 3600  # the longest wait between two tries
log = logging.getLogger("tocsin.collect")


def backoff(failures: int) -> int:
    """Seconds to wait after ``failures`` failed runs in a row: 60, 120, 240… up to 6 h."""
    return int(min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_CAP))


@dataclass(frozen=True, slots=True)
class CollectorStatus:
    """One configured collector as ``tocsin collectors list`` shows it."""

    spec: Spec
    state: CollectorState | None
    last: CollectorRun | None

    @property
    def next_due(self) -> int | None:
        return self.state.next_due if self.state else None


@dataclass(slots=True)
class _Tally:
    objects: int = 0
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0

    def add(self, summary: Summary) -> None:
        self.rows += summary.read
        self.accepted += summary.accepted
        self.duplicates += summary.duplicates
        self.quarantined += summary.quarantined


class Collectors:
    """The collectors of the settings' file, on one store and one clock."""

    def __init__(
        self, settings: Settings, store: Store, clock: Now, *, mail: MailReports | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.archive = Archive(Path(settings.data_dir) / "raw")
        self._mail = mail

    @property
    def mail(self) -> MailReports:
        """What a report address's mail goes to (the desk's, else one on this store)."""
        if self._mail is None:
            self._mail = MailReports.on(self.settings, self.store, self.clock)
        return self._mail

    def configured(self) -> list[Collector]:
        """Every collector of the file, built and checked (``ConfigError`` naming the collector
        and key); none without the setting."""
        if not self.settings.collectors:
            return []
        parsers = all_parsers()
        found = []
        for spec in load(self.settings.collectors):
            if spec.feed not in parsers and not (spec.kind == "imap" and spec.feed == REPORTS):
                raise spec.fail("feed", f"unknown feed {spec.feed!r}; see `tocsin feeds`")
            found.append(build(spec))
        return found

    def status(self) -> list[CollectorStatus]:
        states, last = self.store.collectors.states(), self.store.collectors.last_runs()
        return [
            CollectorStatus(c.spec, states.get(c.spec.name), last.get(c.spec.name))
            for c in self.configured()
        ]

    def collect(self, name: str | None = None) -> list[CollectorRun]:
        """Run the collector named (due or not), else every collector that is due."""
        collectors = self.configured()
        if name is not None:
            chosen = [c for c in collectors if c.spec.name == name]
            if not chosen:
                raise InvalidValue("collector", name, "not in the collectors file")
        else:
            states, now = self.store.collectors.states(), self.clock()
            chosen = [c for c in collectors if _due(states.get(c.spec.name), now)]
        return [self.run(c) for c in chosen]

    def run(self, collector: Collector) -> CollectorRun:
        """One run of one collector, recorded whatever happens (see the module)."""
        spec = collector.spec
        started = self.clock()
        state = self.store.collectors.state(spec.name) or CollectorState(spec.name)
        with self.store.transaction() as tx:
            run_id = self.store.collectors.start_run(tx, spec.name, spec.feed, started)
            self.store.collectors.save_state(tx, replace(state, last_attempt=started))
        tally, failures = _Tally(), []
        notes: list[str] = []
        try:
            batch = collector.fetch(state, self.clock)
            for fetched in batch.objects:
                failure = self._take(collector, fetched, tally, notes)
                if failure:
                    failures.append(failure)
            error = _failed(failures)
        except (TocsinError, OSError) as exc:
            error, batch = str(exc), None
        except Exception as exc:  # a crash of a parser or the store: recorded, then retried
            error, batch = f"{type(exc).__name__}: {exc}", None
        error = _scrub(error, spec)
        finished = self.clock()
        with self.store.transaction() as tx:
            counts = {k: getattr(tally, k) for k in _Tally.__slots__}
            note = "; ".join(notes) or None
            self.store.collectors.finish_run(
                tx, run_id, finished=finished, ok=error is None, error=error, note=note, **counts
            )
            self.store.collectors.save_state(tx, _next(state, spec, batch, error, started))
        if error is None:
            log.info("collector %s: %s objects, %s rows", spec.name, tally.objects, tally.rows)
        else:
            log.warning("collector %s failed: %s", spec.name, error)
        return self.store.collectors.runs(spec.name, limit=1)[0]

    def _take(
        self, collector: Collector, fetched: Fetched, tally: _Tally, notes: list[str]
    ) -> str | None:
        """Archive, ingest and record one object; why it failed, if it did (the input's
        fault: the object is settled as failed). A failure of the store propagates."""
        spec = collector.spec
        try:
            sha, paths = self.archive.keep(fetched.name, fetched.data, limit=spec.max_bytes)
        except InputUnreadable as exc:
            collector.settle(fetched, str(exc))
            return str(exc)
        if self.store.collectors.has_object(spec.name, sha):
            collector.settle(fetched, None)
            return None
        feed = fetched.feed or spec.feed
        if spec.kind == "imap" and feed == REPORTS:
            return self._mail_report(collector, fetched, sha, tally, notes)
        skipped = _unreadable(feed, paths)
        if skipped is None:
            summary = ingest(
                self.settings,
                self.store,
                [str(p) for p in paths],
                feed,
                options=load_mapping(spec.mapping),
                tlp=spec.tlp,
                now=self.clock,
            )
            if summary.unreadable:
                reason = "; ".join(str(f.error) for f in summary.unreadable)
                collector.settle(fetched, reason)
                return f"{fetched.name}: {reason}"
            tally.add(summary)
        else:
            tally.skipped += 1
            notes.append(f"{fetched.name}: skipped, {skipped}")
        tally.objects += 1
        archived = ArchivedObject(
            sha,
            spec.name,
            fetched.name,
            len(fetched.data),
            self.clock(),
            outcome="skipped" if skipped else "ingested",
            reason=skipped,
        )
        with self.store.transaction() as tx:
            self.store.collectors.add_object(tx, archived)
        collector.settle(fetched, None)
        return None

    def _mail_report(
        self, collector: Collector, fetched: Fetched, sha: str, tally: _Tally, notes: list[str]
    ) -> str | None:
        """A mail to the report address: it opens or joins an incident (``mail_reports``)."""
        spec = collector.spec
        try:
            limit = spec.options.get("max_file_bytes")
            taken = self.mail.take(spec.name, fetched.data, max_file_bytes=limit)
        except InputUnreadable as exc:
            collector.settle(fetched, str(exc))
            return f"{fetched.name}: {exc}"
        tally.objects += 1
        notes.append(f"{fetched.name}: {taken.outcome} {taken.incident}")
        archived = ArchivedObject(sha, spec.name, fetched.name, len(fetched.data), self.clock())
        with self.store.transaction() as tx:
            self.store.collectors.add_object(tx, archived)
        collector.settle(fetched, None)
        return None


def _unreadable(feed: str, paths: list[Path]) -> str | None:
    """Why no parser reads these files (they are archived and recorded as skipped), or None.
    Today: a Shadowserver report whose type the parser does not know, by name or header."""
    if feed != "shadowserver":
        return None
    from tocsin.pipeline.parsers.shadowserver import report_from_name, reports_from_header

    for path in paths:
        report, token = report_from_name(path.name)
        if report is None and not reports_from_header(_header(path)):
            return f"the Shadowserver report type {token or path.name!r} has no parser"
    return None


def _header(path: Path) -> list[str]:
    with path.open("rb") as stream:
        first = stream.readline(64 * 1024).decode("utf-8", "replace")
    return [cell.strip().strip('"') for cell in first.strip().split(",")]


def _due(state: CollectorState | None, now: int) -> bool:
    return state is None or state.next_due is None or state.next_due <= now


def _failed(failures: list[str]) -> str | None:
    if not failures:
        return None
    return f"{len(failures)} object(s) failed: " + "; ".join(failures)


def _next(
    state: CollectorState, spec: Spec, batch: Batch | None, error: str | None, started: int
) -> CollectorState:
    if error is None and batch is not None:
        return replace(
            state,
            etag=batch.etag,
            last_modified=batch.last_modified,
            last_success=started,
            last_attempt=started,
            failures=0,
            next_due=started + spec.every,
        )
    failures = state.failures + 1
    return replace(
        state, last_attempt=started, failures=failures, next_due=started + backoff(failures)
    )


def _scrub(text: str | None, spec: Spec) -> str | None:
    """The text without any credential the spec's variables hold (a last guard: no message
    should carry one)."""
    if text is None:
        return None
    for value in _secrets(spec.options):
        if len(value) >= 4:
            text = text.replace(value, "[redacted]")
    return text


def _secrets(options: Mapping[str, Any]) -> Iterator[str]:
    for key, value in options.items():
        if not key.endswith("_env"):
            continue
        names = value.values() if isinstance(value, Mapping) else [value]
        for name in names:
            if isinstance(name, str) and os.environ.get(name):
                yield os.environ[name]


@contextmanager
def recorded(store: Store, clock: Now, feed: str) -> Iterator[list[Summary]]:
    """Record a plain ``tocsin ingest`` as a run of the source ``ingest:<feed>``: the block
    appends its summary to the list it is given; an error ends the run as failed."""
    source = f"ingest:{feed}"
    started = clock()
    with store.transaction() as tx:
        run_id = store.collectors.start_run(tx, source, feed, started)
    done: list[Summary] = []
    error: str | None = "interrupted"
    try:
        yield done
        error = None
    except (TocsinError, OSError) as exc:
        error = str(exc)
        raise
    finally:
        tally = _Tally()
        for summary in done:
            tally.add(summary)
            tally.objects += len(summary.files)
            failed = [str(f.error) for f in summary.unreadable]
            error = error or ("; ".join(failed) if failed else None)
        counts = {k: getattr(tally, k) for k in _Tally.__slots__}
        with store.transaction() as tx:
            store.collectors.finish_run(
                tx, run_id, finished=clock(), ok=error is None, error=error, **counts
            )


__all__ = ["BACKOFF_CAP", "BACKOFF_FIRST", "CollectorStatus", "Collectors", "backoff", "recorded"]
