"""Events get their observation key (``tocsin.model.event.observation_key``: the identifying fields
and the exact time, whatever the dedupe window), unique, so that re-ingesting a file under another
window stores none of its rows twice. Events stored before get theirs from their data; where one
observation was stored twice already (under two windows), the first copy keeps the key and the
others keep none (they stay, as incidents may hold them).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from tocsin.model.event import observation_key

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    op.add_column("events", sa.Column("observation", sa.LargeBinary(16), nullable=True))
    op.create_index("events_observation_scan", "events", ["observation"])
    conn = op.get_bind()
    last = 0
    while True:
        found = conn.execute(
            sa.text("SELECT id, data FROM events WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        if not found:
            break
        keys = [{"id": row_id, "key": _key(data)} for row_id, data in found]
        conn.execute(sa.text("UPDATE events SET observation = :key WHERE id = :id"), keys)
        last = found[-1][0]
    conn.execute(
        sa.text(
            "UPDATE events SET observation = NULL WHERE EXISTS (SELECT 1 FROM events AS first "
            "WHERE first.observation = events.observation AND first.id < events.id)"
        )
    )
    op.drop_index("events_observation_scan", table_name="events")
    op.create_index("events_observation", "events", ["observation"], unique=True)


def _key(data: str) -> bytes | None:
    """The observation key of a stored event's data; None if it cannot be read."""
    try:
        return bytes.fromhex(observation_key(orjson.loads(data)))
    except (ValueError, KeyError, TypeError):
        return None


def downgrade() -> None:
    op.drop_index("events_observation", table_name="events")
    op.drop_column("events", "observation")
