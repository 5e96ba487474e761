"""What a route receives: the services of the ``Desk`` and the web's own parts, and who is acting
(the person behind the session cookie on pages, or the bearer token on the API), with the checked
form of a POST (its CSRF token bound to the session).

``request.app.state`` is read here and nowhere else: the app keeps one typed ``Web`` there, and
the functions below hand a route the part it names, as FastAPI dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.applications import Starlette
from starlette.responses import Response

from tocsin.errors import Forbidden, NotAuthenticated
from tocsin.model.people import Principal, Role
from tocsin.services.accounts import Accounts
from tocsin.services.desk import Desk
from tocsin.services.events import Events
from tocsin.services.types import AuditLog, Cvd, Evidence, Incidents, Notifier, Reports, Sharing
from tocsin.settings import Settings
from tocsin.web.common.remembered import Remembered
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
class Web:
    """What the web app holds while it runs: the desk, and the web's own parts beside it."""

    desk: Desk
    sessions: Sessions
    taxii_credentials: Remembered


def install(app: Starlette, web: Web) -> None:
    """Hands ``web`` to every request of ``app`` (at start, once the desk is open)."""
    app.state.web = web


def web_of(app: Starlette) -> Web:
    found: Web = app.state.web
    return found


# -- the parts of the desk and of the web, one dependency each ----------------------------------


def web(request: Request) -> Web:
    return web_of(request.app)


def desk(request: Request) -> Desk:
    return web(request).desk


def settings(request: Request) -> Settings:
    return desk(request).settings


def events(request: Request) -> Events:
    return desk(request).events


def incidents(request: Request) -> Incidents:
    return desk(request).incidents


def accounts(request: Request) -> Accounts:
    return desk(request).accounts


def evidence(request: Request) -> Evidence:
    return desk(request).evidence


def reports(request: Request) -> Reports:
    return desk(request).reports


def audit(request: Request) -> AuditLog:
    return desk(request).audit


def sharing(request: Request) -> Sharing:
    return desk(request).sharing


def cvd(request: Request) -> Cvd:
    return desk(request).cvd


def notices(request: Request) -> Notifier | None:
    return desk(request).notices


def sessions(request: Request) -> Sessions:
    return web(request).sessions


def taxii_credentials(request: Request) -> Remembered:
    return web(request).taxii_credentials


# -- who is acting ------------------------------------------------------------------------------


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


def session_for(request: Request) -> tuple[Session, bool]:
    """This browser's session (anonymous), made when it has none: the CSRF token is bound to it."""
    known = sessions(request)
    found = known.read(request)
    return (found, False) if found is not None else (known.new(None), True)


PARTNER_HOME = "/partner"


def viewer(request: Request) -> Viewer:
    """The logged-in member of the team; NotAuthenticated (the pages answer: go and log in) when
    nobody is, Forbidden for a partner: partners have no console, only their TAXII details."""
    found = signed_in(request)
    if found.principal.role is Role.PARTNER:
        raise Forbidden(f"partners have no console: your TAXII details are at {PARTNER_HOME}")
    return found


def signed_in(request: Request) -> Viewer:
    """The logged-in person, whatever their role (a partner included)."""
    known = sessions(request)
    session = known.read(request)
    if session is None or session.user_id is None:
        raise NotAuthenticated("please log in")
    who = accounts(request).session_principal(session.sid, session.user_id, session.epoch)
    known.renew(request, session)  # its idle time starts again
    return Viewer(who, session, known.csrf(session))


def stay_signed_in(request: Request, response: Response, who: Viewer) -> Response:
    """``response``, carrying ``who``'s session into their new session epoch: the page that
    changed its own password or second factor stays logged in, every other session of theirs
    has ended."""
    epoch = accounts(request).session_epoch(who.principal)
    sessions(request).save(response, request, who.session.in_epoch(epoch))
    return response


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
SignedIn = Annotated[Viewer, Depends(signed_in)]
Form = Annotated[Posted, Depends(posted)]
CheckedForm = Annotated[dict[str, str], Depends(session_form)]
ApiPrincipal = Annotated[Principal, Depends(api_principal)]
Config = Annotated[Settings, Depends(settings)]
Services = Annotated[Desk, Depends(desk)]
EventSearch = Annotated[Events, Depends(events)]
Cases = Annotated[Incidents, Depends(incidents)]
People = Annotated[Accounts, Depends(accounts)]
Exhibits = Annotated[Evidence, Depends(evidence)]
Reporting = Annotated[Reports, Depends(reports)]
AuditTrail = Annotated[AuditLog, Depends(audit)]
Partners = Annotated[Sharing, Depends(sharing)]
Disclosures = Annotated[Cvd, Depends(cvd)]
Cookies = Annotated[Sessions, Depends(sessions)]
