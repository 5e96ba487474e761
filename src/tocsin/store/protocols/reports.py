"""Reports from the public, and their reporters' contact details kept apart."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tocsin.model.report import Report
from tocsin.store.shapes import Transaction


@runtime_checkable
class ReportStore(Protocol):
    def add(self, tx: Transaction, report: dict[str, Any], contact: dict[str, str]) -> int:
        """The new report's id; Conflict when its reference is taken (the caller draws again)."""
        ...

    def by_reference(self, reference: str) -> tuple[Report, str] | None:
        """The report and the hash of its status code."""
        ...

    def for_incident(self, incident_id: int) -> Report | None: ...

    def reporter(self, report_id: int) -> dict[str, str]: ...

    def count(self) -> int: ...

    def use_stamp(self, tx: Transaction, digest: str, expires: int, now: int) -> bool:
        """Record a start stamp as used until ``expires``; False when it already was. Stamps
        whose time is over (``expires`` before ``now``) are forgotten first."""
        ...

    def stamp_used(self, digest: str) -> bool: ...
