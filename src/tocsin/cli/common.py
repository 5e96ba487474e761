"""The desk's commands: users, API tokens, the audit log. They act as the local administrator."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from tocsin.cases.audit import verify_log
from tocsin.errors import TocsinError
from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Principal, Role
from tocsin.services.accounts import Accounts
from tocsin.services.stores import open_configured_store
from tocsin.settings import Settings
from tocsin.store.base import Store

users_app = typer.Typer(help="People who log in: add, list, disable, reset a password.")
tokens_app = typer.Typer(help="API tokens: create (shown once) and revoke.")
T = TypeVar("T")
audit_app = typer.Typer(help="The tamper-evident audit log.")
sla_app = typer.Typer(help="SLA clocks.")

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:
    out = Console(highlight=False, soft_wrap=True, width=100_000)
err = Console(stderr=True, highlight=False)
if not err.is_terminal:
    err = Console(stderr=True, highlight=False, soft_wrap=True, width=100_000)


_clocks: list[Now] = [wall_clock]


def use_clock(now: Now) -> None:
    """Set by the root command: the wall clock, or the one a test hands in as the context's
    object (``CliRunner().invoke(app, args, obj=clock)``), so that no test reads the wall clock."""
    _clocks[:] = [now]


def clock() -> Now:
    """The clock this command runs on."""
    return _clocks[0]


def operator() -> Principal:
    """Whoever runs the command line on the server has the database: they act as admin, and
    the audit log names them by their system account."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid())
    return Principal(None, f"cli:{name}", Role.ADMIN, None)


@contextmanager
def on_store(make: Callable[[Settings, Store], T]) -> Iterator[T]:
    """A service on the configured store, closed after; any Tocsin error ends the command as
    one line and status 2."""
    settings = Settings.load()
    store = open_configured_store(settings)
    try:
        yield make(settings, store)
    except TocsinError as exc:
        err.print(f"tocsin: {exc}", markup=False)
        raise typer.Exit(2) from None
    finally:
        store.close()


def accounts() -> AbstractContextManager[Accounts]:
    return on_store(lambda _, store: Accounts(store, now=clock()))


def _password(given: str | None) -> str:
    if given is not None:
        return given
    env = os.environ.get("TOCSIN_NEW_PASSWORD")
    if env:
        return env
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[str, typer.Option(help="admin, lead, analyst, auditor or partner.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    organisation: Annotated[str, typer.Option(help="Organisation (created if new).")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Password (else TOCSIN_NEW_PASSWORD, else asked without echo)."),
    ] = None,
) -> None:
    """Add a user; the password is asked for unless given."""
    with accounts() as service:
        org = service.ensure_team(organisation) if organisation else service.ensure_team()
        user = service.add_user(
            operator(),
            name=username,
            password=_password(password),
            role=role,
            org_id=org,
            display_name=name,
        )
    out.print(f"added {user.username} ({user.role.value})", markup=False)


@users_app.command("list")
def users_list() -> None:
    """List users with their role, organisation and state."""
    with accounts() as service:
        users = service.users(operator())
        names = {o.id: o.name for o in service.people.organisations()}
    table = Table("user", "name", "role", "organisation", "state", "2FA", box=None)
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            u.role.value,
            names.get(u.org_id, "?"),
            "disabled" if u.disabled else "active",
            "on" if u.totp_secret else "off",
        )
    out.print(table)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Log-in name.")]) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    with accounts() as service:
        service.set_disabled(operator(), username, True)
    out.print(f"disabled {username}", markup=False)


@users_app.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    password: Annotated[str | None, typer.Option(help="New password (else asked).")] = None,
) -> None:
    """Set a new password for a user."""
    with accounts() as service:
        service.reset_password(operator(), username, _password(password))
    out.print(f"new password set for {username}", markup=False)


@users_app.command("totp")
def users_totp(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    off: Annotated[bool, typer.Option("--off", help="Turn the second factor off.")] = False,
) -> None:
    """Turn on a TOTP second factor: prints the secret and the otpauth:// URI to enrol an app."""
    from tocsin.auth import totp

    secret = None if off else totp.new_secret()
    with accounts() as service:
        service.set_totp(operator(), username, secret)
    if secret is None:
        out.print(f"second factor off for {username}", markup=False)
        return
    out.print(f"secret: {secret}", markup=False)
    out.print(totp.provisioning_uri(secret, username.lower()), markup=False)
    err.print("Enrol it in an authenticator app now; log-ins then need its code.", markup=False)


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument(help="Whose token (it acts as this user).")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "token",
    scopes: Annotated[str, typer.Option(help="read, write, admin (comma separated).")] = "read",
) -> None:
    """Create an API token; its secret is printed once and never stored."""
    with accounts() as service:
        user = service.people.user_named(username.lower())
        if user is None:
            err.print(f"tocsin: no user {username!r}", markup=False)
            raise typer.Exit(2)
        new = service.create_token(Principal.of(user), name, scopes)
    out.print(f"token {new.token.id} ({new.token.prefix}…) for {username}: {new.secret}")
    err.print("Keep it now: Tocsin stores only its hash.", markup=False)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's number.")]) -> None:
    """Revoke an API token."""
    with accounts() as service:
        service.revoke_token(operator(), token_id)
    out.print(f"revoked token {token_id}", markup=False)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the whole audit log; name the first entry altered, removed or
    reordered. Record the head hash elsewhere to catch a log cut short at its end."""
    store = open_configured_store(Settings.load())
    try:
        verdict, head = verify_log(store)
    finally:
        store.close()
    if verdict.ok:
        out.print(f"audit log intact: {verdict.checked} entries, head {head or '-'}", markup=False)
        return
    out.print(
        f"audit log broken at entry {verdict.first_bad}: {verdict.reason} "
        f"({verdict.checked} entries before it are intact)",
        markup=False,
    )
    raise typer.Exit(1)


@sla_app.command("check")
def sla_check() -> None:
    """Record every SLA breach since the last check (the server does this each minute; use this
    from cron when it does not run)."""
    from tocsin.cases.incidents import Incidents
    from tocsin.model.sla import SlaPolicy

    settings = Settings.load()
    store = open_configured_store(settings)
    try:
        desk = Incidents(store, now=clock(), sla=SlaPolicy.parse(settings.sla))
        breached = desk.check_sla()
    finally:
        store.close()
    for incident in breached:
        out.print(f"breached: {incident.reference} {incident.title}", markup=False)
    out.print(f"{len(breached)} incident(s) newly breached", markup=False)
