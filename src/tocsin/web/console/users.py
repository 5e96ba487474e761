"""``/users``: the admins' page of people: who may log in, with what role, and the forms to add
one, disable or re-enable one, and set a new password. Every change goes through ``Accounts``,
which writes it to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Forbidden, InvalidValue
from tocsin.model import access
from tocsin.model.people import Principal, Role
from tocsin.web.common.deps import Acting, Form, People, Posted, Viewer, stay_signed_in
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

FIELDS = ("username", "display_name", "role")
DEFAULTS = {"username": "", "display_name": "", "role": Role.ANALYST.value}
# The field Accounts names in InvalidValue → the id of the add form's input it came from.
FIELD_IDS = {"username": "u-username", "role": "u-role", "password": "u-password"}


@dataclass(frozen=True, slots=True)
class UserRow:
    """One person as the page shows them (no hash nor secret ever reaches the template)."""

    username: str
    display_name: str
    role: str
    organisation: str
    disabled: bool
    two_factor: bool


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: Acting, people: People) -> HTMLResponse:
    return _page(request, viewer, people)


@router.post("/users")
def add_user(request: Request, posted: Form, people: People) -> Response:
    who = _admin(posted.viewer)
    values = {name: posted.form.get(name, "").strip() for name in FIELDS}

    def run() -> object:
        if who.org_id is None:
            raise Forbidden("only a person of an organisation adds people to it")
        return people.add_user(
            who,
            name=values["username"],
            password=posted.form.get("password", ""),
            role=values["role"],
            org_id=who.org_id,
            display_name=values["display_name"] or None,
        )

    return _act(request, posted, people, run, values=values)


@router.post("/users/{name}/disable")
def disable(request: Request, name: str, posted: Form, people: People) -> Response:
    who = _admin(posted.viewer)
    return _act(request, posted, people, lambda: people.set_disabled(who, name, True))


@router.post("/users/{name}/enable")
def enable(request: Request, name: str, posted: Form, people: People) -> Response:
    who = _admin(posted.viewer)
    return _act(request, posted, people, lambda: people.set_disabled(who, name, False))


@router.post("/users/{name}/password")
def reset_password(request: Request, name: str, posted: Form, people: People) -> Response:
    who, password = _admin(posted.viewer), posted.form.get("password", "")
    done = _act(
        request, posted, people, lambda: people.reset_password(who, name, password), row=name
    )
    if done.status_code == 303 and name.strip().lower() == who.username:
        stay_signed_in(request, done, posted.viewer)  # one's own: this page stays logged in
    return done


def _admin(viewer: Viewer) -> Principal:
    """Only admins manage people. (Accounts lets leads and auditors list them too, and refuses
    their changes itself; this page, made of forms that change people, is for admins alone.)"""
    access.require(viewer.principal, Role.ADMIN, scope="write")
    return viewer.principal


def _act(
    request: Request,
    posted: Posted,
    people: People,
    action: Callable[[], object],
    *,
    values: dict[str, str] | None = None,
    row: str = "",
) -> Response:
    """Run the change and go back to the list (303); a refused value shows it again (400)."""
    try:
        action()
    except InvalidValue as exc:
        error_id = f"pw-{row}" if row else FIELD_IDS.get(exc.field, "")
        return _page(request, posted.viewer, people, exc, error_id, values)
    return RedirectResponse("/users", status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    people: People,
    error: InvalidValue | None = None,
    error_id: str = "",
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    who = _admin(viewer)
    organisations = people.organisations(who)
    rows = [
        UserRow(
            u.username,
            u.display_name,
            u.role.value,
            organisations.get(u.org_id, f"organisation #{u.org_id}"),
            u.disabled,
            u.totp_secret is not None,
        )
        for u in people.users(who)
    ]
    return render(
        request,
        "users.html",
        {
            "viewer": viewer,
            "active": "users",
            "rows": rows,
            "roles": [r.value for r in Role],
            "organisation": organisations.get(who.org_id or 0, ""),
            "values": values or DEFAULTS,
            "error": error,
            "error_id": error_id,
        },
        status=400 if error else 200,
    )
