"""The scheduler's record of its jobs, shared by every server on one database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tocsin.model.jobs import JobRun


@runtime_checkable
class JobStore(Protocol):
    def seen(self, names: Sequence[str], at: int) -> None:
        """Remember these jobs from ``at`` on (once: a job seen before keeps its first time)."""
        ...

    def runs(self) -> dict[str, JobRun]:
        """Every job remembered, by name."""
        ...

    def started(self, name: str, at: int) -> None: ...

    def ended(self, name: str, at: int, error: str | None) -> None:
        """The run ended at ``at``: a success when ``error`` is None (the failures in a row go
        back to 0), else a failure, its message kept until the next success."""
        ...
