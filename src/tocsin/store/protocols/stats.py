"""What statistics releases keep and read: the releases themselves (immutable once made; only a
pending one is decided, once) and the incidents a table counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from tocsin.store.shapes import Transaction


@runtime_checkable
class StatsStore(Protocol):
    def add_release(self, tx: Transaction, values: dict[str, Any]) -> int: ...

    def release(self, release_id: int) -> dict[str, Any] | None:
        """One release, its spec and cells read back from JSON."""
        ...

    def releases(self, state: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """The releases, newest first (of one state when given)."""
        ...

    def decide(self, tx: Transaction, release_id: int, state: str, approver: str, at: int) -> bool:
        """A pending release published or refused; False when it was not pending."""
        ...

    def counted(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        """The incidents opened in ``[start, end)`` and not merged into another: (id, type,
        sector, priority, created, constituent, source, details JSON)."""
        ...

    def events_counted(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        """The events observed in ``[start, end)``, counted by the database: (day, type,
        constituent, source ASN, events), one row for each combination of the four."""
        ...

    def response_times(self, start: int, end: int) -> Iterator[tuple[Any, ...]]:
        """For the yearly report: the incidents opened in ``[start, end)`` and not merged, each
        as (priority, created, acknowledged_at, resolved_at, waited, details JSON)."""
        ...

    def cvd_counts(self, start: int, end: int) -> tuple[int, int]:
        """For the yearly report: the vulnerability cases received in ``[start, end)``, and
        those published in it."""
        ...
