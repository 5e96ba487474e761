"""What every change to a request for assistance shares: the store, the injected clock, and the
record of each change (its audit entry, and a step of its history for each move)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin.model.assist.request import Request
from tocsin.model.assist.states import State
from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Principal
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

Listener = Callable[[Request], None]  # told of a request created or moved, after its commit
log = logging.getLogger("tocsin.assist")


@dataclass(frozen=True, slots=True)
class Result:
    """A request as a change left it, and what the person should know (a counterpart not
    confirmed reachable for a year, a shared address without port and time…)."""

    request: Request
    warnings: tuple[str, ...] = ()


def moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class AssistRecord:
    """The assistance services' foundation; ``now`` is injected so that tests move time."""

    def __init__(self, store: Store, *, now: Now = wall_clock) -> None:
        self.store = store
        self.assist = store.assist
        self.now = now
        self.listeners: list[Listener] = []  # the duty officer's alarms (services.duty)

    def _changed(self, request: Request) -> None:
        """Tell the listeners of a request created or moved, once its transaction committed. A
        listener that fails is logged: the change stands, and the watch job catches up."""
        for listener in self.listeners:
            try:
                listener(request)
            except Exception:  # the request is stored whatever the alarm does
                log.exception("request %s: a listener failed", request.ref)

    def _read(self, conn: Transaction, request_id: int) -> Request:
        found = self.assist.request(request_id, conn)
        assert found is not None
        return found

    def _step(
        self,
        conn: Transaction,
        who: Principal,
        request_id: int,
        state: State,
        note: str = "",
        **detail: Any,
    ) -> None:
        self.assist.add_step(
            conn,
            request_id,
            {
                "at": self.now(),
                "state": state,
                "actor_id": who.user_id,
                "note": note,
                "detail": detail,
            },
        )

    def _audit(
        self,
        conn: Transaction,
        who: Principal,
        request: Request,
        action: str,
        details: dict[str, Any],
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="assist",
            object_id=request.ref,
            details=details,
        )


__all__ = ["AssistRecord", "Result", "moment"]
