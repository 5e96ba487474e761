"""The storage interface every backend implements, and the shapes it takes and returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.event import Event
from tocsin.store.rows import EventRow, QuarantineRow
from tocsin.store.shapes import Transaction

if TYPE_CHECKING:
    from tocsin.store.cases import SqlCases
    from tocsin.store.cvd import SqlCvd
    from tocsin.store.notices import SqlNotices
    from tocsin.store.people import SqlPeople
    from tocsin.store.reports import SqlReports
    from tocsin.store.share import SqlShare


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What ``tocsin events`` and ``/api/v1/events`` can ask for; all conditions must hold."""

    ip: str | None = None  # an address, or a network in CIDR notation
    asn: int | None = None
    fqdn: str | None = None
    url: str | None = None
    type: str | None = None
    constituent: str | None = None
    priority: str | None = None
    feed: str | None = None
    since: int | None = None  # Unix seconds, on time.source (time.observation when absent)
    until: int | None = None
    limit: int = 100
    before: int | None = None  # cursor: the id of the last event of the previous page
    max_tlp: int | None = None  # only events at this TLP level or below (TLP's IntEnum values)


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[Event]
    next_cursor: int | None


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    id: int
    feed: str
    file: str
    line: int
    stage: str
    reason: str
    raw: str
    created: int


class Store(Protocol):
    """One storage contract; the same test suite runs it on SQLite and PostgreSQL."""

    url: str
    people: SqlPeople  # organisations, users, API tokens
    cases: SqlCases  # incidents, their parts, the audit log
    reports: SqlReports  # reports from the public, their reporters apart
    cvd: SqlCvd  # vulnerability cases, their vendors, products and log
    notices: SqlNotices  # notices to constituents, and which event went to whom
    share: SqlShare  # TAXII collections, partner agreements, releases, shared STIX objects

    def migrate(self) -> None: ...

    def transaction(self) -> AbstractContextManager[Transaction]:
        """A unit of work: what the parts write with the handle commits together, or nothing
        does when the block raises."""
        ...

    def close(self) -> None: ...

    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        """Store new events and quarantined rows in one transaction; return how many events were
        new (an event whose fingerprint is already stored is ignored)."""
        ...

    def search(self, query: EventFilter) -> EventPage: ...

    def count_events(self) -> int: ...

    def get_event(self, fingerprint: str) -> Event | None: ...

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

    def replace_asn_ranges(self, ranges: Iterable[AsnRange]) -> int: ...

    def asn_ranges(self) -> Iterator[AsnRange]: ...

    def stats(self) -> dict[str, Any]: ...
