"""What every sharing decision shares: the store parts, the clocks, partners and collections by
name, organisation names, and the audit entry each decision writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.errors import NotFound
from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Organisation, OrgKind, Principal
from tocsin.model.share import EVERYONE, Collection
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction


class SharingRecord:
    """The sharing desk's foundation; ``now`` and ``clock_us`` are injected for tests."""

    def __init__(
        self, store: Store, *, now: Now = wall_clock, clock_us: Callable[[], int] | None = None
    ) -> None:
        self.store = store
        self.share = store.share
        self.people = store.people
        self.now = now
        self.clock_us = clock_us or (lambda: self.now() * 1_000_000)

    def collection(self, key: str) -> Collection:
        found = self.share.collection(key)
        if found is None:
            raise NotFound(f"no collection {key!r}")
        return found

    def partner(self, name: str) -> Organisation:
        """The partner organisation of that name; NotFound when there is none."""
        org = self.people.organisation_named(name.strip())
        if org is None or org.kind is not OrgKind.PARTNER:
            raise NotFound(f"no partner {name!r}")
        return org

    def audit(
        self, who: Principal, action: str, kind: str, key: str, details: dict[str, Any]
    ) -> None:
        """An audit entry in a transaction of its own (what left by a channel not stored here)."""
        with self.store.transaction() as conn:
            self._audit(conn, who, action, kind, key, details)

    def org_name(self, org_id: int, default: str | None = None) -> str:
        """An organisation's name by id (``default``, else the id, when there is none of it)."""
        found = (o.name for o in self.people.organisations() if o.id == org_id)
        return next(found, str(org_id) if default is None else default)

    # -- helpers ---------------------------------------------------------------------------------

    def _org_name(self, org_id: int) -> str:
        if org_id == EVERYONE:
            return "every partner of the collection"
        return self.org_name(org_id)

    def _audit(
        self,
        conn: Transaction,
        who: Principal,
        action: str,
        kind: str,
        key: str,
        details: dict[str, Any],
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type=kind,
            object_id=key,
            details=details,
        )


__all__ = ["SharingRecord"]
