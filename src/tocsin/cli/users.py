"""``tocsin users`` and ``tocsin tokens``: people who log in and their API tokens. The commands act
as the local administrator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, err, new_password, operator, out, shown
from tocsin.model.numbers import MAX_ID

users_app = typer.Typer(help="People who log in: add, list, disable, reset a password.")
tokens_app = typer.Typer(help="API tokens: create (shown once) and revoke.")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[str, typer.Option(help="admin, lead, analyst, auditor, liaison or partner.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    organisation: Annotated[str, typer.Option(help="Organisation (created if new).")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Password (else TOCSIN_NEW_PASSWORD, else asked without echo)."),
    ] = None,
) -> None:
    """Add a user; the password is asked for unless given."""
    with desk() as d:
        accounts = d.accounts
        org = accounts.ensure_team(organisation) if organisation else accounts.ensure_team()
        user = accounts.add_user(
            operator(),
            name=username,
            password=new_password(password),
            role=role,
            org_id=org,
            display_name=name,
        )
    out.print(shown(f"added {user.username} ({user.role.value})"))


@users_app.command("list")
def users_list() -> None:
    """List users with their role, organisation and state."""
    with desk() as d:
        users = d.accounts.users(operator())
        names = d.accounts.organisations(operator())
    table = Table("user", "name", "role", "organisation", "state", "2FA", box=None)
    for u in users:
        table.add_row(
            *cells(
                u.username,
                u.display_name,
                u.role.value,
                names.get(u.org_id, "?"),
                "disabled" if u.disabled else "active",
                "on" if u.totp_secret else "off",
            )
        )
    out.print(table)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Log-in name.")]) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    with desk() as d:
        d.accounts.set_disabled(operator(), username, True)
    out.print(shown(f"disabled {username}"))


@users_app.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    password: Annotated[str | None, typer.Option(help="New password (else asked).")] = None,
) -> None:
    """Set a new password for a user."""
    with desk() as d:
        d.accounts.reset_password(operator(), username, new_password(password))
    out.print(shown(f"new password set for {username}"))


@users_app.command("totp")
def users_totp(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    off: Annotated[bool, typer.Option("--off", help="Turn the second factor off.")] = False,
) -> None:
    """Turn on a TOTP second factor: prints the secret and the otpauth:// URI to enrol an app."""
    with desk() as d:
        if off:
            d.accounts.set_totp(operator(), username, None)
            enrolled = None
        else:
            enrolled = d.accounts.enrol_totp(operator(), username)
    if enrolled is None:
        out.print(shown(f"second factor off for {username}"))
        return
    secret, uri = enrolled
    out.print(shown(f"secret: {secret}"))
    out.print(shown(uri))
    err.print(shown("Enrol it in an authenticator app now; log-ins then need its code."))


@tokens_app.command("list")
def tokens_list(
    username: Annotated[
        str | None, typer.Argument(help="Whose tokens (everyone's when left out).")
    ] = None,
) -> None:
    """List API tokens: number, owner, name, prefix, scopes, created, state (never a secret)."""
    with desk() as d:
        found = d.accounts.tokens(operator(), username)
        owners = {u.id: u.username for u in d.accounts.users(operator())}
    table = Table("token", "user", "name", "prefix", "scopes", "created", "state", box=None)
    for t in found:
        table.add_row(
            *cells(
                str(t.id),
                owners.get(t.user_id, "?"),
                t.name,
                t.prefix + "…",
                ",".join(sorted(t.scopes)),
                datetime.fromtimestamp(t.created, UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "revoked" if t.revoked else "active",
            )
        )
    out.print(table)


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument(help="Whose token (it acts as this user).")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "token",
    scopes: Annotated[str, typer.Option(help="read, write, admin (comma separated).")] = "read",
) -> None:
    """Create an API token; its secret is printed once and never stored."""
    with desk() as d:
        new = d.accounts.create_token_for(username, name, scopes)
    out.print(shown(f"token {new.token.id} ({new.token.prefix}…) for {username}: {new.secret}"))
    err.print(shown("Keep it now: Tocsin stores only its hash."))


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's number.", min=1, max=MAX_ID)],
) -> None:
    """Revoke an API token."""
    with desk() as d:
        d.accounts.revoke_token(operator(), token_id)
    out.print(shown(f"revoked token {token_id}"))
