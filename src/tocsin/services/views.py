"""A person's saved views of the queue: a name for a query string (filters, order, page size),
listed on the queue for that person alone. Each is checked as the queue checks it before it is
kept; saving and deleting one is in the audit log like every change to a person's settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.limits import bounded
from tocsin.model.people import Principal
from tocsin.model.queue import MAX_VIEWS, QueueQuery, SavedView
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction


class Views:
    def __init__(self, store: Store, *, now: Callable[[], int]) -> None:
        self.store = store
        self.now = now

    def list(self, who: Principal) -> list[SavedView]:
        if who.user_id is None or who.role not in access.STAFF:
            return []
        return self.store.people.views(who.user_id)

    def save(self, who: Principal, name: str, params: Mapping[str, Any]) -> SavedView:
        """``params`` (a query string's values) kept under ``name``: checked as the queue checks
        them, without the page number; a name already used is replaced."""
        user_id = self._staff(who, "write")
        label = bounded("view.name", name)
        if not label:
            raise InvalidValue("name", name, "give the view a name")
        query = QueueQuery.parse(params)
        kept = urlencode(query.params(page=1))
        mine = self.store.people.views(user_id)
        if len(mine) >= MAX_VIEWS and label not in {v.name for v in mine}:
            raise Conflict(f"at most {MAX_VIEWS} saved views: delete one first")
        with self.store.transaction() as conn:
            view = self.store.people.save_view(conn, user_id, label, kept, self.now())
            self._audit(conn, who, "view.save", view, {"name": label, "query": kept})
        return view

    def delete(self, who: Principal, view_id: int) -> None:
        user_id = self._staff(who, "write")
        found = {v.id: v for v in self.store.people.views(user_id)}.get(view_id)
        if found is None:
            raise NotFound("no such saved view")
        with self.store.transaction() as conn:
            self.store.people.delete_view(conn, user_id, view_id)
            self._audit(conn, who, "view.delete", found, {"name": found.name})

    @staticmethod
    def params(view: SavedView) -> dict[str, str]:
        return dict(parse_qsl(view.query))

    @staticmethod
    def _staff(who: Principal, scope: str = "read") -> int:
        if who.user_id is None or who.role not in access.STAFF:
            raise Forbidden("saved views are the console's, for the team's staff")
        if scope not in who.scopes:
            raise Forbidden(f"this token may not {scope}")
        return who.user_id

    def _audit(
        self,
        conn: Transaction,
        who: Principal,
        action: str,
        view: SavedView,
        details: dict[str, object],
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="view",
            object_id=str(view.id),
            details=details,
        )


__all__ = ["Views"]
