"""Sharing: TAXII collections, partner agreements, releases, and the STIX objects served."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from tocsin.model.share import Agreement, Collection, Release, ReleaseState
from tocsin.store.shapes import NewObject, ObjectQuery, Reader, Row, Stored, Transaction


@runtime_checkable
class ShareStore(Protocol):
    def add_collection(self, tx: Transaction, values: dict[str, Any]) -> int: ...

    def collections(self) -> list[Collection]: ...

    def collection(self, key: str | int) -> Collection | None:
        """By id, TAXII uuid or alias."""
        ...

    def collection_for(
        self, key: str, org_id: int | None
    ) -> tuple[Collection, Agreement | None] | None:
        """A collection (by TAXII uuid or alias) and the agreement of an organisation on it, in one
        query: it runs on every TAXII request."""
        ...

    def set_agreement(self, tx: Transaction, agreement: Agreement, now: int) -> None: ...

    def agreements(
        self, *, org_id: int | None = None, collection_id: int | None = None
    ) -> list[Agreement]: ...

    def add_objects(
        self,
        tx: Transaction,
        collection_id: int,
        objects: Sequence[NewObject],
        *,
        audience: int,
        now_us: int,
        release_id: int | None = None,
        source_org: int | None = None,
    ) -> Stored:
        """Store objects in a collection for an audience; an object version already there is left
        as it is. Keeps ``is_first`` / ``is_last`` true on the first and last version of each."""
        ...

    def page(self, collection_id: int, reader: Reader, query: ObjectQuery) -> list[Row]:
        """Up to ``query.limit + 1`` rows after ``added_after``, oldest first (one more than asked,
        to know whether there are more)."""
        ...

    def versions(
        self, collection_id: int, reader: Reader, object_id: str, query: ObjectQuery
    ) -> list[Row]: ...

    def delete_object(
        self, tx: Transaction, collection_id: int, object_id: str, query: ObjectQuery
    ) -> int:
        """Delete versions of an object; the first and last of what remains are marked again."""
        ...

    def count_objects(self, collection_id: int | None = None) -> int: ...

    def add_release(self, tx: Transaction, values: dict[str, Any]) -> int: ...

    def release(self, release_id: int, tx: Transaction | None = None) -> tuple[Release, str] | None:
        """A release and its payload (the STIX objects as a JSON array)."""
        ...

    def decide_release(self, tx: Transaction, release_id: int, **values: Any) -> None: ...

    def releases(self, state: ReleaseState | None = None, limit: int = 200) -> list[Release]: ...

    def put_status(
        self, tx: Transaction, status_id: str, org_id: int | None, created: int, data: str
    ) -> None: ...

    def status(self, status_id: str) -> tuple[int | None, str] | None: ...

    def pull_mark(self, name: str) -> str | None: ...

    def pulled_at(self, name: str) -> int | None: ...

    def set_pull_mark(self, tx: Transaction, name: str, last_added: str, now: int) -> None: ...
