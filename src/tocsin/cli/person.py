"""Who a command acts for: the local administrator, or a person who proves it is them.

A shell on the server is not a person. Commands that decide in a person's name (``share approve``
and ``refuse``, ``share publish --partner``, ``cvd move``) act for a person only once that person's
credential is given:

- their API token in ``TOCSIN_TOKEN`` (then ``--as`` may be left out: the token's owner acts; given,
  it must name the token's owner);
- else their password (and second factor's code), asked on the terminal for the user ``--as``
  names. Without a terminal (a script, a pipe) and without a token, the command is refused.

A wrong credential ends the command with a message and status 2 before anything is done; the
service writes the refusal to the audit log and refuses further tries for a while
(``services/credentials.py``). Other commands act as the local administrator, as before; those
that take ``--as`` prove it the same way when it is given (``acting``).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from tocsin.cli.common import operator
from tocsin.errors import NotAuthenticated
from tocsin.model.people import Principal
from tocsin.services.desk import Desk

TOKEN = "TOCSIN_TOKEN"  # noqa: S105 (the name of the variable that holds it, not a secret)

As = Annotated[
    str | None,
    typer.Option(
        "--as",
        help=f"Act as this user, proven by their API token in {TOKEN} or their password "
        "(asked on the terminal).",
    ),
]


def person(d: Desk, name: str | None) -> Principal:
    """The person this command acts for, proven by their token or their password."""
    secret = os.environ.get(TOKEN, "").strip()
    if secret:
        return d.credentials.by_token(secret, name, operator=operator().username)
    if name is None:
        raise NotAuthenticated(
            f"this command acts for a person: name them with --as USER (their password is "
            f"asked), or set {TOKEN} to their API token"
        )
    if not sys.stdin.isatty():
        raise NotAuthenticated(
            f"--as {name} needs {name}'s password, asked on a terminal, and there is none: "
            f"set {TOKEN} to {name}'s API token instead"
        )
    password: str = typer.prompt(f"Password of {name}", hide_input=True)
    code: str | None = None
    if d.accounts.has_two_factor(d.accounts.principal_named(name)):
        code = typer.prompt("Code of the authenticator app", hide_input=True)
    return d.credentials.by_password(name, password, code, operator=operator().username)


def acting(d: Desk, name: str | None) -> Principal:
    """The proven person of ``--as`` (or of ``TOCSIN_TOKEN``), else the local administrator."""
    if name is None and not os.environ.get(TOKEN, "").strip():
        return operator()
    return person(d, name)


__all__ = ["TOKEN", "As", "acting", "person"]
