"""Key files kept beside the data, outside the database: made once, atomically, owner-only.

A missing file is created on first use, readable by its owner only (0600, in a 0700 folder when
the folder is new). Creation writes a temporary file and links it into place, so two processes
starting together end up with the same key: the second link fails and that process reads the
first one's file. A key's bytes never reach a log or a message; only its path does.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from tocsin.errors import ConfigError

FILE_MODE = 0o600
DIR_MODE = 0o700


def create_once(path: Path, content: bytes) -> None:
    """Write ``content`` at ``path`` unless a file is already there (then keep that one)."""
    if not path.parent.is_dir():
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".new-key-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs is kept
            os.link(temp, path)
    finally:
        os.unlink(temp)


def read_key_file(path: Path, what: str, make: Callable[[], bytes] | None) -> bytes:
    """The file's bytes; when it is missing and ``make`` is given, made and written first."""
    if make is not None and not path.exists():
        try:
            create_once(path, make())
        except OSError as exc:
            raise ConfigError(f"cannot make the {what} at {path}: {exc.strerror}") from None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} at {path}: {exc.strerror}") from None


__all__ = ["DIR_MODE", "FILE_MODE", "create_once", "read_key_file"]
