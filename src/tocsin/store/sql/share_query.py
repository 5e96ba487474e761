"""How TAXII's filters become SQL over ``share_objects``, and how the hot statements are run:
compiled once per shape of query, then executed on the driver's own cursor.

A TAXII request costs its query, not the building and compiling of one: measured, most of a
get-by-id went into SQLAlchemy's expression building before ``Prepared``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.store.shapes import ObjectQuery, Reader
from tocsin.store.sql import schema

_O = schema.share_objects


def visible(
    collection_id: int, reader: Reader, params: dict[str, Any], *, build: bool = True
) -> list[sa.ColumnElement[bool]]:
    """What a reader may see; the values go into ``params``, the statement has only their names
    (``build=False``: only the values, for a statement already compiled)."""
    params["collection"] = collection_id
    if reader.ceiling is not None:
        params["ceiling"] = int(reader.ceiling)
    if not reader.staff:
        params.update(everyone=0, org=reader.org_id or 0)
    if not build:
        return []
    where = [_O.c.collection_id == sa.bindparam("collection")]
    if reader.ceiling is not None:
        where.append(_O.c.tlp <= sa.bindparam("ceiling"))
    if not reader.staff:
        where.append(_O.c.audience.in_([sa.bindparam("everyone"), sa.bindparam("org")]))
    return where


def matching(
    query: ObjectQuery, params: dict[str, Any], *, build: bool = True
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if query.added_after is not None:
        params["after"] = query.added_after
    for name, column, values in (
        ("id", _O.c.object_id, query.ids),
        ("type", _O.c.type, query.types),
        ("spec", _O.c.spec_version, query.spec_versions),
        ("version", _O.c.version, [v for v in query.versions if isinstance(v, int)]),
    ):
        names = [f"{name}{n}" for n in range(len(values))]
        params.update(zip(names, values, strict=True))
        if build and values and name != "version":
            where.append(column.in_([sa.bindparam(n) for n in names]))
    if not build:
        return []
    if query.added_after is not None:
        where.append(_O.c.date_added > sa.bindparam("after"))
    if "all" not in query.versions:
        either: list[sa.ColumnElement[bool]] = []
        if "last" in query.versions:
            either.append(_O.c.is_last.is_(True))
        if "first" in query.versions:
            either.append(_O.c.is_first.is_(True))
        moments = [f"version{n}" for n in range(sum(isinstance(v, int) for v in query.versions))]
        if moments:
            either.append(_O.c.version.in_([sa.bindparam(n) for n in moments]))
            # An object without a version of its own (an SCO) is advertised under its
            # date_added (``share.taxii``): that value selects it too.
            either.append(
                sa.and_(
                    _O.c.version == 0,
                    _O.c.date_added.in_([sa.bindparam(n) for n in moments]),
                )
            )
        where.append(sa.or_(*either) if either else sa.false())
    return where


class Prepared:
    """Statements compiled once per shape for the engine's dialect and run as plain SQL: a TAXII
    request then costs its query, not the building and compiling of one (measured: most of a
    get-by-id went into SQLAlchemy's expression building)."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self._compiled: dict[Any, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def run(
        self, conn: Connection, shape: Any, build: Any, params: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        found = self._compiled.get(shape)
        if found is None:
            compiled = build().compile(dialect=self.dialect)
            order = (
                tuple(compiled.positiontup)
                if compiled.positional and compiled.positiontup
                else None
            )
            found = (str(compiled), order, dict(compiled.params))  # with the literals' values
            if len(self._compiled) > 1000:
                self._compiled.clear()
            self._compiled[shape] = found
        sql, order, fixed = found
        given = {**fixed, **params}
        values: Any = tuple(given[n] for n in order) if order is not None else given
        cursor = conn.connection.cursor()  # the driver's own: its rows are plain tuples
        try:
            cursor.execute(sql, values)
            return list(cursor.fetchall())
        finally:
            cursor.close()
