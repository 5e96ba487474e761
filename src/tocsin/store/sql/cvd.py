"""Vulnerability cases in the SQL store: the case, its vendors and products, its communication log.

Changes are made inside a transaction the service opens (``Store.transaction``), so that a
change and its audit entry commit together. The reporter's contact is read only by
``reporter_contact``: no case object carries it.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.model.cvd import (
    Case,
    Credit,
    Cvss,
    Direction,
    Embargo,
    Message,
    Product,
    ProductStatus,
    Reporter,
    Revision,
    State,
    Vendor,
    VendorStatus,
)
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_C = schema.cvd_cases
_V = schema.cvd_vendors
_P = schema.cvd_products
_M = schema.cvd_messages


class SqlCvd:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- cases -----------------------------------------------------------------------------------

    def add_case(self, tx: Transaction, values: dict[str, Any]) -> int:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_C).values(**_row(values))).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def update_case(self, tx: Transaction, case_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_C).where(_C.c.id == case_id).values(**_row(values)))

    def case(self, case_id: int, tx: Transaction | None = None) -> Case | None:
        conn = connection(tx) if tx is not None else None
        if conn is not None:
            return _read(conn, _C.c.id == case_id)
        with self.engine.connect() as own:
            return _read(own, _C.c.id == case_id)

    def case_by_public_id(self, public_id: str, tx: Transaction | None = None) -> Case | None:
        conn = connection(tx) if tx is not None else None
        if conn is not None:
            return _read(conn, _C.c.public_id == public_id)
        with self.engine.connect() as own:
            return _read(own, _C.c.public_id == public_id)

    def cases(self, *, state: State | None = None, limit: int = 100) -> list[Case]:
        """The newest first, with their vendors and products."""
        query = sa.select(_C).order_by(_C.c.id.desc()).limit(limit)
        if state is not None:
            query = query.where(_C.c.state == state.value)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            return [_with_parts(conn, row) for row in rows]

    def reporter_contact(self, case_id: int) -> str:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_C.c.reporter_contact).where(_C.c.id == case_id))
            return str(found.scalar() or "")

    # -- vendors and products --------------------------------------------------------------------

    def add_vendor(self, tx: Transaction, case_id: int, name: str) -> int:
        conn = connection(tx)
        new_id = conn.execute(
            sa.insert(_V).values(
                case_id=case_id, name=name, status=VendorStatus.NOT_CONTACTED.value, advice=""
            )
        ).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def update_vendor(self, tx: Transaction, vendor_id: int, **values: Any) -> None:
        conn = connection(tx)
        if isinstance(values.get("status"), VendorStatus):
            values["status"] = values["status"].value
        conn.execute(sa.update(_V).where(_V.c.id == vendor_id).values(**values))

    def add_product(self, tx: Transaction, case_id: int, values: dict[str, Any]) -> int:
        conn = connection(tx)
        row = {**values, "case_id": case_id, "status": ProductStatus(values["status"]).value}
        new_id = conn.execute(sa.insert(_P).values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def set_product_status(self, tx: Transaction, product_id: int, status: ProductStatus) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_P).where(_P.c.id == product_id).values(status=status.value))

    # -- the communication log -------------------------------------------------------------------

    def add_message(self, tx: Transaction, case_id: int, values: dict[str, Any]) -> int:
        conn = connection(tx)
        row = {**values, "case_id": case_id, "direction": Direction(values["direction"]).value}
        new_id = conn.execute(sa.insert(_M).values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def messages(self, case_id: int, limit: int = 1000) -> list[Message]:
        """Oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(_M).where(_M.c.case_id == case_id).order_by(_M.c.at, _M.c.id).limit(limit)
            ).all()
        return [
            Message(
                id=r.id,
                at=r.at,
                direction=Direction(r.direction),
                party=r.party,
                tlp=r.tlp,
                text=r.text,
                actor=r.actor,
            )
            for r in rows
        ]


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """Model values as columns: enums by value, the audience and revisions as JSON."""
    row = dict(values)
    for key in ("state", "credit"):
        if key in row and isinstance(row[key], State | Credit):
            row[key] = row[key].value
    if "audience" in row and not isinstance(row["audience"], str):
        row["audience"] = orjson.dumps(row["audience"]).decode()
    if "revisions" in row and not isinstance(row["revisions"], str):
        row["revisions"] = orjson.dumps(
            [{"at": r.at, "number": r.number, "summary": r.summary} for r in row["revisions"]]
        ).decode()
    return row


def _read(conn: Connection, condition: Any) -> Case | None:
    row = conn.execute(sa.select(_C).where(condition)).first()
    return _with_parts(conn, row) if row is not None else None


def _with_parts(conn: Connection, row: Any) -> Case:
    vendors = tuple(
        Vendor(
            id=v.id,
            name=v.name,
            status=VendorStatus(v.status),
            advice=v.advice,
            contacted_at=v.contacted_at,
            acknowledged_at=v.acknowledged_at,
            fixed_at=v.fixed_at,
        )
        for v in conn.execute(sa.select(_V).where(_V.c.case_id == row.id).order_by(_V.c.id))
    )
    products = tuple(
        Product(
            id=p.id,
            vendor_id=p.vendor_id,
            name=p.name,
            identifier=p.identifier,
            version=p.version,
            status=ProductStatus(p.status),
        )
        for p in conn.execute(sa.select(_P).where(_P.c.case_id == row.id).order_by(_P.c.id))
    )
    audience = orjson.loads(row.audience)
    embargo = Embargo(row.embargo_at, row.embargo_zone) if row.embargo_at is not None else None
    return Case(
        id=row.id,
        public_id=row.public_id,
        org_id=row.org_id,
        title=row.title,
        state=State(row.state),
        tlp=row.tlp,
        reporter=Reporter(row.reporter_name, Credit(row.credit), bool(row.anonymous)),
        received_at=row.received_at,
        description=row.description,
        impact=row.impact,
        cvss=Cvss.parse(row.cvss_vector) if row.cvss_vector else None,
        cwe=(row.cwe, row.cwe_name or "") if row.cwe else None,
        cve=row.cve,
        embargo=embargo,
        handler_id=row.handler_id,
        duplicate_of=row.duplicate_of,
        acknowledged_at=row.acknowledged_at,
        triaged_at=row.triaged_at,
        published_at=row.published_at,
        closed_at=row.closed_at,
        constituents=tuple(audience.get("constituents", ())),
        sectors=tuple(audience.get("sectors", ())),
        revisions=tuple(Revision(**r) for r in orjson.loads(row.revisions)),
        vendors=vendors,
        products=products,
    )
