"""The exchange of requests for assistance between Tocsins: the exchange log (which is the
outbox too) and the nonces of the envelopes opened.

Times handed in are Unix seconds; records come back as ``tocsin.model.assist.request.Message``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tocsin.model.assist.request import Direction, Message
from tocsin.store.shapes import Transaction


@runtime_checkable
class ExchangeStore(Protocol):
    def add_message(self, tx: Transaction, values: dict[str, Any]) -> int | None:
        """The new message's id; ``None`` when one with its direction, party and message id is
        there already (the receiver takes a message once)."""
        ...

    def update_message(self, tx: Transaction, message_id: int, **values: Any) -> None: ...

    def message(self, message_id: int, tx: Transaction | None = None) -> Message | None: ...

    def message_by_key(
        self, direction: Direction, party: str, message_id: str, tx: Transaction | None = None
    ) -> Message | None: ...

    def messages(self, request_id: int | None = None, limit: int = 500) -> list[Message]:
        """Oldest first: those of one request, or all."""
        ...

    def due(self, now: int, limit: int = 100) -> list[Message]:
        """Outgoing messages waiting whose next attempt is at or before ``now``, the most
        overdue first."""
        ...

    def see_nonce(self, tx: Transaction, party: str, nonce: str, expires_at: int) -> bool:
        """Records the nonce; False when it was there already (a replay)."""
        ...

    def nonce_seen(self, party: str, nonce: str) -> bool: ...

    def purge_nonces(self, tx: Transaction, now: int) -> int:
        """Forgets the nonces expired at ``now``; how many."""
        ...
