"""What every command shares: the two consoles, the clock, the acting person and the desk.

A command opens the desk (``with desk() as d:``), calls its services, and prints; it neither builds
services nor catches Tocsin's errors (the root command turns those into one line and status 2).
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.text import Text

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


# Terminal escape sequences, whole: CSI (colours, cursor moves, clearing), the string commands
# (OSC retitles the window or writes a hyperlink; DCS, SOS, PM, APC) up to their terminator or
# the end, and the other two-byte escapes; in their 7-bit (ESC …) and 8-bit (C1) spellings.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# What is left of C0, DEL and C1, and the bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n]")


def shown(value: object, *, lines: bool = False) -> Text:
    """A value for the terminal, as plain text: never read as Rich markup (``[/x]`` or ``[bold]``
    from a feed is printed as written), with terminal escape sequences and control characters
    removed and tabs and line breaks made spaces (kept as line breaks when ``lines``). Every table
    cell and printed line that holds a stored or fed value goes through it."""
    text = _CONTROLS.sub("", _ESCAPES.sub("", "" if value is None else str(value)))
    return Text(text.replace("\t", " ") if lines else _BREAKS.sub(" ", text))


def cells(*values: object) -> list[Text]:
    """A table row's cells, each ``shown``."""
    return [shown(value) for value in values]


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


__all__ = [
    "cells",
    "clock",
    "desk",
    "err",
    "new_password",
    "operator",
    "out",
    "shown",
    "use_clock",
    "yes",
]
