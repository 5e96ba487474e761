"""Observation keys begin with their time (``tocsin.model.event.observation_key``: 4 bytes of Unix
seconds, then 12 of the digest), so that the unique index on them grows at its end instead of at a
random place for each new event (docs/benchmarks.md §1.5). The keys of the events stored before
are computed again from their data; an event without one (a second copy of an observation stored
before 0014) stays without. The index is dropped while the keys change and built again after, in
one sorted pass.

Revision ID: 0018
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

from tocsin.model.event import fingerprint, observation_key

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    _rekey(observation_key)


def downgrade() -> None:
    """Back to 0014's keys: the digest of the fields and the exact time alone, which is the
    fingerprint in a window of one second."""
    _rekey(lambda event: fingerprint(event, 1))


def _rekey(key_of: Callable[[dict[str, Any]], str]) -> None:
    """Every kept observation key computed again from its event's data, the index built after."""
    op.drop_index("events_observation", table_name="events")
    conn = op.get_bind()
    last = 0
    while True:
        found = conn.execute(
            sa.text(
                "SELECT id, data FROM events WHERE id > :last AND observation IS NOT NULL "
                "ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not found:
            break
        keys = [{"id": row_id, "key": _key(key_of, data)} for row_id, data in found]
        conn.execute(sa.text("UPDATE events SET observation = :key WHERE id = :id"), keys)
        last = found[-1][0]
    op.create_index("events_observation", "events", ["observation"], unique=True)


def _key(key_of: Callable[[dict[str, Any]], str], data: str) -> bytes | None:
    """The key of a stored event's data; None if it cannot be read."""
    try:
        return bytes.fromhex(key_of(orjson.loads(data)))
    except (ValueError, KeyError, TypeError):
        return None
