"""The storage interface every backend implements: the events of ``EventStore``, one part per
topic, and the unit of work the parts' changes share."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from tocsin.store.protocols import (
    AssistFiguresStore,
    AssistStore,
    CaseStore,
    CollectorStore,
    CvdStore,
    DashboardStore,
    EventStore,
    ExchangeStore,
    JobStore,
    NoticeStore,
    PeopleStore,
    ReportStore,
    RetentionStore,
    ShareStore,
    StatsStore,
)
from tocsin.store.shapes import Figures, Transaction


@runtime_checkable
class Store(EventStore, Protocol):
    """One storage contract; the same test suite runs it on SQLite and PostgreSQL."""

    url: str

    @property
    def people(self) -> PeopleStore:
        """Organisations, users, API tokens."""
        ...

    @property
    def cases(self) -> CaseStore:
        """Incidents, their parts, the audit log."""
        ...

    @property
    def reports(self) -> ReportStore:
        """Reports from the public, their reporters apart."""
        ...

    @property
    def cvd(self) -> CvdStore:
        """Vulnerability cases, their vendors, products and log."""
        ...

    @property
    def assist(self) -> AssistStore:
        """Requests for assistance, their steps and links, the 24/7 directory, the ledger."""
        ...

    @property
    def exchange(self) -> ExchangeStore:
        """The exchange log of requests for assistance (the outbox too), the nonces seen."""
        ...

    @property
    def assist_figures(self) -> AssistFiguresStore:
        """The reads of the yearly figures of requests for assistance."""
        ...

    @property
    def oversight(self) -> StatsStore:
        """Statistics releases for parliament, and the incidents they count."""
        ...

    @property
    def notices(self) -> NoticeStore:
        """Notices to constituents, and which event went to whom."""
        ...

    @property
    def share(self) -> ShareStore:
        """TAXII collections, partner agreements, releases, shared STIX objects."""
        ...

    @property
    def collectors(self) -> CollectorStore:
        """Collectors' runs, states and archived objects; the runs of ``tocsin ingest`` too."""
        ...

    @property
    def jobs(self) -> JobStore:
        """What the scheduler remembers of its jobs."""
        ...

    @property
    def retention(self) -> RetentionStore:
        """What each kind's retention would purge, and the purge."""
        ...

    @property
    def dashboard(self) -> DashboardStore:
        """The console dashboard's grouped counts."""
        ...

    def migrate(self) -> None: ...

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[Transaction]:
        """A unit of work: what the parts write with the handle commits together, or nothing
        does when the block raises."""
        ...

    def figures(self, after_event: int = 0) -> Figures:
        """The counts ``/metrics`` shows, each read from an index; the events by feed are those
        with an id above ``after_event``."""
        ...

    def try_lock(self, name: str) -> AbstractContextManager[bool]:
        """The lock of one scheduled job across every server on this database: yields True
        while this caller holds it, False at once when someone else does (never waits)."""
        ...
