"""Proof that the person a command-line command acts for is the one at the keyboard.

A shell on the server is not a person: whoever has one runs the command line as the local
administrator. Commands that decide in a person's name (four-eyes release, a CVD case's moves)
first need that person's credential: their API token (the command line reads it from
``TOCSIN_TOKEN``), checked against the stored digests as the API checks it, or their password
(and second factor), checked with argon2 as the log-in page checks it.

A wrong credential is refused with one message and written to the audit log (``credential.refused``,
by the system account that ran the command, about the user named); after ``LIMIT`` refusals for a
user within ``WINDOW`` seconds, further tries are refused for a while. The count is kept in the
store, since every command runs in a process of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from tocsin.errors import NotAuthenticated, TooManyAttempts
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.store.base import Store

LIMIT = 5  # refused credentials per user name within the window, as at log-in
WINDOW = 300
REFUSED = "credential.refused"
CLIENT = "cli"  # the address the log-in throttle counts command-line tries under
UNNAMED = "-"  # the object of a refused token that named no user


class Credentials:
    """Checks a named person's token or password for the command line."""

    def __init__(self, store: Store, accounts: Accounts, *, now: Callable[[], int]) -> None:
        self.store = store
        self.accounts = accounts
        self.now = now

    def by_token(self, secret: str, name: str | None, *, operator: str) -> Principal:
        """The owner of the API token ``secret``, with the token's scopes; refused when the token
        is unknown, revoked or disabled, or belongs to someone other than ``name`` (if given)."""
        wanted = _login(name) if name else None
        self._allowed(wanted or UNNAMED)
        try:
            who = self.accounts.token_principal(secret)
        except NotAuthenticated:
            raise self._refused(wanted or UNNAMED, "token", operator) from None
        if wanted is not None and who.username != wanted:
            raise self._refused(wanted, "token", operator)
        return who

    def by_password(
        self, name: str, password: str, code: str | None = None, *, operator: str
    ) -> Principal:
        """The person ``name`` once their password (and second factor's code) is right."""
        login = _login(name)
        self._allowed(login)
        try:
            user = self.accounts.authenticate(login, password, code=code, client=CLIENT)
        except NotAuthenticated:
            raise self._refused(login, "password", operator) from None
        return Principal.of(user)

    def _allowed(self, login: str) -> None:
        since = self.now() - WINDOW
        if self.store.cases.audit_count("user", login, REFUSED, since) >= LIMIT:
            raise TooManyAttempts(WINDOW)

    def _refused(self, login: str, how: str, operator: str) -> NotAuthenticated:
        """Writes the refusal to the audit log, and returns the error to raise."""
        with self.store.transaction() as conn:
            self.store.cases.append_audit(
                conn,
                at=self.now(),
                actor=operator,
                action=REFUSED,
                object_type="user",
                object_id=login,
                details={"by": how},
            )
        whose = f"{login}'s " if login != UNNAMED else "a person's "
        return NotAuthenticated(f"wrong {how}: this is not {whose}credential; nothing was done")


def _login(name: str) -> str:
    return name.strip().lower()
