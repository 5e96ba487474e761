"""What Tocsin keeps of its collectors: each run, each collector's state, each object fetched.

Pure records, shared by the collectors (``tocsin.collect``), the store that keeps them and the
pages and commands that show them (feed health reads these). Times are whole seconds since the
epoch, from the desk's clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CollectorRun:
    """One run of one source: a collector (``collector`` is its name) or a plain ``tocsin
    ingest`` (``collector`` is ``ingest:<feed>``).

    - ``feed``: the parser the run's objects went through (``tocsin feeds``).
    - ``started`` / ``finished``: when the run began and ended; ``finished`` is None while it
      runs (or when the process died under it: such a run stays unfinished, and not ``ok``).
    - ``ok``: the run fetched and ingested everything it found (nothing new is also ok).
    - ``error``: why not, in one line without any secret; None when ``ok``.
    - ``objects``: objects fetched and taken in by this run (files, reports, mails), not counting
      those already taken in before; ``skipped`` of them were archived but not ingested (a report
      type no parser reads), ``note`` says which and why.
    - ``rows``: rows read from them; each ended ``accepted`` (new events), ``duplicates`` (seen
      before) or ``quarantined`` (kept with file, line and reason).
    """

    id: int
    collector: str
    feed: str
    started: int
    finished: int | None = None
    ok: bool = False
    error: str | None = None
    objects: int = 0
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0
    note: str | None = None

    @property
    def quarantine_rate(self) -> float | None:
        """The share of rows quarantined, 0–1; None when the run read no row."""
        return self.quarantined / self.rows if self.rows else None


@dataclass(frozen=True, slots=True)
class CollectorState:
    """Where one collector stands between runs.

    - ``etag`` / ``last_modified``: the validators of the last answer taken in (HTTP), sent back
      as ``If-None-Match`` / ``If-Modified-Since``, so an unchanged feed answers 304.
    - ``last_success``: when a run last ended ok; ``last_attempt``: when one last started.
    - ``failures``: runs failed in a row since the last success (0 after a success).
    - ``next_due``: when the collector should run next: ``every`` after a success, later and
      later after failures (the back-off); None: at once.
    """

    collector: str
    etag: str | None = None
    last_modified: str | None = None
    last_success: int | None = None
    last_attempt: int | None = None
    failures: int = 0
    next_due: int | None = None


@dataclass(frozen=True, slots=True)
class ArchivedObject:
    """One object a collector fetched, kept as received under the data directory at
    ``raw/<sha256[:2]>/<sha256>/``; one row per collector and content (the same content fetched
    again is neither archived nor ingested twice).

    - ``outcome``: ``ingested``, or ``skipped`` (kept, not ingested; ``reason`` says why).
    - ``retention``: the retention kind the purge applies (``raw``).
    """

    sha256: str
    collector: str
    name: str
    size: int
    fetched_at: int
    outcome: str = "ingested"
    reason: str | None = None
    retention: str = "raw"


__all__ = ["ArchivedObject", "CollectorRun", "CollectorState"]
