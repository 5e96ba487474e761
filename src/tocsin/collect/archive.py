"""The raw archive: every object a collector fetched, kept as received, by its SHA-256.

``<data_dir>/raw/<sha256[:2]>/<sha256>/<name>`` holds the bytes as received, under the name they
came with (sanitised: parsers read a report's type from it). A compressed object (gzip, zip) has
its members unpacked beside it, and those are what the pipeline reads, so a quarantined row
names a file that stays. The same content fetched again finds its folder and writes nothing.
Files are written whole (a temporary name, then renamed), so a crash leaves no half file
under a real name.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import zipfile
import zlib
from pathlib import Path

from tocsin.errors import InputUnreadable

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_name(name: str) -> str:
    """A file name for ``name``: its last part, without separators, controls or a leading dot."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", last).lstrip(".")[:160]
    return cleaned or "object"


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def remove(self, sha256: str) -> None:
        """Delete an object's folder (retention: nothing refers to it any more)."""
        if re.fullmatch(r"[0-9a-f]{64}", sha256) is None:
            raise ValueError(f"not a SHA-256: {sha256!r}")
        shutil.rmtree(self.folder(sha256), ignore_errors=True)

    def keep(self, name: str, data: bytes, *, limit: int) -> tuple[str, list[Path]]:
        """Archive ``data`` as received under its digest; returns the digest and the files the
        pipeline reads (the object itself, or its unpacked members, each at most ``limit``
        bytes: more is ``InputUnreadable``)."""
        sha = digest(data)
        folder = self.folder(sha)
        _write(folder / safe_name(name), data)
        return sha, [_write(folder / n, d) for n, d in unpack(safe_name(name), data, limit)]


def unpack(name: str, data: bytes, limit: int) -> list[tuple[str, bytes]]:
    """The files inside a gzip or zip object (by their magic bytes); the object itself when it
    is neither."""
    if data[:2] == b"\x1f\x8b":
        inner = name.removesuffix(".gz").removesuffix(".gzip")
        return [(safe_name(inner if inner != name else name + ".out"), _gunzip(name, data, limit))]
    if data[:4] == b"PK\x03\x04":
        return _unzip(name, data, limit)
    return [(name, data)]


def _gunzip(name: str, data: bytes, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputUnreadable(f"{name}: not a readable gzip file ({exc})") from None
    if len(out) > limit:
        raise InputUnreadable(f"{name}: unpacks to more than {limit} bytes")
    return out


def _unzip(name: str, data: bytes, limit: int) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    body = member.read(limit - total + 1)
                total += len(body)
                if total > limit:
                    raise InputUnreadable(f"{name}: unpacks to more than {limit} bytes")
                found.append((safe_name(info.filename), body))
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
        raise InputUnreadable(f"{name}: not a readable zip file ({exc})") from None
    return found


def _write(path: Path, data: bytes) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    with temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    return path


__all__ = ["Archive", "digest", "safe_name", "unpack"]
