"""Sharing in the SQL store: collections, agreements, releases, TAXII status and pulls; the STIX
objects served over TAXII are the rest of ``SqlShare`` (``share_objects``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tocsin.model.share import Agreement, Collection, Release, ReleaseState
from tocsin.model.tlp import TLP
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection
from tocsin.store.sql.share_objects import SharedObjects
from tocsin.store.sql.share_query import Prepared

_C = schema.share_collections
_A = schema.share_agreements
_R = schema.share_releases
_S = schema.share_status
_P = schema.share_pulls


class SqlShare(SharedObjects):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._prepared = Prepared(engine)

    # -- collections and agreements --------------------------------------------------------------

    def add_collection(self, tx: Transaction, values: dict[str, Any]) -> int:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_C).values(**values)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def collections(self) -> list[Collection]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_C).order_by(_C.c.id)).all()
        return [_collection(r) for r in rows]

    def collection(self, key: str | int) -> Collection | None:
        """By id, TAXII uuid or alias."""
        if isinstance(key, int):
            where = _C.c.id == key
        else:
            where = sa.or_(_C.c.uuid == key, _C.c.alias == key)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_C).where(where)).first()
        return _collection(row) if row else None

    def collection_for(
        self, key: str, org_id: int | None
    ) -> tuple[Collection, Agreement | None] | None:
        """A collection (by TAXII uuid or alias) and the agreement of an organisation on it, in one
        query: it runs on every TAXII request."""

        def build() -> sa.Select[Any]:
            on = sa.and_(_A.c.collection_id == _C.c.id, _A.c.org_id == sa.bindparam("org"))
            return (
                sa.select(
                    _C.c.id,
                    _C.c.uuid,
                    _C.c.alias,
                    _C.c.title,
                    _C.c.description,
                    _A.c.org_id,
                    _A.c.can_read,
                    _A.c.can_write,
                    _A.c.max_tlp,
                    _A.c.approval,
                )
                .select_from(_C.outerjoin(_A, on))
                .where(
                    sa.or_(_C.c.uuid == sa.bindparam("key"), _C.c.alias == sa.bindparam("alias"))
                )
            )

        params = {"org": org_id if org_id is not None else -1, "key": key, "alias": key}
        with self.engine.connect() as conn:
            rows = self._prepared.run(conn, "collection_for", build, params)
        if not rows:
            return None
        (cid, uuid_, alias, title, description, org, can_read, can_write, max_tlp, approval) = rows[
            0
        ]
        agreement = None
        if org is not None:
            agreement = Agreement(
                org, cid, bool(can_read), bool(can_write), TLP(max_tlp), bool(approval)
            )
        return Collection(cid, uuid_, alias, title, description), agreement

    def set_agreement(self, tx: Transaction, agreement: Agreement, now: int) -> None:
        conn = connection(tx)
        where = sa.and_(
            _A.c.org_id == agreement.org_id, _A.c.collection_id == agreement.collection_id
        )
        values = {
            "can_read": agreement.can_read,
            "can_write": agreement.can_write,
            "max_tlp": int(agreement.max_tlp),
            "approval": agreement.approval,
            "updated": now,
        }
        if conn.execute(sa.update(_A).where(where).values(**values)).rowcount == 0:
            conn.execute(
                sa.insert(_A).values(
                    org_id=agreement.org_id, collection_id=agreement.collection_id, **values
                )
            )

    def agreements(
        self, *, org_id: int | None = None, collection_id: int | None = None
    ) -> list[Agreement]:
        stmt = sa.select(_A).order_by(_A.c.org_id, _A.c.collection_id)
        if org_id is not None:
            stmt = stmt.where(_A.c.org_id == org_id)
        if collection_id is not None:
            stmt = stmt.where(_A.c.collection_id == collection_id)
        with self.engine.connect() as conn:
            return [_agreement(r) for r in conn.execute(stmt)]

    # -- releases --------------------------------------------------------------------------------

    def add_release(self, tx: Transaction, values: dict[str, Any]) -> int:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_R).values(**values)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def release(self, release_id: int, tx: Transaction | None = None) -> tuple[Release, str] | None:
        """A release and its payload (the STIX objects as a JSON array)."""
        conn = connection(tx) if tx is not None else None
        stmt = sa.select(_R).where(_R.c.id == release_id)
        if conn is None:
            with self.engine.connect() as own:
                row = own.execute(stmt).first()
        else:
            row = conn.execute(stmt).first()
        return (_release(row), row.payload) if row else None

    def decide_release(self, tx: Transaction, release_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_R).where(_R.c.id == release_id).values(**values))

    def releases(self, state: ReleaseState | None = None, limit: int = 200) -> list[Release]:
        stmt = sa.select(*[c for c in _R.c if c.name != "payload"]).order_by(_R.c.id.desc())
        if state is not None:
            stmt = stmt.where(_R.c.state == state.value)
        with self.engine.connect() as conn:
            return [_release(r) for r in conn.execute(stmt.limit(limit))]

    # -- TAXII status and pulls ------------------------------------------------------------------

    def put_status(
        self, tx: Transaction, status_id: str, org_id: int | None, created: int, data: str
    ) -> None:
        conn = connection(tx)
        conn.execute(sa.insert(_S).values(id=status_id, org_id=org_id, created=created, data=data))

    def status(self, status_id: str) -> tuple[int | None, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(_S.c.org_id, _S.c.data).where(_S.c.id == status_id)
            ).first()
        return (row.org_id, row.data) if row else None

    def pull_mark(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(_P.c.last_added).where(_P.c.name == name)).scalar()

    def pulled_at(self, name: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(_P.c.updated).where(_P.c.name == name)).scalar()

    def set_pull_mark(self, tx: Transaction, name: str, last_added: str, now: int) -> None:
        conn = connection(tx)
        if (
            conn.execute(
                sa.update(_P).where(_P.c.name == name).values(last_added=last_added, updated=now)
            ).rowcount
            == 0
        ):
            conn.execute(sa.insert(_P).values(name=name, last_added=last_added, updated=now))


def _collection(row: Any) -> Collection:
    return Collection(row.id, row.uuid, row.alias, row.title, row.description)


def _agreement(row: Any) -> Agreement:
    return Agreement(
        row.org_id, row.collection_id, row.can_read, row.can_write, TLP(row.max_tlp), row.approval
    )


def _release(row: Any) -> Release:
    return Release(
        id=row.id,
        collection_id=row.collection_id,
        audience=row.audience,
        tlp=TLP(row.tlp),
        state=ReleaseState(row.state),
        author=row.author,
        created=row.created,
        approver=row.approver,
        decided=row.decided,
        objects=row.objects,
        summary=row.summary,
    )
