"""``kind = "directory"``: a drop folder (``path``) people or other programs put feed files in.

Each regular file directly in the folder is an object (``pattern``, a glob, narrows them; names
starting with a dot are passed over, so a writer drops ``.name`` and renames it when whole). Once
the desk has taken a file in it moves to ``processed/`` inside the folder; one that failed moves
to ``failed/``, with ``<name>.reason.txt`` beside it saying why. Nothing is deleted: a name
already taken in those folders gets a numbered suffix.
"""

from __future__ import annotations

from pathlib import Path

from tocsin.collect.base import Batch, Fetched, Spec, register
from tocsin.collect.config import only, option
from tocsin.errors import InputUnreadable
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState

KEYS = {"path", "pattern"}
DONE, FAILED = "processed", "failed"


class DirectoryCollector:
    def __init__(self, spec: Spec) -> None:
        only(spec, KEYS)
        self.spec = spec
        self.path = Path(option(spec, "path"))
        self.pattern: str = option(spec, "pattern", "*")

    def fetch(self, state: CollectorState, clock: Now) -> Batch:
        if not self.path.is_dir():
            raise InputUnreadable(f"{self.path}: not a folder")
        objects = []
        for found in sorted(self.path.glob(self.pattern)):
            if found.name.startswith(".") or not found.is_file() or found.is_symlink():
                continue
            size = found.stat().st_size
            if size > self.spec.max_bytes:
                self.settle(Fetched(found.name, b"", {"path": str(found)}), _too_big(size, self))
                continue
            objects.append(Fetched(found.name, found.read_bytes(), {"path": str(found)}))
        return Batch(objects)

    def settle(self, fetched: Fetched, error: str | None) -> None:
        """Move the file to ``processed/``, or to ``failed/`` with the reason beside it."""
        source = Path(fetched.metadata["path"])
        if not source.exists():
            return
        target = _free(self.path / (DONE if error is None else FAILED) / source.name)
        target.parent.mkdir(exist_ok=True)
        if error is not None:
            target.with_name(target.name + ".reason.txt").write_text(error + "\n", "utf-8")
        source.replace(target)


def _too_big(size: int, collector: DirectoryCollector) -> str:
    return f"{size} bytes, over the limit of {collector.spec.max_bytes} (max_bytes)"


def _free(path: Path) -> Path:
    """``path``, or ``name.1``, ``name.2``… the first that does not exist."""
    candidate, number = path, 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


register("directory", DirectoryCollector)

__all__ = ["DirectoryCollector"]
