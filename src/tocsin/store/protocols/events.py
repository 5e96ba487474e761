"""Events and quarantined rows, and the tables that enrich events (constituents, ASN ranges)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.store.rows import EventRow, QuarantineRow
from tocsin.store.shapes import EventFilter, EventPage, QuarantineEntry, Transaction


@runtime_checkable
class EventStore(Protocol):
    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        """Store new events and quarantined rows in one transaction; return how many events were
        new (an event whose fingerprint is already stored is ignored)."""
        ...

    def search(self, query: EventFilter) -> EventPage: ...

    def count_events(self) -> int: ...

    def stats(self) -> dict[str, Any]: ...

    def quarantine(
        self, *, feed: str | None = None, file: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[QuarantineEntry]: ...

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None: ...

    def count_quarantine(self) -> int: ...

    def prune_quarantine(self, feed: str, file: str, keep: Iterable[bytes]) -> int:
        """Forget a file's quarantined rows except those whose keys are in ``keep``."""
        ...

    def replace_constituents(self, constituents: Iterable[Constituent]) -> int: ...

    def constituents(self) -> list[Constituent]: ...

    def replace_constituents_in(self, tx: Transaction, constituents: Iterable[Constituent]) -> int:
        """The whole registry replaced, inside the caller's transaction."""
        ...

    def put_constituent(
        self, tx: Transaction, constituent: Constituent, replacing: str | None = None
    ) -> None:
        """One constituent added, or put in place of ``replacing`` or of the one of its name."""
        ...

    def remove_constituent(self, tx: Transaction, name: str) -> bool: ...

    def registry_version(self) -> int:
        """A number every change of the registry raises (0 before the first)."""
        ...

    def constituent_named(self, name: str) -> Constituent | None:
        """The registry's constituent of this name, in any case."""
        ...

    def replace_asn_ranges(self, ranges: Iterable[AsnRange]) -> int: ...

    def asn_ranges(self) -> Iterator[AsnRange]: ...
