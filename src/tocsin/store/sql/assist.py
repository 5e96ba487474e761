"""Requests for assistance in the SQL store: the requests, their steps and incident links, the
directory of 24/7 contacts, the personal-data ledger.

Changes are made inside a transaction the service opens (``Store.transaction``), so that a change
and its audit entry commit together. Times are Unix seconds in the tables and aware UTC datetimes
in the records. A contact's current version is in ``assist_contacts`` (its id stays the same for
the requests that name it); each version, the current one included, is kept as JSON in
``assist_contact_versions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import (
    Contact,
    Direction,
    Identifier,
    LedgerEntry,
    Link,
    Request,
    Safeguards,
    Step,
)
from tocsin.model.assist.states import State
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection, insert_if_new

_R = schema.assist_requests
_S = schema.assist_steps
_I = schema.assist_request_incidents
_C = schema.assist_contacts
_V = schema.assist_contact_versions
_L = schema.assist_ledger


class SqlAssist:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _read(self, tx: Transaction | None, read: Any) -> Any:
        if tx is not None:
            return read(connection(tx))
        with self.engine.connect() as own:
            return read(own)

    # -- requests --------------------------------------------------------------------------------

    def add_request(self, tx: Transaction, values: dict[str, Any]) -> int:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_R).values(**_request_row(values))).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def update_request(self, tx: Transaction, request_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_R).where(_R.c.id == request_id).values(**_request_row(values)))

    def request(self, request_id: int, tx: Transaction | None = None) -> Request | None:
        return self._read(tx, lambda c: _one(c, _R.c.id == request_id))  # type: ignore[no-any-return]

    def request_by_ref(self, ref: str, tx: Transaction | None = None) -> Request | None:
        return self._read(tx, lambda c: _one(c, _R.c.ref == ref))  # type: ignore[no-any-return]

    def requests(
        self,
        *,
        direction: Direction | None = None,
        states: frozenset[State] | None = None,
        basis: str | None = None,
        emergency: bool | None = None,
        parent_id: int | None = None,
        limit: int = 200,
    ) -> list[Request]:
        """Emergencies first, then the newest first."""
        query = sa.select(_R).order_by(_R.c.emergency.desc(), _R.c.id.desc()).limit(limit)
        if direction is not None:
            query = query.where(_R.c.direction == direction.value)
        if states is not None:
            query = query.where(_R.c.state.in_(sorted(s.value for s in states)))
        if basis is not None:
            query = query.where(_R.c.basis == basis)
        if emergency is not None:
            query = query.where(_R.c.emergency == emergency)
        if parent_id is not None:
            query = query.where(_R.c.parent_id == parent_id)
        with self.engine.connect() as conn:
            return [_request(conn, row) for row in conn.execute(query).all()]

    def expired(self, now: int, limit: int = 500) -> list[int]:
        query = (
            sa.select(_R.c.id)
            .where(_R.c.retention_until <= now, _R.c.purged_at.is_(None))
            .order_by(_R.c.retention_until, _R.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    # -- steps and links -------------------------------------------------------------------------

    def add_step(self, tx: Transaction, request_id: int, values: dict[str, Any]) -> int:
        conn = connection(tx)
        row = {
            "request_id": request_id,
            "at": values["at"],
            "state": State(values["state"]).value,
            "actor_id": values.get("actor_id"),
            "note": values.get("note", ""),
            "detail": orjson.dumps(dict(values.get("detail") or {})).decode(),
        }
        new_id = conn.execute(sa.insert(_S).values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def steps(self, request_id: int, tx: Transaction | None = None) -> list[Step]:
        query = sa.select(_S).where(_S.c.request_id == request_id).order_by(_S.c.at, _S.c.id)
        rows = self._read(tx, lambda c: c.execute(query).all())
        return [
            Step(
                id=r.id,
                request_id=r.request_id,
                at=datetime.fromtimestamp(r.at, tz=UTC),
                state=State(r.state),
                actor_id=r.actor_id,
                note=r.note,
                detail=orjson.loads(r.detail),
            )
            for r in rows
        ]

    def link_incident(self, tx: Transaction, request_id: int, incident_id: int) -> bool:
        return insert_if_new(connection(tx), _I, request_id=request_id, incident_id=incident_id)

    # -- the directory ---------------------------------------------------------------------------

    def add_contact(self, tx: Transaction, values: dict[str, Any], actor: str) -> int:
        conn = connection(tx)
        row = {**_contact_row(values), "version": 1}
        new_id = conn.execute(sa.insert(_C).values(**row)).inserted_primary_key
        assert new_id is not None
        contact_id = int(new_id[0])
        _keep_version(conn, contact_id, actor)
        return contact_id

    def update_contact(
        self, tx: Transaction, contact_id: int, values: dict[str, Any], actor: str
    ) -> int:
        conn = connection(tx)
        row = _contact_row(values)
        conn.execute(
            sa.update(_C).where(_C.c.id == contact_id).values(**row, version=_C.c.version + 1)
        )
        return _keep_version(conn, contact_id, actor)

    def confirm_contact(self, tx: Transaction, contact_id: int, at: int) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_C).where(_C.c.id == contact_id).values(confirmed_at=at))

    def contact(self, contact_id: int, tx: Transaction | None = None) -> Contact | None:
        row = self._read(
            tx, lambda c: c.execute(sa.select(_C).where(_C.c.id == contact_id)).first()
        )
        return _contact(row) if row is not None else None

    def contacts(self, *, country: str | None = None, text: str | None = None) -> list[Contact]:
        query = sa.select(_C).order_by(_C.c.country, _C.c.authority, _C.c.id)
        if country:
            query = query.where(_C.c.country == country.upper())
        if text:
            pattern = (
                "%"
                + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%"
            )
            query = query.where(
                sa.or_(
                    sa.func.lower(_C.c.authority).like(pattern, escape="\\"),
                    sa.func.lower(_C.c.address).like(pattern, escape="\\"),
                    sa.func.lower(_C.c.notes).like(pattern, escape="\\"),
                )
            )
        with self.engine.connect() as conn:
            return [_contact(r) for r in conn.execute(query).all()]

    def contact_versions(self, contact_id: int) -> list[Contact]:
        query = sa.select(_V.c.data).where(_V.c.contact_id == contact_id).order_by(_V.c.version)
        with self.engine.connect() as conn:
            return [_contact_json(orjson.loads(d)) for d in conn.execute(query).scalars()]

    # -- the personal-data ledger ----------------------------------------------------------------

    def add_ledger(self, tx: Transaction, request_id: int, values: dict[str, Any]) -> int:
        conn = connection(tx)
        row = {
            "request_id": request_id,
            "at": values["at"],
            "kind": values["kind"],
            "text": values["text"],
            "actor_id": values.get("actor_id"),
        }
        new_id = conn.execute(sa.insert(_L).values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def ledger(self, request_id: int, tx: Transaction | None = None) -> list[LedgerEntry]:
        query = sa.select(_L).where(_L.c.request_id == request_id).order_by(_L.c.at, _L.c.id)
        rows = self._read(tx, lambda c: c.execute(query).all())
        return [
            LedgerEntry(
                id=r.id,
                request_id=r.request_id,
                at=datetime.fromtimestamp(r.at, tz=UTC),
                kind=r.kind,
                text=r.text,
                actor_id=r.actor_id,
            )
            for r in rows
        ]


# -- rows and records ----------------------------------------------------------------------------


def _seconds(value: Any) -> Any:
    return int(value.timestamp()) if isinstance(value, datetime) else value


def _when(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None


def _request_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """Model values as columns: enums by value, times in seconds, the parts as JSON."""
    row: dict[str, Any] = {}
    for key, value in values.items():
        if key == "elements":
            row[key] = orjson.dumps(dict(value)).decode()
        elif key == "identifiers":
            row[key] = orjson.dumps([i.as_json() for i in value]).decode()
        elif key == "safeguards":
            row[key] = orjson.dumps(value.as_json()).decode()
            row["retention_until"] = _seconds(value.retention_until)
        elif key == "incident_ids":
            continue  # kept in assist_request_incidents
        elif isinstance(value, Enum):
            row[key] = value.value
        else:
            row[key] = _seconds(value)
    return row


def _one(conn: Connection, condition: Any) -> Request | None:
    row = conn.execute(sa.select(_R).where(condition)).first()
    return _request(conn, row) if row is not None else None


def _request(conn: Connection, row: Any) -> Request:
    incidents = conn.execute(
        sa.select(_I.c.incident_id).where(_I.c.request_id == row.id).order_by(_I.c.incident_id)
    ).scalars()
    return Request(
        id=row.id,
        ref=row.ref,
        direction=Direction(row.direction),
        basis=Basis(row.basis),
        state=State(row.state),
        org_id=row.org_id,
        counterpart_id=row.counterpart_id,
        their_ref=row.their_ref,
        title=row.title,
        emergency=bool(row.emergency),
        urgent=bool(row.urgent),
        justification=row.justification,
        elements=orjson.loads(row.elements),
        identifiers=tuple(Identifier.from_json(i) for i in orjson.loads(row.identifiers)),
        safeguards=Safeguards.from_json(orjson.loads(row.safeguards)),
        tlp=row.tlp,
        language=row.language,
        parent_id=row.parent_id,
        link=Link(row.link),
        outcome=row.outcome,
        outcome_note=row.outcome_note,
        created_by=row.created_by,
        approved_by=row.approved_by,
        created_at=datetime.fromtimestamp(row.created_at, tz=UTC),
        updated_at=datetime.fromtimestamp(row.updated_at, tz=UTC),
        sent_at=_when(row.sent_at),
        received_at=_when(row.received_at),
        acknowledged_at=_when(row.acknowledged_at),
        closed_at=_when(row.closed_at),
        incident_ids=tuple(int(i) for i in incidents),
    )


_CONTACT_FIELDS = (
    "country",
    "authority",
    "kind",
    "channel",
    "address",
    "languages",
    "timezone",
    "office_hours",
    "public_key",
    "notes",
    "confirmed_at",
    "updated_at",
)


def _contact_row(values: Mapping[str, Any]) -> dict[str, Any]:
    row = {k: _seconds(v) for k, v in values.items() if k in _CONTACT_FIELDS}
    if "languages" in row:
        row["languages"] = orjson.dumps(list(row["languages"])).decode()
    return row


def _keep_version(conn: Connection, contact_id: int, actor: str) -> int:
    row = conn.execute(sa.select(_C).where(_C.c.id == contact_id)).one()
    data = {c: getattr(row, c) for c in ("id", "version", *_CONTACT_FIELDS)}
    data["languages"] = orjson.loads(row.languages)
    conn.execute(
        sa.insert(_V).values(
            contact_id=contact_id,
            version=row.version,
            at=row.updated_at,
            actor=actor,
            data=orjson.dumps(data).decode(),
        )
    )
    return int(row.version)


def _contact(row: Any) -> Contact:
    return _contact_json({**row._mapping, "languages": orjson.loads(row.languages)})


def _contact_json(data: Mapping[str, Any]) -> Contact:
    return Contact(
        id=int(data["id"]),
        country=data["country"],
        authority=data["authority"],
        kind=data["kind"],
        channel=data["channel"],
        address=data["address"],
        languages=tuple(data["languages"]),
        timezone=data["timezone"],
        office_hours=data["office_hours"],
        public_key=data["public_key"],
        notes=data["notes"],
        version=int(data["version"]),
        confirmed_at=_when(data["confirmed_at"]),
        updated_at=datetime.fromtimestamp(data["updated_at"], tz=UTC),
    )
