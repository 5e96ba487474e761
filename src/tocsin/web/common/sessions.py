"""Sessions of the pages (console and portal): a signed cookie with the user id, a random session
id, the user's session epoch and the time of logging in, and the CSRF token bound to that id.

The cookie carries the session; the server keeps the ids of sessions logged out, and each user's
session epoch. A logged-in session ends:

- when it is logged out (``/logout`` records its id as ended, so a copy of the cookie is refused;
  the id is forgotten once the cookie would have expired anyway);
- when the user's sessions are ended: a password changed or reset, a disable or enable, a second
  factor changed raise the user's epoch (``Accounts.session_principal``), and a cookie of an
  older epoch opens nothing. The page that changed its own password or second factor gets a
  cookie of the new epoch and stays;
- after ``idle`` seconds without a request (each page re-signs the cookie: its signing time is
  the last request's, ``SessionRefresh``), and ``lifetime`` seconds after logging in whatever
  happens (``TOCSIN_SESSION_IDLE``, ``TOCSIN_SESSION_LIFETIME``).

A session before logging in (the log-in form's, the portal's) has no user, epoch nor idle limit:
it lasts ``lifetime`` from when its cookie was set, so a long report is not lost to a timeout.
All times come from the injected clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from tocsin.auth.csrf import check_csrf, csrf_token
from tocsin.auth.keys import check_secret_key
from tocsin.auth.sessions import CookiePolicy, SessionSigner
from tocsin.errors import InvalidValue

RENEW = "tocsin.session"  # the scope key under which a request's checked session is renewed
IDLE_SECONDS = 30 * 60  # defaults of TOCSIN_SESSION_IDLE and TOCSIN_SESSION_LIFETIME
LIFETIME_SECONDS = 12 * 60 * 60  # one long shift
DEVICE_SECONDS = 30 * 86_400  # how long a browser that logged in as someone vouches for them


@dataclass(frozen=True, slots=True)
class Session:
    """One browser's session: ``user_id`` is None before logging in (the log-in form has one too,
    so that its CSRF token is bound to something). A logged-in one carries the user's session
    ``epoch`` and the time it ``began`` (logging in)."""

    sid: str
    user_id: int | None
    epoch: int = 0
    began: int = 0

    def in_epoch(self, epoch: int) -> Session:
        """This session, carried on into the user's new ``epoch`` (the page that changed its own
        password or second factor)."""
        return replace(self, epoch=epoch)


class Sessions:
    def __init__(
        self,
        secret_key: str,
        *,
        clock: Callable[[], float],
        idle: int = IDLE_SECONDS,
        lifetime: int = LIFETIME_SECONDS,
    ) -> None:
        if not 0 < idle <= lifetime:
            raise InvalidValue("session_idle", idle, f"1 to {lifetime} seconds (the lifetime)")
        self._key = check_secret_key(secret_key)
        self._clock = clock
        self.idle = idle
        self.lifetime = lifetime
        self._signer = SessionSigner(self._key, lifetime, clock=clock)

    def __repr__(self) -> str:
        return "Sessions(…)"  # the key is never shown

    def policy(self, request: Request) -> CookiePolicy:
        return CookiePolicy.for_scheme(request.url.scheme, self.lifetime)

    def new(self, user_id: int | None, epoch: int = 0) -> Session:
        """A fresh session, with a new id: logging in never keeps the id from before."""
        return Session(secrets.token_urlsafe(24), user_id, epoch, int(self._clock()))

    def read(self, request: Request) -> Session | None:
        """The request's session; None when there is no cookie, or it is forged, too old, idle
        too long or of the wrong shape."""
        token = request.cookies.get(self.policy(request).name)
        found = self._signer.loads_aged(token) if token else None
        if found is None:
            return None
        data, age = found
        sid, user_id = data.get("sid"), data.get("uid")
        if not isinstance(sid, str) or not sid:
            return None
        if user_id is None:
            return Session(sid, None)
        if not _whole(user_id, 1) or age > self.idle:
            return None
        return self._logged_in(sid, user_id, data)

    def _logged_in(self, sid: str, user_id: int, data: dict[str, Any]) -> Session | None:
        epoch, began = data.get("gen"), data.get("began")
        if not _whole(epoch, 0):
            return None
        if not _whole(began, 0):
            return None
        if not 0 <= int(self._clock()) - began <= self.lifetime:
            return None
        return Session(sid, user_id, epoch, began)

    def save(self, response: Response, request: Request, session: Session) -> None:
        """Set the cookie of ``session`` on ``response``, signed now (re-signing a logged-in
        session at each request is what its idle timeout counts from)."""
        data: dict[str, Any] = {"sid": session.sid, "uid": session.user_id}
        if session.user_id is not None:
            data |= {"gen": session.epoch, "began": session.began}
        policy = self.policy(request)
        response.set_cookie(
            policy.name,
            self._signer.dumps(data),
            max_age=policy.max_age,
            path=policy.path,
            secure=policy.secure,
            httponly=policy.http_only,
            samesite=policy.same_site,
        )

    def renewed(
        self, scope: Scope, headers: list[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        """``headers`` of the answer to ``scope``, with the cookie of the logged-in session the
        request was let in with (``renew``) signed afresh; unchanged when there is none, or when
        the answer sets or deletes the cookie itself (logging in, out, a new epoch)."""
        session = scope.get(RENEW)
        if not isinstance(session, Session):
            return headers
        request = Request(scope)
        mine = self.policy(request).name.encode("latin-1") + b"="
        if any(k.lower() == b"set-cookie" and v.startswith(mine) for k, v in headers):
            return headers
        fresh = Response()
        self.save(fresh, request, session)
        return headers + [(k, v) for k, v in fresh.raw_headers if k == b"set-cookie"]

    @staticmethod
    def renew(request: Request, session: Session) -> None:
        """Have the answer to ``request`` carry ``session``'s cookie signed afresh (a checked,
        logged-in session: its idle time starts again)."""
        request.scope[RENEW] = session

    def end(self, response: Response, request: Request) -> None:
        policy = self.policy(request)
        response.delete_cookie(
            policy.name,
            path=policy.path,
            secure=policy.secure,
            httponly=policy.http_only,
            samesite=policy.same_site,
        )

    def vouches(self, request: Request, name: str) -> bool:
        """Whether this browser logged in as ``name`` in the last ``DEVICE_SECONDS`` (its device
        cookie says so): the log-in throttle then lets it past the per-name count, so that a
        stranger guessing the name's password from many addresses does not keep its owner out."""
        token = request.cookies.get(self._device_name(request))
        value = self.unstamp("device", token) if token else None
        who, _, issued = (value or "").rpartition(":")
        if not who or who != name.strip().lower() or not issued.isascii() or not issued.isdigit():
            return False
        return 0 <= int(self._clock()) - int(issued) <= DEVICE_SECONDS

    def remember_device(self, response: Response, request: Request, username: str) -> None:
        """Give the browser that just logged in as ``username`` its device cookie."""
        policy = self.policy(request)
        response.set_cookie(
            self._device_name(request),
            self.stamp("device", f"{username}:{int(self._clock())}"),
            max_age=DEVICE_SECONDS,
            path=policy.path,
            secure=policy.secure,
            httponly=policy.http_only,
            samesite=policy.same_site,
        )

    def _device_name(self, request: Request) -> str:
        return "__Host-tocsin_device" if self.policy(request).secure else "tocsin_device"

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


def _whole(value: object, least: int) -> TypeGuard[int]:
    """Whether ``value`` is a whole number (not a bool) of at least ``least``."""
    return type(value) is int and value >= least
