"""Who is acting: the person behind the session cookie (pages) or the bearer token (API), and the
checked form of a POST (its CSRF token bound to the session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tocsin.cases.evidence import Evidence
from tocsin.cases.incidents import Incidents
from tocsin.errors import Forbidden, NotAuthenticated
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.web.common.sessions import Session, Sessions

CSRF_REFUSED = (
    "This form is out of date or was not sent from a Tocsin page. "
    "Go back, reload the page and try again."
)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token of the acting person: `Authorization: Bearer tocsin_…`",
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in person, with the CSRF token their forms carry."""

    principal: Principal
    session: Session
    csrf: str


@dataclass(frozen=True, slots=True)
class Posted:
    """A POST whose CSRF token was checked, from a logged-in person."""

    viewer: Viewer
    form: dict[str, str]


def incidents(request: Request) -> Incidents:
    found: Incidents = request.app.state.incidents
    return found


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def evidence(request: Request) -> Evidence:
    found: Evidence = request.app.state.evidence
    return found


def sessions(request: Request) -> Sessions:
    found: Sessions = request.app.state.sessions
    return found


def session_for(request: Request) -> tuple[Session, bool]:
    """This browser's session (anonymous), made when it has none: the CSRF token is bound to it."""
    known = sessions(request)
    found = known.read(request)
    return (found, False) if found is not None else (known.new(None), True)


def viewer(request: Request) -> Viewer:
    """The logged-in person; NotAuthenticated (the pages answer: go and log in) otherwise."""
    known = sessions(request)
    session = known.read(request)
    if session is None or session.user_id is None:
        raise NotAuthenticated("please log in")
    people = accounts(request)
    if people.session_ended(session.sid):  # logged out: a copy of the cookie is worth nothing
        raise NotAuthenticated("please log in")
    return Viewer(people.principal(session.user_id), session, known.csrf(session))


async def session_form(request: Request) -> dict[str, str]:
    """The submitted form, once its CSRF token matches this browser's session (logged in or
    not: the log-in form has one too); Forbidden otherwise."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not sessions(request).csrf_ok(sessions(request).read(request), fields.get("csrf")):
        raise Forbidden(CSRF_REFUSED)
    return fields


async def posted(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Posted:
    """A logged-in person's checked form: logged out goes to log in first, then CSRF is checked."""
    form = await session_form(request)
    return Posted(who, form)


def api_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The person behind the bearer token, with the token's scopes."""
    if credentials is None:
        raise NotAuthenticated("an API token is needed: Authorization: Bearer <token>")
    return accounts(request).token_principal(credentials.credentials)


Acting = Annotated[Viewer, Depends(viewer)]
Form = Annotated[Posted, Depends(posted)]
ApiPrincipal = Annotated[Principal, Depends(api_principal)]
Desk = Annotated[Incidents, Depends(incidents)]
People = Annotated[Accounts, Depends(accounts)]
Exhibits = Annotated[Evidence, Depends(evidence)]
