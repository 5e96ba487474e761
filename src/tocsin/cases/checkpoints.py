"""The checkpoint file: signed checkpoints of the audit log, one JSON line each, only ever appended
to, kept outside the database (``audit_checkpoints``; see docs/audit.md)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tocsin.auth.audit_keys import Verifier
from tocsin.model.checkpoint import Checkpoint, read

FILE_MODE = 0o600
DIR_MODE = 0o700


class CheckpointFile:
    """An append-only file of checkpoints; a missing file holds none."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"CheckpointFile({self.path})"

    def exists(self) -> bool:
        return self.path.exists()

    def read(self, verifier: Verifier) -> list[Checkpoint]:
        """Every checkpoint, each signature checked (``CheckpointError`` names the first line
        that is unreadable, not signed by ``verifier``'s key, or out of order)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return read(text.splitlines(), verifier.verify)

    def last(self, verifier: Verifier) -> Checkpoint | None:
        """The latest checkpoint, its signature checked (``CheckpointError`` if it fails), read
        from the end of the file so that a long file costs no more than a short one."""
        try:
            with self.path.open("rb") as file:
                tail = _last_line(file)
        except FileNotFoundError:
            return None
        return read([tail.decode("utf-8", "replace")], verifier.verify)[-1] if tail else None

    @contextmanager
    def appending(self) -> Iterator[Callable[[Checkpoint], None]]:
        """The file locked against other Tocsin processes (the server and a command may both
        write one): within the block, what ``last`` says stays the latest, and the function
        yielded adds one line, on disk before it returns."""
        if not self.path.parent.is_dir():
            self.path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)

            def append(checkpoint: Checkpoint) -> None:
                os.write(fd, (checkpoint.line() + "\n").encode())
                os.fsync(fd)

            yield append
        finally:
            os.close(fd)  # and with it the lock


def _last_line(file: BinaryIO, chunk: int = 4096) -> bytes:
    """The last non-empty line of a file."""
    end = file.seek(0, os.SEEK_END)
    data = b""
    while end > 0:
        start = max(0, end - chunk)
        file.seek(start)
        data = file.read(end - start) + data
        end = start
        stripped = data.rstrip(b"\n")
        if b"\n" in stripped:
            return stripped.rsplit(b"\n", 1)[1]
    return data.strip(b"\n")


__all__ = ["CheckpointFile"]
