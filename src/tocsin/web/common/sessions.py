"""Sessions of the pages (console and portal): a signed cookie with the user id and a random
session id, and the CSRF token bound to that id.

The cookie carries the session; the server keeps only the ids of sessions logged out. Logging out
(``/logout``) deletes the cookie and records its session id as ended, so a copy of the cookie is
refused from then on; the ended id is forgotten once the cookie would have expired anyway. A
session otherwise lasts until it expires (``SESSION_SECONDS``) or its user is disabled.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from tocsin.auth.csrf import check_csrf, csrf_token
from tocsin.auth.keys import check_secret_key
from tocsin.auth.sessions import CookiePolicy, SessionSigner

SESSION_SECONDS = 12 * 60 * 60  # one long shift


@dataclass(frozen=True, slots=True)
class Session:
    """One browser's session: ``user_id`` is None before logging in (the log-in form has one too,
    so that its CSRF token is bound to something)."""

    sid: str
    user_id: int | None


class Sessions:
    def __init__(self, secret_key: str, *, clock: Callable[[], float]) -> None:
        self._key = check_secret_key(secret_key)
        self._signer = SessionSigner(self._key, SESSION_SECONDS, clock=clock)

    def __repr__(self) -> str:
        return "Sessions(…)"  # the key is never shown

    @staticmethod
    def policy(request: Request) -> CookiePolicy:
        return CookiePolicy.for_scheme(request.url.scheme, SESSION_SECONDS)

    @staticmethod
    def new(user_id: int | None) -> Session:
        """A fresh session, with a new id: logging in never keeps the id from before."""
        return Session(secrets.token_urlsafe(24), user_id)

    def read(self, request: Request) -> Session | None:
        """The request's session; None when there is no cookie or it is forged or too old."""
        token = request.cookies.get(self.policy(request).name)
        data = self._signer.loads(token) if token else None
        if data is None:
            return None
        sid, user_id = data.get("sid"), data.get("uid")
        if not isinstance(sid, str) or not sid:
            return None
        if user_id is not None and (type(user_id) is not int or user_id < 1):
            return None
        return Session(sid, user_id)

    def save(self, response: Response, request: Request, session: Session) -> None:
        policy = self.policy(request)
        response.set_cookie(
            policy.name,
            self._signer.dumps({"sid": session.sid, "uid": session.user_id}),
            max_age=policy.max_age,
            path=policy.path,
            secure=policy.secure,
            httponly=policy.http_only,
            samesite=policy.same_site,
        )

    def end(self, response: Response, request: Request) -> None:
        policy = self.policy(request)
        response.delete_cookie(
            policy.name,
            path=policy.path,
            secure=policy.secure,
            httponly=policy.http_only,
            samesite=policy.same_site,
        )

    def stamp(self, purpose: str, value: str) -> str:
        """``value`` with a MAC for ``purpose``: given to a browser, trusted when it comes back."""
        mac = hmac.new(self._key.encode(), f"{purpose}\0{value}".encode(), hashlib.sha256)
        return f"{value}.{mac.hexdigest()[:32]}"

    def unstamp(self, purpose: str, token: str) -> str | None:
        """The value of a ``stamp`` of ``purpose``; None when it was not made here."""
        value, _, _mac = token.rpartition(".")
        return value if value and hmac.compare_digest(self.stamp(purpose, value), token) else None

    def csrf(self, session: Session) -> str:
        return csrf_token(session.sid, self._key)

    def csrf_ok(self, session: Session | None, token: object) -> bool:
        if session is None or not isinstance(token, str):
            return False
        return check_csrf(token, session.sid, self._key)
