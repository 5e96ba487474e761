"""``tocsin backup`` and ``tocsin restore``: the store and its data folder, to a folder and back
(``services/backup.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tocsin.cli.common import clock, out, shown
from tocsin.services.backup import POSTGRES_RECIPE
from tocsin.services.backup import backup as make_backup
from tocsin.services.backup import restore as put_back
from tocsin.settings import Settings

Folder = Annotated[Path, typer.Argument(help="The backup folder.", file_okay=False)]


def backup(folder: Folder) -> None:
    """Copy the database (SQLite's online backup, safe while the server runs) and the data
    folder (keys, audit checkpoints, evidence, archive) into a new folder, with a manifest of
    every file's SHA-256. On PostgreSQL the data folder is copied and pg_dump's recipe printed."""
    done = make_backup(Settings.load(), folder, clock()())
    out.print(shown(f"backed up {done.files} files ({done.size} bytes) to {done.folder}"))
    if not done.database:
        out.print(shown("the database is PostgreSQL, not in this folder: back it up with"))
        out.print(shown(POSTGRES_RECIPE.replace("DIR", str(folder))))


def restore(
    folder: Folder,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a store that already holds data.")
    ] = False,
) -> None:
    """Check a backup folder against its manifest, then put it back as the configured database
    and data folder; a store that holds data already is refused without --force."""
    done = put_back(Settings.load(), folder, force=force)
    out.print(shown(f"restored {done.files} files from {done.folder}"))
    if not done.database:
        out.print(shown("the database is PostgreSQL: restore it with"))
        out.print(shown(POSTGRES_RECIPE.replace("DIR", str(folder))))
