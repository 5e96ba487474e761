"""Reports from the public in the SQL store, and their reporters' contact details (a table of
their own, read only through ``reporter``)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tocsin.errors import Conflict
from tocsin.model.report import Report, ReporterKind
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection

_R = schema.reports
_C = schema.reporters
_U = schema.used_stamps


class SqlReports:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, tx: Transaction, report: dict[str, Any], contact: dict[str, str]) -> int:
        """The new report's id; Conflict when its reference is taken (the caller draws again)."""
        conn = connection(tx)
        taken = conn.execute(sa.select(_R.c.id).where(_R.c.reference == report["reference"]))
        if taken.first() is not None:
            raise Conflict(f"report reference {report['reference']} is taken")
        row = dict(report)
        row["answers"] = orjson.dumps(row["answers"]).decode()
        row["flags"] = ",".join(row["flags"])
        new_id = conn.execute(sa.insert(_R).values(**row)).inserted_primary_key
        assert new_id is not None
        report_id = int(new_id[0])
        if contact:
            conn.execute(
                sa.insert(_C).values(report_id=report_id, contact=orjson.dumps(contact).decode())
            )
        return report_id

    def by_reference(self, reference: str) -> tuple[Report, str] | None:
        """The report and the hash of its status code."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_R).where(_R.c.reference == reference)).first()
        return (_to_report(row), row.code_hash) if row is not None else None

    def for_incident(self, incident_id: int) -> Report | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(_R).where(_R.c.incident_id == incident_id).order_by(_R.c.id).limit(1)
            ).first()
        return _to_report(row) if row is not None else None

    def reporter(self, report_id: int) -> dict[str, str]:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_C.c.contact).where(_C.c.report_id == report_id))
            text = found.scalar()
        return dict(orjson.loads(text)) if text else {}

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_R)).scalar_one())

    def use_stamp(self, tx: Transaction, digest: str, expires: int, now: int) -> bool:
        """Record a start stamp as used until ``expires``; False when it already was. Stamps
        whose time is over are forgotten first. Two transactions racing on one stamp: the
        primary key lets one insert and refuses the other."""
        conn = connection(tx)
        conn.execute(sa.delete(_U).where(_U.c.expires < now))
        if conn.execute(sa.select(_U.c.digest).where(_U.c.digest == digest)).first() is not None:
            return False
        try:
            conn.execute(sa.insert(_U).values(digest=digest, expires=expires))
        except IntegrityError:
            return False  # the transaction is spoilt: the caller refuses and it rolls back
        return True

    def stamp_used(self, digest: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_U.c.digest).where(_U.c.digest == digest))
            return found.first() is not None


def _to_report(row: Any) -> Report:
    return Report(
        id=row.id,
        reference=row.reference,
        path=row.path,
        lang=row.lang,
        created=row.created,
        incident_id=row.incident_id,
        answers=orjson.loads(row.answers),
        reporter_kind=ReporterKind(row.reporter_kind),
        anonymous=bool(row.anonymous),
        sector=row.sector,
        flags=tuple(f for f in row.flags.split(",") if f),
        files=row.files,
    )
