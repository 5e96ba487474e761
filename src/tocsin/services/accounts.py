"""People and their ways in: users, log-in (argon2, optional TOTP, rate limited), API tokens.

Only admins manage users; everyone may manage their own tokens. Every change to a user or a token
is written to the audit log; passwords, TOTP secrets and token secrets never are.

One module past 400 lines on purpose: every way in (password, second factor, session epoch, token)
changes together when one changes (a reset ends sessions and remembered TAXII passwords), so they
are decided in one service; the throttle and the hashing live in ``tocsin.auth``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tocsin.auth import passwords, tokens, totp
from tocsin.auth.ratelimit import RateLimiter
from tocsin.auth.throttle import Limits, LoginThrottle
from tocsin.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from tocsin.model import access
from tocsin.model.limits import bounded
from tocsin.model.people import (
    ApiToken,
    OrgKind,
    Principal,
    Role,
    User,
    check_password_strength,
    username,
)
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

RECHECK_LIMIT = 5  # own-password checks of a logged-in person (account page), per window
RECHECK_WINDOW = 300
WRONG = "wrong user name, password or code"


@dataclass(frozen=True, slots=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


class Accounts:
    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], int],
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.people = store.people
        self.now = now
        self.throttle = LoginThrottle(limits)
        self.rechecks = RateLimiter(RECHECK_LIMIT, RECHECK_WINDOW)

    # -- organisations and users -----------------------------------------------------------------

    def ensure_team(self, name: str = "National CSIRT") -> int:
        """The team organisation's id, created on first use."""
        return self._ensure(name, OrgKind.TEAM, {})

    def ensure_organisation(self, name: str, kind: OrgKind) -> int:
        return self._ensure(name, kind, {"kind": kind.value})

    def _ensure(self, name: str, kind: OrgKind, details: dict[str, Any]) -> int:
        """The organisation's id, created (and audited) on first use; if another process
        created it meanwhile (``Conflict``: the name is unique), that one."""
        name = bounded("organisation.name", name)
        found = self.people.organisation_named(name)
        if found is None:
            try:
                with self.store.transaction() as conn:
                    org = self.people.add_organisation(conn, name, kind)
                    system = Principal.system()
                    self._audit(conn, system, "organisation.create", "organisation", name, details)
                return org.id
            except Conflict:
                found = self.people.organisation_named(name)
                if found is None:
                    raise
        return found.id

    def add_user(
        self,
        who: Principal,
        *,
        name: str,
        password: str,
        role: str,
        org_id: int,
        display_name: str | None = None,
    ) -> User:
        access.require(who, Role.ADMIN, scope="write")
        login = _check("username", name, username)
        shown = bounded("user.display_name", display_name or "") or login
        try:
            found_role = Role(role)
        except ValueError:
            raise InvalidValue(
                "role", role, "admin, lead, analyst, auditor, liaison or partner"
            ) from None
        _check("password", password, check_password_strength)
        if self.people.user_named(login) is not None:
            raise InvalidValue("username", login, "already taken")
        with self.store.transaction() as conn:
            user = self.people.add_user(
                conn,
                username=login,
                display_name=shown,
                role=found_role.value,
                org_id=org_id,
                disabled=False,
                password_hash=passwords.hash_password(password),
                created=self.now(),
            )
            self._audit(
                conn, who, "user.create", "user", login, {"role": found_role.value, "org": org_id}
            )
        return user

    def users(self, who: Principal) -> list[User]:
        access.require(who, Role.ADMIN, Role.LEAD, Role.AUDITOR)
        return self.people.users()

    def team_members(self, who: Principal) -> list[User]:
        """Active people of one's own team who can work incidents (for assigning)."""
        return [
            u
            for u in self.people.users()
            if u.org_id == who.org_id and not u.disabled and u.role in access.WRITERS
        ]

    def organisations(self, who: Principal) -> dict[int, str]:
        """Organisation names by id, for staff."""
        access.require(who, *access.STAFF)
        return {o.id: o.name for o in self.people.organisations()}

    def names(self, who: Principal) -> dict[int, str]:
        """Display names of the staff of one's own organisation, disabled people included (their
        names stay on the incidents they worked)."""
        if who.role not in access.STAFF:
            return {}
        return {
            u.id: u.display_name or u.username
            for u in self.people.users()
            if u.org_id == who.org_id or who.user_id is None
        }

    def set_disabled(self, who: Principal, name: str, disabled: bool) -> None:
        """Disable or re-enable a user; either way every session of theirs ends, so that
        re-enabling brings back none of the cookies from before."""
        access.require(who, Role.ADMIN, scope="write")
        user = self._user(name)
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, disabled=disabled)
            self.people.end_user_sessions(conn, user.id)
            action = "user.disable" if disabled else "user.enable"
            self._audit(conn, who, action, "user", user.username, {"sessions_ended": True})

    def reset_password(self, who: Principal, name: str, password: str) -> None:
        """A new password for a user (an admin's, or one's own): every session of the user ends;
        the page that changed one's own password keeps its session (``session_epoch``)."""
        user = self._user(name)
        if who.user_id != user.id:
            access.require(who, Role.ADMIN, scope="write")
        _check("password", password, check_password_strength)
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, password_hash=passwords.hash_password(password))
            self.people.end_user_sessions(conn, user.id)
            self._audit(conn, who, "user.password", "user", user.username, {"sessions_ended": True})

    def set_totp(self, who: Principal, name: str, secret: str | None) -> None:
        """Set or clear a user's second factor by hand: an admin's (or the command line's) way;
        people turn their own on and off with ``turn_on_totp`` and ``turn_off_totp``."""
        user = self._user(name)
        if who.user_id != user.id:
            access.require(who, Role.ADMIN, scope="write")
        self._store_totp(who, user, secret, None)

    def _store_totp(self, who: Principal, user: User, secret: str | None, step: int | None) -> None:
        """A changed second factor is a changed way in: the user's other sessions end too."""
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, totp_secret=secret, totp_last_step=step)
            self.people.end_user_sessions(conn, user.id)
            details: dict[str, object] = {"enabled": secret is not None, "sessions_ended": True}
            self._audit(conn, who, "user.totp", "user", user.username, details)

    def enrol_totp(self, who: Principal, name: str) -> tuple[str, str]:
        """Turn on a new TOTP second factor; returns its secret and the otpauth:// URI that
        enrols it in an authenticator app."""
        secret = totp.new_secret()
        self.set_totp(who, name, secret)
        return secret, totp.provisioning_uri(secret, name.lower())

    # -- logging in ------------------------------------------------------------------------------

    def authenticate(
        self,
        name: str,
        password: str,
        *,
        code: str | None = None,
        client: str = "",
        vouched: bool = False,
    ) -> User:
        """The user, or NotAuthenticated with one message for every failure (no hint which part
        was wrong). Tries are throttled (``auth.throttle``) per name and address, per address, and
        per name from addresses the user never logged in from, unless ``vouched`` (a browser
        holding the user's device cookie): a stranger cannot lock the owner out."""
        now = self.now()
        login = name.strip().lower()
        self.throttle.attempt(login, client, now, vouched=vouched)
        user = self.people.user_named(login)
        if user is None:
            passwords.verify_dummy(password)  # the same time as a real check
            raise NotAuthenticated(WRONG)
        if not passwords.verify_password(user.password_hash, password) or user.disabled:
            raise NotAuthenticated(WRONG)
        if user.totp_secret and not self._code_once(user, code or "", now):
            raise NotAuthenticated(WRONG)
        self.throttle.succeeded(login, client, now)
        return user

    def end_session(self, sid: str, lifetime: int) -> None:
        """Refuse this session from now on (a copied cookie dies with the log-out); ended
        sessions are forgotten once their cookies would have expired anyway."""
        now = self.now()
        with self.store.transaction() as conn:
            self.people.end_session(conn, sid, now, now - lifetime)

    def change_own_password(self, who: Principal, current: str, password: str) -> None:
        """The acting person's new password, given their current one (a session left open is
        not enough). Wrong current passwords are limited like log-ins (``recheck``)."""
        user = self._own(who)
        self._recheck(user, current, field="current_password")
        self.reset_password(who, user.username, password)
        self.rechecks.reset(str(user.id))

    def turn_on_totp(self, who: Principal, secret: str, current: str, code: str) -> None:
        """Turn on the second factor the acting person enrolled in their app: their password
        and a code from that app, which cannot then be used again to log in."""
        user = self._own(who)
        self._recheck(user, current, field="current")
        step = totp.verify_once(secret, code, self.now(), None)
        if step is None:
            raise InvalidValue("code", "…", "that code does not match; try the next one")
        self._store_totp(who, user, secret, step)
        self.rechecks.reset(str(user.id))

    def turn_off_totp(self, who: Principal, current: str, code: str) -> None:
        """Turn off the acting person's second factor: their password and a current code."""
        user = self._own(who)
        self._recheck(user, current, field="current")
        if user.totp_secret and not self._code_once(user, code, self.now()):
            raise InvalidValue("code", "…", "that code does not match; try the next one")
        self._store_totp(who, user, None, None)
        self.rechecks.reset(str(user.id))

    def has_two_factor(self, who: Principal) -> bool:
        """Whether the acting person logs in with a second factor (TOTP)."""
        user = self.people.user(who.user_id or 0)
        return bool(user and user.totp_secret)

    def principal(self, user_id: int) -> Principal:
        """The person with this id, as they act; NotAuthenticated once disabled or gone."""
        user = self.people.user(user_id)
        if user is None or user.disabled:
            raise NotAuthenticated("please log in again")
        return Principal.of(user)

    def session_principal(self, sid: str, user_id: int, epoch: int) -> Principal:
        """The person behind a page session begun in ``epoch``; NotAuthenticated once it was
        logged out, once the user is disabled or gone, or once their sessions were ended since
        (a password changed or reset, a disable or enable, a second factor changed)."""
        user = self.people.user(user_id)
        if user is None or user.disabled or user.session_epoch != epoch:
            raise NotAuthenticated("please log in again")
        if self.people.session_ended(sid):  # logged out: a copy of the cookie is worth nothing
            raise NotAuthenticated("please log in again")
        return Principal.of(user)

    def session_epoch(self, who: Principal) -> int:
        """The acting person's session epoch now (NotAuthenticated once disabled or gone): what
        the page that just changed their password or second factor puts in its own cookie to stay
        logged in, and what a remembered TAXII credential must still match."""
        return self._own(who).session_epoch

    def principal_named(self, name: str) -> Principal:
        """An active person by user name (the command line's ``--as``, a handler to assign)."""
        user = self.people.user_named(name.strip().lower())
        if user is None or user.disabled:
            raise InvalidValue("user", name, "no such active user")
        return Principal.of(user)

    # -- API tokens ------------------------------------------------------------------------------

    def create_token(self, who: Principal, name: str, scopes: str = "read") -> NewToken:
        if who.user_id is None:
            raise Forbidden("tokens belong to a person")
        wanted = _check("scopes", scopes, tokens.parse_scopes)
        label = bounded("token.name", name) or "token"
        if "admin" in wanted and who.role is not Role.ADMIN:
            raise Forbidden("only admins may create admin tokens")
        secret, prefix, digest = tokens.new_token()
        with self.store.transaction() as conn:
            token = self.people.add_token(
                conn,
                user_id=who.user_id,
                name=label,
                prefix=prefix,
                digest=digest,
                scopes=tokens.format_scopes(wanted),
                created=self.now(),
                revoked=False,
            )
            self._audit(
                conn,
                who,
                "token.create",
                "token",
                str(token.id),
                {"name": token.name, "prefix": prefix, "scopes": sorted(wanted)},
            )
        return NewToken(token, secret)

    def create_token_for(self, name: str, token_name: str, scopes: str = "read") -> NewToken:
        """A token for the named person, created as them (the command line on the server); none
        for a disabled person."""
        user = self._user(name)
        if user.disabled:
            raise Conflict(f"{user.username} is disabled: no token for them")
        return self.create_token(Principal.of(user), token_name, scopes)

    def tokens(self, who: Principal, name: str | None = None) -> list[ApiToken]:
        """One's own tokens; an admin's, anyone's (``name``) or everyone's (the command line on
        the server acts as Tocsin, an admin). Secrets are never stored: a token shows its
        prefix."""
        if name is not None:
            user = self._user(name)
            if user.id != who.user_id and who.role is not Role.ADMIN:
                raise Forbidden("only admins see other people's tokens")
            return self.people.tokens(user.id)
        if who.user_id is None:
            return self.people.tokens()
        return self.people.tokens(who.user_id)

    def revoke_token(self, who: Principal, token_id: int) -> None:
        token = self.people.token(token_id)
        if token is None or (token.user_id != who.user_id and who.role is not Role.ADMIN):
            raise NotFound("no such token")
        with self.store.transaction() as conn:
            self.people.revoke_token(conn, token.id)
            self._audit(conn, who, "token.revoke", "token", str(token.id), {"prefix": token.prefix})

    def token_principal(self, secret: str) -> Principal:
        token = self.people.token_by_digest(tokens.token_digest(secret))
        if token is None or token.revoked:
            raise NotAuthenticated("unknown or revoked token")
        user = self.people.user(token.user_id)
        if user is None or user.disabled:
            raise NotAuthenticated("unknown or revoked token")
        return Principal.of(user, token.scopes)

    # -- helpers ---------------------------------------------------------------------------------

    def _own(self, who: Principal) -> User:
        user = self.people.user(who.user_id or 0)
        if user is None or user.disabled:
            raise NotAuthenticated("please log in again")
        return user

    def _recheck(self, user: User, password: str, *, field: str) -> None:
        """A logged-in person's own password, asked again before a change to how they log in;
        InvalidValue at ``field`` when wrong, TooManyAttempts after ``RECHECK_LIMIT`` tries that
        did not end in the change (a wrong code counts too). The count is the person's own: it
        never stops anyone else, nor their log-in."""
        now, key = self.now(), str(user.id)
        if not self.rechecks.hit(key, now):
            raise TooManyAttempts(self.rechecks.retry_after(key, now))
        if not passwords.verify_password(user.password_hash, password):
            raise InvalidValue(field, "…", "that is not your password")

    def _code_once(self, user: User, code: str, now: int) -> bool:
        """Whether ``code`` is a right TOTP code not used before; its step is then stored."""
        assert user.totp_secret is not None
        step = totp.verify_once(user.totp_secret, code, now, self.people.totp_last_step(user.id))
        if step is None:
            return False
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, totp_last_step=step)
        return True

    def _user(self, name: str) -> User:
        user = self.people.user_named(name.strip().lower())
        if user is None:
            raise NotFound(f"no user {name!r}")
        return user

    def _audit(
        self,
        conn: Transaction,
        who: Principal,
        action: str,
        kind: str,
        name: str,
        details: dict[str, object],
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type=kind,
            object_id=name,
            details=details,
        )


def _check(name: str, value: Any, check: Callable[[Any], Any]) -> Any:
    try:
        result = check(value)
    except ValueError as exc:
        raise InvalidValue(name, "…" if name == "password" else value, str(exc)) from None
    return value if result is None else result
