"""People and their ways in: users, log-in (argon2, optional TOTP, rate limited), API tokens.

Only admins manage users; everyone may manage their own tokens. Every change to a user or a token
is written to the audit log; passwords, TOTP secrets and token secrets never are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tocsin.auth import passwords, tokens, totp
from tocsin.auth.ratelimit import RateLimiter
from tocsin.errors import Forbidden, InvalidValue, NotAuthenticated, NotFound, TooManyAttempts
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

LOGIN_LIMIT = 5  # failed or not, per user name and per address, per window
LOGIN_WINDOW = 300


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
        limiter: RateLimiter | None = None,
    ) -> None:
        self.store = store
        self.people = store.people
        self.now = now
        self.limiter = limiter or RateLimiter(LOGIN_LIMIT, LOGIN_WINDOW)

    # -- organisations and users -----------------------------------------------------------------

    def ensure_team(self, name: str = "National CSIRT") -> int:
        """The team organisation's id, created on first use."""
        name = bounded("organisation.name", name)
        found = self.people.organisation_named(name)
        if found is not None:
            return found.id
        with self.store.transaction() as conn:
            org = self.people.add_organisation(conn, name, OrgKind.TEAM)
            self._audit(conn, Principal.system(), "organisation.create", "organisation", name, {})
        return org.id

    def ensure_organisation(self, name: str, kind: OrgKind) -> int:
        name = bounded("organisation.name", name)
        found = self.people.organisation_named(name)
        if found is not None:
            return found.id
        with self.store.transaction() as conn:
            org = self.people.add_organisation(conn, name, kind)
            self._audit(
                conn,
                Principal.system(),
                "organisation.create",
                "organisation",
                name,
                {"kind": kind.value},
            )
        return org.id

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
            raise InvalidValue("role", role, "admin, lead, analyst, auditor or partner") from None
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
        access.require(who, Role.ADMIN, scope="write")
        user = self._user(name)
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, disabled=disabled)
            action = "user.disable" if disabled else "user.enable"
            self._audit(conn, who, action, "user", user.username, {})

    def reset_password(self, who: Principal, name: str, password: str) -> None:
        user = self._user(name)
        if who.user_id != user.id:
            access.require(who, Role.ADMIN, scope="write")
        _check("password", password, check_password_strength)
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, password_hash=passwords.hash_password(password))
            self._audit(conn, who, "user.password", "user", user.username, {})

    def set_totp(self, who: Principal, name: str, secret: str | None) -> None:
        user = self._user(name)
        if who.user_id != user.id:
            access.require(who, Role.ADMIN, scope="write")
        with self.store.transaction() as conn:
            self.people.update_user(conn, user.id, totp_secret=secret, totp_last_step=None)
            self._audit(
                conn, who, "user.totp", "user", user.username, {"enabled": secret is not None}
            )

    def enrol_totp(self, who: Principal, name: str) -> tuple[str, str]:
        """Turn on a new TOTP second factor; returns its secret and the otpauth:// URI that
        enrols it in an authenticator app."""
        secret = totp.new_secret()
        self.set_totp(who, name, secret)
        return secret, totp.provisioning_uri(secret, name.lower())

    # -- logging in ------------------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, *, code: str | None = None, client: str = ""
    ) -> User:
        """The user, or NotAuthenticated with one message for every failure (no hint which part
        was wrong); too many tries per name or address are refused for a while."""
        now = self.now()
        keys = [f"user:{name.strip().lower()}", f"addr:{client}"]
        if not all(self.limiter.hit(key, now) for key in keys):
            raise TooManyAttempts(max(self.limiter.retry_after(key, now) for key in keys))
        user = self.people.user_named(name.strip().lower())
        if user is None:
            passwords.verify_dummy(password)  # the same time as a real check
            raise NotAuthenticated("wrong user name, password or code")
        if not passwords.verify_password(user.password_hash, password) or user.disabled:
            raise NotAuthenticated("wrong user name, password or code")
        if user.totp_secret:
            step = totp.verify_once(
                user.totp_secret, code or "", now, self.people.totp_last_step(user.id)
            )
            if step is None:
                raise NotAuthenticated("wrong user name, password or code")
            with self.store.transaction() as conn:
                self.people.update_user(conn, user.id, totp_last_step=step)
        for key in keys:
            self.limiter.reset(key)
        return user

    def end_session(self, sid: str, lifetime: int) -> None:
        """Refuse this session from now on (a copied cookie dies with the log-out); ended
        sessions are forgotten once their cookies would have expired anyway."""
        now = self.now()
        with self.store.transaction() as conn:
            self.people.end_session(conn, sid, now, now - lifetime)

    def session_ended(self, sid: str) -> bool:
        return self.people.session_ended(sid)

    def password_matches(self, who: Principal, password: str) -> bool:
        """Whether ``password`` is the acting person's own (asked before they change it)."""
        user = self.people.user(who.user_id or 0)
        return user is not None and passwords.verify_password(user.password_hash, password)

    def has_two_factor(self, who: Principal) -> bool:
        """Whether the acting person logs in with a second factor (TOTP)."""
        user = self.people.user(who.user_id or 0)
        return bool(user and user.totp_secret)

    def principal(self, user_id: int) -> Principal:
        """The acting person behind a session; NotAuthenticated once disabled or gone."""
        user = self.people.user(user_id)
        if user is None or user.disabled:
            raise NotAuthenticated("please log in again")
        return Principal.of(user)

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
        """A token for the named person, created as them (the command line on the server)."""
        return self.create_token(Principal.of(self._user(name)), token_name, scopes)

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
