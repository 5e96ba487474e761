"""The audit log in the SQL store: entries chained by their MACs under the audit key (which the
store is handed, never keeps), appended in the transaction of the change they record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tocsin.errors import ConfigError
from tocsin.model.audit import AuditEntry, AuditKeySource, chain, key_of
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_A = schema.audit_log


class AuditLog:
    """Part of ``SqlCases``."""

    engine: Engine
    audit_key: AuditKeySource | None

    # -- the audit log ---------------------------------------------------------------------------

    def append_audit(self, tx: Transaction, **content: Any) -> AuditEntry:
        """Append an entry chained to the last one (see ``append_audits``)."""
        return self.append_audits(tx, [content])[0]

    def append_audits(
        self, tx: Transaction, contents: Sequence[dict[str, Any]]
    ) -> list[AuditEntry]:
        """Append entries chained to the last one and to each other, in one statement. The
        sequence number is the primary key, so two writers racing for one number cannot both
        succeed: the loser retries. A store opened without the audit key refuses: an entry it
        could not seal would break the chain."""
        if self.audit_key is None:
            raise ConfigError("this store was opened without the audit key: it cannot append")
        if not contents:
            return []
        key = key_of(self.audit_key)
        conn = connection(tx)
        for _ in range(20):
            last = conn.execute(sa.select(_A).order_by(_A.c.seq.desc()).limit(1)).first()
            previous = _to_entry(last) if last else None
            entries = []
            for content in contents:
                previous = chain(previous, key, **content)
                entries.append(previous)
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(_A), [_row(entry) for entry in entries])
                return entries
            except IntegrityError:
                continue
        raise RuntimeError("the audit log is too busy to append to")

    def last_audit_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(_A.c.seq), 0))).scalar_one()
            )

    def audit(self, *, after: int = 0, limit: int = 1000) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_A).where(_A.c.seq > after).order_by(_A.c.seq).limit(limit)
            ).all()
        return [_to_entry(r) for r in rows]

    def audit_for(self, object_type: str, object_id: str, limit: int = 200) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_A)
                .where(_A.c.object_type == object_type, _A.c.object_id == object_id)
                .order_by(_A.c.seq)
                .limit(limit)
            ).all()
        return [_to_entry(r) for r in rows]

    def audit_count(self, object_type: str, object_id: str, action: str, since: int) -> int:
        """How many entries of ``action`` about one object were written at ``since`` or later."""
        query = (
            sa.select(sa.func.count())
            .select_from(_A)
            .where(
                _A.c.object_type == object_type,
                _A.c.object_id == object_id,
                _A.c.action == action,
                _A.c.at >= since,
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": orjson.dumps(entry.details, option=orjson.OPT_SORT_KEYS).decode(),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "version": entry.version,
    }


def _to_entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        details=orjson.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
        version=row.version,
    )
