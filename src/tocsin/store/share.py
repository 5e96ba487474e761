"""Sharing in the SQL store: collections, agreements, releases, and the STIX objects served over
TAXII.

Objects are kept as the JSON text they are served as, so a page of a thousand objects is one index
range scan and a join of strings: nothing is parsed, sorted or copied per request, and the cost of
a page does not grow with the collection. ``date_added`` (microseconds) is unique and increasing
within a collection: it is both what TAXII calls date_added and the cursor of the next page. It is
given out under a lock on the collection's row, so what commits later is always added later and a
partner polling with ``added_after`` never misses an object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.model.share import Agreement, Collection, Release, ReleaseState
from tocsin.model.tlp import TLP
from tocsin.store import schema
from tocsin.store.shapes import Transaction
from tocsin.store.share_query import ObjectQuery, Prepared, Reader, matching, visible
from tocsin.store.transaction import connection

_C = schema.share_collections
_A = schema.share_agreements
_O = schema.share_objects
_R = schema.share_releases
_S = schema.share_status
_P = schema.share_pulls


@dataclass(frozen=True, slots=True)
class NewObject:
    """One STIX object to store: its identity, version (µs; 0 for none), TLP and JSON text."""

    object_id: str
    type: str
    spec_version: str
    version: int
    tlp: TLP
    data: str


@dataclass(slots=True)
class Stored:
    """What ``add_objects`` did: the new rows, and the objects that were already there."""

    added: list[tuple[str, int]] = field(default_factory=list)  # (object_id, version)
    present: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Row:
    date_added: int
    object_id: str
    version: int
    type: str
    data: str


class SqlShare:
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

    # -- objects ---------------------------------------------------------------------------------

    def add_objects(
        self,
        tx: Transaction,
        collection_id: int,
        objects: Sequence[NewObject],
        *,
        audience: int,
        now_us: int,
        release_id: int | None = None,
        source_org: int | None = None,
    ) -> Stored:
        """Store objects in a collection for an audience; an object version already there is left
        as it is. Keeps ``is_first`` / ``is_last`` true on the first and last version of each."""
        conn = connection(tx)
        done = Stored()
        if not objects:
            return done
        _lock(conn, collection_id)
        last_added = conn.execute(
            sa.select(sa.func.max(_O.c.date_added)).where(_O.c.collection_id == collection_id)
        ).scalar()
        added = max(now_us, (last_added or 0) + 1)
        ids = sorted({o.object_id for o in objects})
        versions: dict[str, list[tuple[int, int]]] = {}  # object_id -> [(version, seq)]
        for start in range(0, len(ids), 500):
            for r in conn.execute(
                sa.select(_O.c.object_id, _O.c.version, _O.c.seq).where(
                    _O.c.collection_id == collection_id,
                    _O.c.audience == audience,
                    _O.c.object_id.in_(ids[start : start + 500]),
                )
            ):
                versions.setdefault(r.object_id, []).append((r.version, r.seq))
        rows: list[dict[str, Any]] = []
        for item in objects:
            known = versions.setdefault(item.object_id, [])
            if any(v == item.version for v, _ in known):
                done.present.append((item.object_id, item.version))
                continue
            lower = min((v for v, _ in known), default=None)
            upper = max((v for v, _ in known), default=None)
            first = lower is None or item.version < lower
            last = upper is None or item.version > upper
            if known and first:
                _flag(conn, [s for v, s in known if v == lower], is_first=False)
            if known and last:
                _flag(conn, [s for v, s in known if v == upper], is_last=False)
            known.append((item.version, -1))
            rows.append(
                {
                    "collection_id": collection_id,
                    "date_added": added,
                    "object_id": item.object_id,
                    "version": item.version,
                    "type": item.type,
                    "spec_version": item.spec_version,
                    "tlp": int(item.tlp),
                    "audience": audience,
                    "is_first": first,
                    "is_last": last,
                    "release_id": release_id,
                    "source_org": source_org,
                    "data": item.data,
                }
            )
            done.added.append((item.object_id, item.version))
            added += 1
        # Flags of versions added in this very batch were decided one by one above; a later item
        # of the batch may have made an earlier one no longer first or last: settle them now.
        _settle(rows)
        for start in range(0, len(rows), 1000):
            conn.execute(sa.insert(_O), rows[start : start + 1000])
        return done

    def page(self, collection_id: int, reader: Reader, query: ObjectQuery) -> list[Row]:
        """Up to ``query.limit + 1`` rows after ``added_after``, oldest first (one more than asked,
        to know whether there are more)."""
        params: dict[str, Any] = {"limit": query.limit + 1}
        visible(collection_id, reader, params, build=False)
        matching(query, params, build=False)

        def build() -> sa.Select[Any]:
            where = [*visible(collection_id, reader, {}), *matching(query, {})]
            return (
                sa.select(_O.c.date_added, _O.c.object_id, _O.c.version, _O.c.type, _O.c.data)
                .where(*where)
                # Asked by id: a handful of rows through the id index, sorted after, rather than
                # a walk of the whole collection in date order (ordering by an expression stops
                # SQLite's planner from taking the date index for its order).
                .order_by(
                    _O.c.date_added + sa.literal_column("0") if query.ids else _O.c.date_added
                )
                .limit(sa.bindparam("limit", type_=sa.Integer))
            )

        shape = ("page", tuple(sorted(params)), tuple(query.versions_shape()))
        with self.engine.connect() as conn:
            return [Row(*r) for r in self._prepared.run(conn, shape, build, params)]

    def versions(
        self, collection_id: int, reader: Reader, object_id: str, query: ObjectQuery
    ) -> list[Row]:
        params: dict[str, Any] = {}
        every = ObjectQuery(
            added_after=query.added_after, versions=("all",), spec_versions=query.spec_versions
        )
        stmt = (
            sa.select(_O.c.date_added, _O.c.object_id, _O.c.version, _O.c.type, sa.literal(""))
            .where(
                *visible(collection_id, reader, params),
                _O.c.object_id == object_id,
                *matching(every, params),
            )
            .order_by(_O.c.version, _O.c.date_added + 0)
            .limit(query.limit + 1)
        )
        with self.engine.connect() as conn:
            return [Row(*r) for r in conn.execute(stmt, params)]

    def delete_object(
        self, tx: Transaction, collection_id: int, object_id: str, query: ObjectQuery
    ) -> int:
        """Delete versions of an object; the first and last of what remains are marked again."""
        conn = connection(tx)
        params: dict[str, Any] = {}
        chosen = ObjectQuery(versions=query.versions, spec_versions=query.spec_versions)
        mine = [_O.c.collection_id == collection_id, _O.c.object_id == object_id]
        gone = int(
            conn.execute(sa.delete(_O).where(*mine, *matching(chosen, params)), params).rowcount
        )
        left: dict[int, list[tuple[int, int]]] = {}  # audience -> [(version, seq)]
        for r in conn.execute(sa.select(_O.c.audience, _O.c.version, _O.c.seq).where(*mine)):
            left.setdefault(r.audience, []).append((r.version, r.seq))
        for versions in left.values():
            low, high = min(versions)[0], max(versions)[0]
            for version, seq in versions:
                conn.execute(
                    sa.update(_O)
                    .where(_O.c.seq == seq)
                    .values(is_first=version == low, is_last=version == high)
                )
        return gone

    def count_objects(self, collection_id: int | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(_O)
        if collection_id is not None:
            stmt = stmt.where(_O.c.collection_id == collection_id)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

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


def _lock(conn: Connection, collection_id: int) -> None:
    """Serialise writers of one collection, so date_added follows the order of commits (SQLite
    has one writer at a time already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(_C.c.id).where(_C.c.id == collection_id).with_for_update())


def _flag(conn: Connection, seqs: Iterable[int], **values: bool) -> None:
    stored = [s for s in seqs if s >= 0]
    if stored:
        conn.execute(sa.update(_O).where(_O.c.seq.in_(stored)).values(**values))


def _settle(rows: list[dict[str, Any]]) -> None:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_id.setdefault(row["object_id"], []).append(row)
    for group in by_id.values():
        if len(group) < 2:
            continue
        lowest = min(r["version"] for r in group)
        highest = max(r["version"] for r in group)
        for r in group:
            r["is_first"] = r["is_first"] and r["version"] == lowest
            r["is_last"] = r["is_last"] and r["version"] == highest


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
