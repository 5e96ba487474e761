"""Notices to constituents, and which event went to whom (never the same one twice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from tocsin.model.event import Event
from tocsin.store.shapes import Transaction


@runtime_checkable
class NoticeStore(Protocol):
    def unsent(self, after_id: int, since: int, limit: int) -> list[tuple[int, str, Event]]:
        """Events of a constituent (id above ``after_id``, seen since ``since``) not yet in any
        notice to that constituent: (id, constituent, event), oldest first."""
        ...

    def add(self, tx: Transaction, values: dict[str, Any], event_ids: Sequence[int]) -> int: ...

    def update(self, notice_id: int, **values: Any) -> None: ...

    def add_many(
        self, tx: Transaction, notices: Sequence[tuple[dict[str, Any], Sequence[int]]]
    ) -> list[int]:
        """``add`` for many notices (their values, their events' ids) in three statements; the
        new ids in the same order."""
        ...

    def update_many(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Several notices changed in one transaction: all the changes are kept, or none."""
        ...

    def update_many_in(
        self, tx: Transaction, changes: Sequence[tuple[int, dict[str, Any]]]
    ) -> None: ...

    def update_in(self, tx: Transaction, notice_id: int, **values: Any) -> None: ...

    def by_message_id(self, message_id: str) -> dict[str, Any] | None: ...

    def get(self, notice_id: int) -> dict[str, Any] | None: ...

    def events(self, notice_id: int) -> list[Event]: ...

    def events_of(self, notice_ids: Sequence[int]) -> dict[int, list[Event]]:
        """The events each of these notices carries, oldest first, in two queries whatever
        their number (keep it to a few hundred)."""
        ...

    def for_incident(self, incident_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """The notices that carried any of the incident's linked events, the newest first."""
        ...

    def due(self, now: int, limit: int) -> list[dict[str, Any]]:
        """Notices waiting for the mail server: planned, or deferred until now."""
        ...

    def unacknowledged(self, sent_before: int, priorities: Sequence[str]) -> list[dict[str, Any]]:
        """Sent notices of these priorities nobody acknowledged, not reminded yet."""
        ...

    def recipients_of(self, period: str) -> set[str]:
        """The recipients that have a notice for ``period`` already (a day's digest, say)."""
        ...

    def has_digest(self, recipient: str, period: str) -> bool: ...

    def listing(self, limit: int = 200, status: str | None = None) -> list[dict[str, Any]]: ...

    def count(self) -> int: ...
