"""Organisations, users and API tokens in the SQL store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tocsin.errors import Conflict
from tocsin.model.people import ApiToken, Organisation, OrgKind, Role, User
from tocsin.model.queue import SavedView
from tocsin.store.shapes import Transaction
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection, insert_if_new

_O = schema.organisations
_U = schema.users
_T = schema.api_tokens
_V = schema.saved_views


class SqlPeople:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- organisations -------------------------------------------------------------------------

    def add_organisation(self, tx: Transaction, name: str, kind: OrgKind) -> Organisation:
        """A new organisation; ``Conflict`` when the name is taken (another process may have
        just made it), leaving the caller's transaction usable."""
        conn = connection(tx)
        if not insert_if_new(conn, _O, name=name, kind=kind.value):
            raise Conflict(f"an organisation named {name!r} exists")
        new_id = conn.execute(sa.select(_O.c.id).where(_O.c.name == name)).scalar_one()
        return Organisation(int(new_id), name, kind)

    def organisation_named(self, name: str) -> Organisation | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_O).where(_O.c.name == name)).first()
        return Organisation(row.id, row.name, OrgKind(row.kind)) if row else None

    def organisations(self) -> list[Organisation]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_O).order_by(_O.c.name)).all()
        return [Organisation(r.id, r.name, OrgKind(r.kind)) for r in rows]

    # -- users ---------------------------------------------------------------------------------

    def add_user(self, tx: Transaction, **values: Any) -> User:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_U).values(**values)).inserted_primary_key
        assert new_id is not None
        found = self._user(conn, _U.c.id == int(new_id[0]))
        assert found is not None
        return found

    def update_user(self, tx: Transaction, user_id: int, **values: Any) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_U).where(_U.c.id == user_id).values(**values))

    def user(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            return self._user(conn, _U.c.id == user_id)

    def user_named(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            return self._user(conn, _U.c.username == username)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_U).order_by(_U.c.username)).all()
        return [_to_user(r) for r in rows]

    def end_user_sessions(self, tx: Transaction, user_id: int) -> int:
        conn = connection(tx)
        raised = _U.c.session_epoch + 1
        conn.execute(sa.update(_U).where(_U.c.id == user_id).values(session_epoch=raised))
        epoch = conn.execute(sa.select(_U.c.session_epoch).where(_U.c.id == user_id)).scalar()
        return int(epoch or 0)

    def totp_last_step(self, user_id: int) -> int | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(_U.c.totp_last_step).where(_U.c.id == user_id)).scalar()
        return int(value) if value is not None else None

    def _user(self, conn: Connection, condition: Any) -> User | None:
        row = conn.execute(sa.select(_U).where(condition)).first()
        return _to_user(row) if row else None

    # -- sessions ended by logging out ----------------------------------------------------------

    def end_session(self, tx: Transaction, sid: str, at: int, forget_before: int) -> None:
        conn = connection(tx)
        table = schema.ended_sessions
        conn.execute(sa.delete(table).where(table.c.ended_at < forget_before))
        if conn.execute(sa.select(table.c.sid).where(table.c.sid == sid)).first() is None:
            conn.execute(sa.insert(table).values(sid=sid, ended_at=at))

    def session_ended(self, sid: str) -> bool:
        table = schema.ended_sessions
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(table.c.sid).where(table.c.sid == sid)).first() is not None
            )

    # -- API tokens ----------------------------------------------------------------------------

    def add_token(self, tx: Transaction, **values: Any) -> ApiToken:
        conn = connection(tx)
        new_id = conn.execute(sa.insert(_T).values(**values)).inserted_primary_key
        assert new_id is not None
        row = conn.execute(sa.select(_T).where(_T.c.id == int(new_id[0]))).one()
        return _to_token(row)

    def token_by_digest(self, digest: str) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_T).where(_T.c.digest == digest)).first()
        return _to_token(row) if row else None

    def token(self, token_id: int) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_T).where(_T.c.id == token_id)).first()
        return _to_token(row) if row else None

    def tokens(self, user_id: int | None = None) -> list[ApiToken]:
        stmt = sa.select(_T).order_by(_T.c.id)
        if user_id is not None:
            stmt = stmt.where(_T.c.user_id == user_id)
        with self.engine.connect() as conn:
            return [_to_token(r) for r in conn.execute(stmt)]

    def revoke_token(self, tx: Transaction, token_id: int) -> None:
        conn = connection(tx)
        conn.execute(sa.update(_T).where(_T.c.id == token_id).values(revoked=True))

    # -- saved views of the queue ------------------------------------------------------------------

    def views(self, user_id: int) -> list[SavedView]:
        stmt = sa.select(_V).where(_V.c.user_id == user_id).order_by(_V.c.name, _V.c.id)
        with self.engine.connect() as conn:
            return [SavedView(**r._mapping) for r in conn.execute(stmt)]

    def save_view(
        self, tx: Transaction, user_id: int, name: str, query: str, created: int
    ) -> SavedView:
        conn = connection(tx)
        mine = sa.and_(_V.c.user_id == user_id, _V.c.name == name)
        if conn.execute(sa.select(_V.c.id).where(mine)).first() is None:
            conn.execute(
                sa.insert(_V).values(user_id=user_id, name=name, query=query, created=created)
            )
        else:
            conn.execute(sa.update(_V).where(mine).values(query=query, created=created))
        return SavedView(**conn.execute(sa.select(_V).where(mine)).one()._mapping)

    def delete_view(self, tx: Transaction, user_id: int, view_id: int) -> bool:
        conn = connection(tx)
        gone = conn.execute(
            sa.delete(_V).where(_V.c.id == view_id, _V.c.user_id == user_id)
        ).rowcount
        return bool(gone)


def _to_user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        org_id=row.org_id,
        disabled=bool(row.disabled),
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
        session_epoch=int(row.session_epoch),
    )


def _to_token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        scopes=frozenset(s for s in row.scopes.split(",") if s),
        created=row.created,
        revoked=bool(row.revoked),
    )
