"""The exchange log and the nonces seen, on SQLite and PostgreSQL: a message is stored once per
direction, party and message id; the outbox gives what is due, the most overdue first; a nonce
is new once; expired nonces are forgotten; nothing of a failed transaction stays."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.model.assist.request import Direction
from tocsin.store import Store

NOW = 1_795_830_000


def message(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "request_id": None,
        "counterpart_id": None,
        "direction": Direction.OUTGOING,
        "channel": "tocsin",
        "kind": "request",
        "party": "a" * 32,
        "message_id": "m-1",
        "nonce": "",
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": NOW,
        "error": "",
        "payload": {"ref": "RFA-2026-0001", "title": "Préservation"},
        "receipt": {},
        "created_at": NOW,
        "updated_at": NOW,
    }
    return values | changes


def test_a_message_is_stored_once_per_direction_party_and_id(store: Store) -> None:
    with store.transaction() as conn:
        first = store.exchange.add_message(conn, message())
        again = store.exchange.add_message(conn, message(payload={"other": 1}))
        incoming = store.exchange.add_message(conn, message(direction=Direction.INCOMING))
        other_party = store.exchange.add_message(conn, message(party="b" * 32))
    assert first is not None and again is None
    assert incoming is not None and other_party is not None
    assert len({first, incoming, other_party}) == 3
    found = store.exchange.message(first)
    assert found is not None and found.payload == {"ref": "RFA-2026-0001", "title": "Préservation"}
    keyed = store.exchange.message_by_key(Direction.INCOMING, "a" * 32, "m-1")
    assert keyed is not None and keyed.id == incoming
    assert store.exchange.message_by_key(Direction.INCOMING, "c" * 32, "m-1") is None


def test_a_message_reads_back_with_its_times_and_receipt(store: Store) -> None:
    with store.transaction() as conn:
        new = store.exchange.add_message(conn, message())
        assert new is not None
        store.exchange.update_message(
            conn,
            new,
            status="delivered",
            attempts=3,
            nonce="n" * 22,
            receipt={"kind": "receipt", "payload": {"message_id": "m-1"}},
            next_attempt_at=None,
            delivered_at=NOW + 400,
            updated_at=NOW + 400,
        )
        inside = store.exchange.message(new, conn)
    found = store.exchange.message(new)
    assert found == inside and found is not None
    assert (found.status, found.attempts, found.nonce) == ("delivered", 3, "n" * 22)
    assert found.receipt["payload"] == {"message_id": "m-1"}
    assert found.delivered_at is not None and found.delivered_at.timestamp() == NOW + 400
    assert found.next_attempt_at is None and found.direction is Direction.OUTGOING
    assert found.created_at.timestamp() == NOW


def test_the_outbox_gives_what_is_due_most_overdue_first(store: Store) -> None:
    with store.transaction() as conn:
        late = store.exchange.add_message(
            conn, message(message_id="late", next_attempt_at=NOW - 60)
        )
        due = store.exchange.add_message(conn, message(message_id="due", next_attempt_at=NOW))
        store.exchange.add_message(conn, message(message_id="later", next_attempt_at=NOW + 1))
        store.exchange.add_message(conn, message(message_id="done", next_attempt_at=None))
        store.exchange.add_message(
            conn, message(message_id="in", direction=Direction.INCOMING, next_attempt_at=NOW)
        )
    assert [m.id for m in store.exchange.due(NOW)] == [late, due]
    assert [m.message_id for m in store.exchange.due(NOW, limit=1)] == ["late"]
    assert [m.message_id for m in store.exchange.due(NOW + 1)] == ["late", "due", "later"]


def test_the_log_of_one_request_oldest_first(store: Store) -> None:
    with store.transaction() as conn:
        ids = [store.exchange.add_message(conn, message(message_id=f"m{n}")) for n in range(3)]
    assert [m.id for m in store.exchange.messages()] == ids
    assert store.exchange.messages(request_id=99) == []


def test_a_nonce_is_new_once_and_expired_ones_are_forgotten(store: Store) -> None:
    with store.transaction() as conn:
        assert store.exchange.see_nonce(conn, "a" * 32, "x" * 22, NOW + 300)
        assert not store.exchange.see_nonce(conn, "a" * 32, "x" * 22, NOW + 300)
        assert store.exchange.see_nonce(conn, "b" * 32, "x" * 22, NOW + 300)
        assert store.exchange.see_nonce(conn, "a" * 32, "y" * 22, NOW + 900)
    assert store.exchange.nonce_seen("a" * 32, "x" * 22)
    assert not store.exchange.nonce_seen("c" * 32, "x" * 22)
    with store.transaction() as conn:
        assert store.exchange.purge_nonces(conn, NOW + 301) == 2
    assert not store.exchange.nonce_seen("a" * 32, "x" * 22)
    assert store.exchange.nonce_seen("a" * 32, "y" * 22)


def test_nothing_of_a_failed_transaction_stays(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.exchange.add_message(conn, message())
        store.exchange.see_nonce(conn, "a" * 32, "z" * 22, NOW)
        raise RuntimeError("the receipt could not be made")
    assert store.exchange.messages() == []
    assert not store.exchange.nonce_seen("a" * 32, "z" * 22)
