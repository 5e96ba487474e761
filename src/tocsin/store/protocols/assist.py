"""Requests for assistance: the requests, their steps and incident links, the directory of 24/7
contacts (versioned) and the personal-data ledger.

Values handed in are the model's (enums, ``Safeguards``, identifiers, element mappings); times
are Unix seconds. Records come back as ``tocsin.model.assist.request`` records.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tocsin.model.assist.request import Contact, Direction, LedgerEntry, Request, Step
from tocsin.model.assist.states import State
from tocsin.store.shapes import Transaction


@runtime_checkable
class AssistStore(Protocol):
    # -- requests --------------------------------------------------------------------------------

    def add_request(self, tx: Transaction, values: dict[str, Any]) -> int: ...

    def update_request(self, tx: Transaction, request_id: int, **values: Any) -> None: ...

    def request(self, request_id: int, tx: Transaction | None = None) -> Request | None: ...

    def request_by_ref(self, ref: str, tx: Transaction | None = None) -> Request | None: ...

    def requests(
        self,
        *,
        direction: Direction | None = None,
        states: frozenset[State] | None = None,
        basis: str | None = None,
        emergency: bool | None = None,
        parent_id: int | None = None,
        limit: int = 200,
    ) -> list[Request]:
        """Emergencies first, then the newest first."""
        ...

    def expired(self, now: int, limit: int = 500) -> list[int]:
        """The ids of requests whose retention limit is at or before ``now``, not yet purged."""
        ...

    # -- steps and links -------------------------------------------------------------------------

    def add_step(self, tx: Transaction, request_id: int, values: dict[str, Any]) -> int: ...

    def steps(self, request_id: int, tx: Transaction | None = None) -> list[Step]:
        """Oldest first."""
        ...

    def link_incident(self, tx: Transaction, request_id: int, incident_id: int) -> bool:
        """True when the link is new."""
        ...

    # -- the directory ---------------------------------------------------------------------------

    def add_contact(self, tx: Transaction, values: dict[str, Any], actor: str) -> int: ...

    def update_contact(
        self, tx: Transaction, contact_id: int, values: dict[str, Any], actor: str
    ) -> int:
        """A new version of the contact (its id stays); returns the version's number."""
        ...

    def confirm_contact(self, tx: Transaction, contact_id: int, at: int) -> None: ...

    def contact(self, contact_id: int, tx: Transaction | None = None) -> Contact | None: ...

    def contacts(self, *, country: str | None = None, text: str | None = None) -> list[Contact]:
        """By country, then authority."""
        ...

    def contact_versions(self, contact_id: int) -> list[Contact]:
        """Every version, the oldest first."""
        ...

    # -- the personal-data ledger ----------------------------------------------------------------

    def add_ledger(self, tx: Transaction, request_id: int, values: dict[str, Any]) -> int: ...

    def ledger(self, request_id: int, tx: Transaction | None = None) -> list[LedgerEntry]:
        """Oldest first."""
        ...
