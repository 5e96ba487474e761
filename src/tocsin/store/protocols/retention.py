"""What the retention purge asks of a store: per kind, what is older than a cut-off (and not
linked to an incident that is not closed), and its removal."""

from __future__ import annotations

from typing import Protocol

from tocsin.store.shapes import Transaction


class RetentionStore(Protocol):
    def expiring(self, kind: str, cutoff: int) -> tuple[int, int | None]:
        """How many records of ``kind`` the purge at ``cutoff`` would take, and the oldest's
        time (None when none)."""
        ...

    def purge(self, tx: Transaction, kind: str, cutoff: int) -> tuple[int, list[str]]:
        """Remove (or, for reporters, tombstone) what ``expiring`` counts: how many, and the
        SHA-256 of each file nothing refers to any more (raw objects, evidence), for the
        caller to delete once the transaction is committed."""
        ...


__all__ = ["RetentionStore"]
