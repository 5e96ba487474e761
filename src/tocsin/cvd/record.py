"""What every change to a vulnerability case shares: the store parts, the injected clock, and the
record of each change (the audit entry, and a new revision once the advisory is published)."""

from __future__ import annotations

from typing import Any

from tocsin.model.clock import Now, wall_clock
from tocsin.model.cvd import Case, Revision, State
from tocsin.model.people import Principal
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction


class CvdRecord:
    """The CVD service's foundation; ``now`` is injected so that tests move time."""

    def __init__(self, store: Store, *, now: Now = wall_clock) -> None:
        self.store = store
        self.cases = store.cases
        self.cvd = store.cvd
        self.now = now

    def _read(self, conn: Transaction, case_id: int) -> Case:
        case = self.cvd.case(case_id, conn)
        assert case is not None
        return case

    def _revise(self, conn: Transaction, case: Case, summary: str) -> None:
        """A published advisory that changes gets a new revision."""
        if case.state is not State.PUBLISHED:
            return
        current = self._read(conn, case.id).revisions
        number = (current[-1].number if current else 0) + 1
        revision = Revision(self.now(), number, summary[:500])
        self.cvd.update_case(conn, case.id, revisions=(*current, revision))

    def _audit(
        self, conn: Transaction, who: Principal, case: Case, action: str, details: dict[str, Any]
    ) -> None:
        self.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="cvd",
            object_id=case.public_id,
            details=details,
        )


__all__ = ["CvdRecord"]
