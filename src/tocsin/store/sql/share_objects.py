"""The STIX objects served over TAXII, in the SQL store (part of ``SqlShare``).

Objects are kept as the JSON text they are served as, so a page of a thousand objects is one index
range scan and a join of strings: nothing is parsed, sorted or copied per request, and the cost of
a page does not grow with the collection. ``date_added`` (microseconds) is unique and increasing
within a collection: it is both what TAXII calls date_added and the cursor of the next page. It is
given out under a lock on the collection's row, so what commits later is always added later and a
partner polling with ``added_after`` never misses an object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.store.shapes import NewObject, ObjectQuery, Reader, Row, Stored, Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection
from tocsin.store.sql.share_query import Prepared, matching, visible

_C = schema.share_collections
_O = schema.share_objects


class SharedObjects:
    """Part of ``SqlShare``."""

    engine: Engine
    _prepared: Prepared

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
        where = [
            *visible(collection_id, reader, params),
            _O.c.object_id == object_id,
            *matching(every, params),
        ]
        if query.after_version is not None:
            # Pages go in the order of the sort, so the next one starts after the last row by
            # that order, whatever order the versions were added in.
            version, added = query.after_version
            where.append(
                sa.or_(
                    _O.c.version > version,
                    sa.and_(_O.c.version == version, _O.c.date_added > added),
                )
            )
        stmt = (
            sa.select(_O.c.date_added, _O.c.object_id, _O.c.version, _O.c.type, sa.literal(""))
            .where(*where)
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
