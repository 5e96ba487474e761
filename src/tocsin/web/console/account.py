"""``/account``: one's own second factor (TOTP), password and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.auth import totp
from tocsin.errors import InvalidValue
from tocsin.web.common.deps import Acting, Form, People, Viewer, stay_signed_in
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)
FIELD_IDS = {
    "token.name": "k-name",
    "scopes": "k-scopes",
    "code": "t-code",
    "password": "w-new",
    "current": "w-current",
    "current_password": "p-current",
}


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: Acting, people: People) -> HTMLResponse:
    return _page(request, viewer, people)


@router.post("/account/totp/start", response_class=HTMLResponse)
def totp_start(request: Request, posted: Form, people: People) -> HTMLResponse:
    """A new secret to enrol in an authenticator app; it takes effect once a code confirms it."""
    return _page(request, posted.viewer, people, pending=totp.new_secret())


@router.post("/account/totp/confirm", response_model=None)
def totp_confirm(request: Request, posted: Form, people: People) -> Response:
    """Turning the second factor on takes the password and a code from the new app, so a session
    left open cannot enrol someone else's authenticator."""
    form, who = posted.form, posted.viewer.principal
    secret = form.get("secret", "")
    try:
        people.turn_on_totp(who, secret, form.get("current", ""), form.get("code", ""))
    except InvalidValue as exc:
        return _page(request, posted.viewer, people, pending=secret, error=exc, status=400)
    return stay_signed_in(request, RedirectResponse("/account", status_code=303), posted.viewer)


@router.post("/account/totp/off", response_model=None)
def totp_off(request: Request, posted: Form, people: People) -> Response:
    """Turning the second factor off takes the password and a current code."""
    form, who = posted.form, posted.viewer.principal
    try:
        people.turn_off_totp(who, form.get("current", ""), form.get("code", ""))
    except InvalidValue as exc:
        return _page(request, posted.viewer, people, error=exc, status=400)
    return stay_signed_in(request, RedirectResponse("/account", status_code=303), posted.viewer)


@router.post("/account/password", response_model=None)
def change_password(request: Request, posted: Form, people: People) -> Response:
    """A new password, given the current one; every other session of the person ends."""
    form, who = posted.form, posted.viewer.principal
    try:
        people.change_own_password(who, form.get("current", ""), form.get("password", ""))
    except InvalidValue as exc:
        return _page(request, posted.viewer, people, error=exc, status=400)
    done = RedirectResponse("/account?changed=1", status_code=303)
    return stay_signed_in(request, done, posted.viewer)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, posted: Form, people: People) -> HTMLResponse:
    """A new API token of one's own; its secret is shown on this page once, never again."""
    form = posted.form
    scopes = ",".join(s for s in ("read", "write", "admin") if form.get(f"scope-{s}") == "on")
    try:
        made = people.create_token(posted.viewer.principal, form.get("name", ""), scopes or "read")
    except InvalidValue as exc:
        return _page(request, posted.viewer, people, error=exc, status=400)
    return _page(request, posted.viewer, people, secret=made.secret, made=made.token.id)


@router.post("/account/tokens/{token_id:int}/revoke", response_model=None)
def revoke_token(request: Request, token_id: PathId, posted: Form, people: People) -> Response:
    people.revoke_token(posted.viewer.principal, token_id)
    return RedirectResponse("/account#tokens", status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    people: People,
    *,
    pending: str | None = None,
    error: InvalidValue | None = None,
    status: int = 200,
    secret: str = "",
    made: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "account.html",
        {
            "viewer": viewer,
            "active": "account",
            "two_factor": people.has_two_factor(viewer.principal),
            "pending": pending,
            "uri": totp.provisioning_uri(pending, viewer.principal.username) if pending else "",
            "changed": request.query_params.get("changed") == "1",
            "error": error,
            "error_id": FIELD_IDS.get(error.field, "") if error else "",
            "tokens": people.tokens(viewer.principal),
            "secret": secret,
            "made": made,
            "is_admin": viewer.principal.role.value == "admin",
        },
        status=status,
    )
