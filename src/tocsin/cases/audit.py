"""Reading and checking the audit log (``tocsin audit verify``)."""

from __future__ import annotations

from collections.abc import Iterator

from tocsin.model import access
from tocsin.model.audit import AuditEntry, Verdict, verify
from tocsin.model.people import Principal, Role
from tocsin.store.base import Store

AUDIT_READERS = (Role.ADMIN, Role.LEAD, Role.AUDITOR)


def entries(store: Store, page: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read page by page."""
    after = 0
    while True:
        batch = store.cases.audit(after=after, limit=page)
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def verify_log(store: Store) -> tuple[Verdict, str | None]:
    """The verdict over the whole log and the hash of its last entry (record it elsewhere: a
    log cut short at its end is caught by comparing that hash)."""
    last: list[str] = []

    def walk() -> Iterator[AuditEntry]:
        for entry in entries(store):
            last[:] = [entry.hash]
            yield entry

    verdict = verify(walk())
    return verdict, (last[0] if last else None)


def read(store: Store, who: Principal, *, after: int = 0, limit: int = 200) -> list[AuditEntry]:
    access.require(who, *AUDIT_READERS)
    return store.cases.audit(after=after, limit=limit)


class AuditLog:
    """The audit log for the pages: every read checked against the reader's role."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def last_seq(self, who: Principal) -> int:
        access.require(who, *AUDIT_READERS)
        return self.store.cases.last_audit_seq()

    def read(self, who: Principal, *, after: int = 0, limit: int = 200) -> list[AuditEntry]:
        return read(self.store, who, after=after, limit=limit)

    def verify(self, who: Principal) -> tuple[Verdict, str | None]:
        access.require(who, *AUDIT_READERS)
        return verify_log(self.store)
