"""The exchange log and the nonces seen, in the SQL store (migration 0021).

Changes are made inside a transaction the service opens, so that a message, its nonce and its
audit entry commit together. A message whose direction, party and message id are taken is not
added twice (``ON CONFLICT DO NOTHING`` on that unique index), nor a nonce seen twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from tocsin.model.assist.request import Direction, Message
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_M = schema.assist_messages
_N = schema.assist_nonces
_JSON = ("payload", "receipt")


class SqlExchange:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_message(self, tx: Transaction, values: dict[str, Any]) -> int | None:
        conn = connection(tx)
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(_M)
            .values(**_row(values))
            .on_conflict_do_nothing(index_elements=[_M.c.direction, _M.c.party, _M.c.message_id])
            .returning(_M.c.id)
        )
        found = conn.execute(insert).scalar()
        return None if found is None else int(found)

    def update_message(self, tx: Transaction, message_id: int, **values: Any) -> None:
        connection(tx).execute(sa.update(_M).where(_M.c.id == message_id).values(**_row(values)))

    def message(self, message_id: int, tx: Transaction | None = None) -> Message | None:
        return self._one(_M.c.id == message_id, tx)

    def message_by_key(
        self, direction: Direction, party: str, message_id: str, tx: Transaction | None = None
    ) -> Message | None:
        where = sa.and_(
            _M.c.direction == direction.value, _M.c.party == party, _M.c.message_id == message_id
        )
        return self._one(where, tx)

    def messages(self, request_id: int | None = None, limit: int = 500) -> list[Message]:
        query = sa.select(_M).order_by(_M.c.id).limit(limit)
        if request_id is not None:
            query = query.where(_M.c.request_id == request_id)
        with self.engine.connect() as conn:
            return [_message(row) for row in conn.execute(query).mappings()]

    def due(self, now: int, limit: int = 100) -> list[Message]:
        query = (
            sa.select(_M)
            .where(_M.c.next_attempt_at <= now, _M.c.direction == Direction.OUTGOING.value)
            .order_by(_M.c.next_attempt_at, _M.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_message(row) for row in conn.execute(query).mappings()]

    def see_nonce(self, tx: Transaction, party: str, nonce: str, expires_at: int) -> bool:
        conn = connection(tx)
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(_N)
            .values(party=party, nonce=nonce, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[_N.c.party, _N.c.nonce])
            .returning(_N.c.nonce)
        )
        return conn.execute(insert).scalar() is not None  # rowcount is -1 on PostgreSQL here

    def nonce_seen(self, party: str, nonce: str) -> bool:
        query = sa.select(_N.c.nonce).where(_N.c.party == party, _N.c.nonce == nonce)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def purge_nonces(self, tx: Transaction, now: int) -> int:
        done = connection(tx).execute(sa.delete(_N).where(_N.c.expires_at < now))
        return int(done.rowcount)

    def _one(self, where: Any, tx: Transaction | None) -> Message | None:
        query = sa.select(_M).where(where)
        if tx is not None:
            return _first(connection(tx), query)
        with self.engine.connect() as conn:
            return _first(conn, query)


def _first(conn: Connection, query: Any) -> Message | None:
    row = conn.execute(query).mappings().first()
    return None if row is None else _message(row)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in _JSON:
        if name in out:
            out[name] = orjson.dumps(dict(out[name])).decode()
    if "direction" in out:
        out["direction"] = Direction(out["direction"]).value
    return out


def _when(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _message(row: Any) -> Message:
    return Message(
        id=int(row["id"]),
        request_id=row["request_id"],
        direction=Direction(row["direction"]),
        channel=row["channel"],
        kind=row["kind"],
        nonce=row["nonce"],
        status=row["status"],
        attempts=int(row["attempts"]),
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        updated_at=datetime.fromtimestamp(row["updated_at"], UTC),
        payload=orjson.loads(row["payload"]),
        receipt=orjson.loads(row["receipt"]),
        counterpart_id=row["counterpart_id"],
        party=row["party"],
        message_id=row["message_id"],
        next_attempt_at=_when(row["next_attempt_at"]),
        error=row["error"],
        delivered_at=_when(row["delivered_at"]),
    )
