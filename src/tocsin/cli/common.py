"""What every command shares: the two consoles, the clock, the acting person and the desk.

A command opens the desk (``with desk() as d:``), calls its services, and prints; it neither builds
services nor catches Tocsin's errors (the root command turns those into one line and status 2).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Principal, Role
from tocsin.services.desk import Desk
from tocsin.settings import Settings

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:  # piped or redirected: whole values, never cut to 80 columns
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
def desk() -> Iterator[Desk]:
    """The desk on the configured store and this command's clock, closed after."""
    opened = Desk.open(Settings.load(), clock=clock())
    try:
        yield opened
    finally:
        opened.close()


def new_password(given: str | None) -> str:
    """A new password: the option's, else ``TOCSIN_NEW_PASSWORD``, else asked twice without echo."""
    if given is not None:
        return given
    env = os.environ.get("TOCSIN_NEW_PASSWORD")
    if env:
        return env
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


__all__ = ["clock", "desk", "err", "new_password", "operator", "out", "use_clock", "yes"]
