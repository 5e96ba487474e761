"""Collectors' runs, states and archived objects (migration 0015).

Feed health reads the runs and the states: every source has its runs here, the collectors of
``TOCSIN_COLLECTORS`` under their names and the plain ``tocsin ingest`` under ``ingest:<feed>``.
The records and the meaning of each field: ``tocsin.model.collector``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tocsin.model.collector import ArchivedObject, CollectorRun, CollectorState
from tocsin.store.shapes import Transaction


@runtime_checkable
class CollectorStore(Protocol):
    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, tx: Transaction, collector: str, feed: str, started: int) -> int:
        """A new run, unfinished and not ok yet; its id."""
        ...

    def finish_run(self, tx: Transaction, run_id: int, **values: Any) -> None:
        """A run's end: ``finished``, ``ok``, ``error`` and the counts of ``CollectorRun``."""
        ...

    def runs(self, collector: str | None = None, limit: int = 100) -> list[CollectorRun]:
        """Runs, newest first: of one source, or of all."""
        ...

    def last_runs(self) -> dict[str, CollectorRun]:
        """The newest run of every source that ever ran, by source name."""
        ...

    # -- state ---------------------------------------------------------------------------------

    def state(self, collector: str) -> CollectorState | None:
        """A collector's state; None before its first run."""
        ...

    def states(self) -> dict[str, CollectorState]:
        """Every collector's state, by name."""
        ...

    def save_state(self, tx: Transaction, state: CollectorState) -> None:
        """Write a collector's state whole (inserted the first time)."""
        ...

    # -- archived objects ----------------------------------------------------------------------

    def has_object(self, collector: str, sha256: str) -> bool:
        """Whether this collector took in this content before (ingested or skipped)."""
        ...

    def add_object(self, tx: Transaction, archived: ArchivedObject) -> bool:
        """Record an object taken in; False (and nothing written) when this collector has it."""
        ...

    def objects(self, collector: str | None = None, limit: int = 100) -> list[ArchivedObject]:
        """Archived objects, newest first: of one collector, or of all."""
        ...


__all__ = ["CollectorStore"]
