"""The yearly figures' reads of requests for assistance in the SQL store: the requests issued in
a span of time with their follow-ups, and the steps of many requests in a few queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.assist.request import Link, Request, Step
from tocsin.model.assist.states import State
from tocsin.store.sql import schema
from tocsin.store.sql.assist import _request as request_record  # one reading of a row

_R = schema.assist_requests
_S = schema.assist_steps
_CHUNK = 500  # ids per IN (…): well under every driver's limit of parameters


class SqlAssistFigures:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def issued_between(self, start: int, end: int, org_id: int | None = None) -> list[Request]:
        sent = sa.and_(_R.c.sent_at >= start, _R.c.sent_at < end)
        received = sa.and_(
            _R.c.sent_at.is_(None), _R.c.received_at >= start, _R.c.received_at < end
        )
        query = sa.select(_R).where(sa.or_(sent, received)).order_by(_R.c.id)
        if org_id is not None:
            query = query.where(_R.c.org_id == org_id)
        with self.engine.connect() as conn:
            found = {row.id: request_record(conn, row) for row in conn.execute(query).all()}
            parents = sorted(found)
            for part in _chunks(parents):
                follow = sa.select(_R).where(
                    _R.c.parent_id.in_(part), _R.c.link == Link.FOLLOW_UP.value
                )
                for row in conn.execute(follow).all():
                    found.setdefault(row.id, request_record(conn, row))
        return [found[i] for i in sorted(found)]

    def steps_of(self, request_ids: Sequence[int]) -> dict[int, list[Step]]:
        found: dict[int, list[Step]] = {}
        with self.engine.connect() as conn:
            for part in _chunks(sorted(set(request_ids))):
                query = sa.select(_S).where(_S.c.request_id.in_(part)).order_by(_S.c.at, _S.c.id)
                for r in conn.execute(query).all():
                    found.setdefault(r.request_id, []).append(
                        Step(
                            id=r.id,
                            request_id=r.request_id,
                            at=datetime.fromtimestamp(r.at, tz=UTC),
                            state=State(r.state),
                            actor_id=r.actor_id,
                            note=r.note,
                            detail=orjson.loads(r.detail),
                        )
                    )
        return found


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
