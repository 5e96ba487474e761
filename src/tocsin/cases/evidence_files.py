"""Evidence files on local disk, addressed by SHA-256: stored once, re-verifiable, and typed by
their bytes alone (a client's file name and declared type are never kept nor believed)."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tocsin.errors import InvalidValue, NotFound, TocsinError

FILE_MODE = 0o640
DIR_MODE = 0o750
_CHUNK = 64 * 1024
_HEAD = 8 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")
_MAGIC: tuple[tuple[bytes | tuple[bytes, ...], str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    ((b"GIF87a", b"GIF89a"), "image/gif"),
    ((b"PK\x03\x04", b"PK\x05\x06"), "application/zip"),  # docx, xlsx, jar... are zip to us
    (b"\x1f\x8b", "application/gzip"),
)
_MAIL_FIRST = frozenset(
    b"from received return-path delivered-to x-original-to message-id date "
    b"authentication-results dkim-signature arc-seal mime-version".split()
)
_HEADER_NAME = re.compile(rb"([!-9;-~]+):")
_NAME_PUNCT = frozenset(" ._-()[]+,@=&!#~")
MAX_NAME = 120
FALLBACK_NAME = "evidence.bin"


class EvidenceTooLarge(TocsinError):
    """An upload past the size limit: refused while streaming, nothing of it kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"evidence file refused: larger than the limit of {limit:,} bytes")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the store knows of one file: its digest, its size, and its sniffed media type."""

    sha256: str
    size: int
    media_type: str


class _Sniffer:
    """Watches the chunks go by and names the media type from the content alone."""

    def __init__(self) -> None:
        self.head = b""
        self.last = b""  # the last byte that is not white space
        self.text = True  # valid UTF-8 without NULs, so far
        self._utf8 = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < _HEAD:
            self.head += chunk[: _HEAD - len(self.head)]
        if stripped := chunk.rstrip():
            self.last = stripped[-1:]
        if self.text:
            try:
                self._utf8.decode(chunk)
                self.text = b"\0" not in chunk
            except UnicodeDecodeError:
                self.text = False

    def media_type(self) -> str:
        if self.text:
            try:
                self._utf8.decode(b"", final=True)  # a sequence cut off at the very end
            except UnicodeDecodeError:
                self.text = False
        for magic, media_type in _MAGIC:
            if self.head.startswith(magic):
                return media_type
        if _looks_like_mail(self.head):
            return "message/rfc822"
        if not self.text or not self.head:
            return "application/octet-stream"
        first = self.head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
        if (first, self.last) in ((b"{", b"}"), (b"[", b"]")):
            return "application/json"
        return "text/plain"


def _looks_like_mail(head: bytes) -> bool:
    """An RFC 822 header block: a mail header first, then at least one more header line."""
    if b"\0" in head:
        return False
    lines = head.split(b"\n")
    if len(head) == _HEAD:
        lines = lines[:-1]  # the head may cut the last line short
    fields = 0
    for raw in lines:
        line = raw.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") and fields:
            continue
        name = _HEADER_NAME.match(line)
        if name is None or (not fields and name[1].lower() not in _MAIL_FIRST):
            return False
        fields += 1
    return fields >= 2


def _checked_limit(max_bytes: int) -> int:
    if max_bytes < 0:
        raise InvalidValue("max_bytes", max_bytes, "must not be negative")
    return max_bytes


def _make_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is narrowed by the umask; set it exactly


class EvidenceFiles:
    """A content-addressed store under ``root``: each file lives at ``root/ab/cd/<sha256>``."""

    def __init__(self, root: Path, max_bytes: int = 25 * 1024 * 1024) -> None:
        self.root = root
        self.max_bytes = _checked_limit(max_bytes)

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredFile:
        """Store the stream's bytes in chunks; refuse as soon as they pass the limit."""
        limit = self.max_bytes if max_bytes is None else _checked_limit(max_bytes)
        _make_dir(self.root)
        fd, temp = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), FILE_MODE)
                seen = _read(stream, limit, out.write)
                out.flush()
                os.fsync(out.fileno())
            sha256 = seen.sha256
            final = self._path(sha256)
            _make_dir(final.parent.parent)  # one level at a time, so each gets DIR_MODE
            _make_dir(final.parent)
            if final.exists():
                os.unlink(temp)  # the same bytes are already here: keep the first copy
            else:
                os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return seen

    def inspect(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredFile:
        """What ``put`` would store (digest, size, sniffed type), without storing it: lets a
        caller refuse a set of files before keeping any. The stream is read to its end."""
        limit = self.max_bytes if max_bytes is None else _checked_limit(max_bytes)
        return _read(stream, limit, lambda chunk: None)

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes for reading; NotFound when no such file is stored."""
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound(f"no evidence file {sha256}") from None

    def exists(self, sha256: str) -> bool:
        """Whether a file with this digest is stored."""
        return self._path(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        """Whether the file on disk still hashes to its name (False once tampered with)."""
        digest = hashlib.sha256()
        with self.open(sha256) as stored:
            while chunk := stored.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def remove(self, sha256: str) -> None:
        """Delete a file no evidence refers to any more (retention); gone already is fine."""
        self._path(sha256).unlink(missing_ok=True)

    def _path(self, sha256: str) -> Path:
        if not isinstance(sha256, str) or _DIGEST.fullmatch(sha256) is None:
            raise InvalidValue("sha256", sha256, "must be 64 lowercase hex digits")
        return self.root / sha256[:2] / sha256[2:4] / sha256


def _read(stream: BinaryIO, limit: int, sink: Callable[[bytes], object]) -> StoredFile:
    """Read ``stream`` in chunks into ``sink``, hashing and sniffing; refuse past ``limit``."""
    digest, sniffer, size = hashlib.sha256(), _Sniffer(), 0
    while chunk := stream.read(min(_CHUNK, limit - size + 1)):
        size += len(chunk)
        if size > limit:
            raise EvidenceTooLarge(limit)
        digest.update(chunk)
        sniffer.feed(chunk)
        sink(chunk)
    return StoredFile(digest.hexdigest(), size, sniffer.media_type())


def safe_download_name(name: str) -> str:
    """A file name fit for a Content-Disposition header: no directories, quotes or controls."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if char.isspace() else char
        for char in base
        if char.isspace() or char in _NAME_PUNCT or unicodedata.category(char)[0] in "LNM"
    )
    cleaned = " ".join(kept.split()).strip(" .")
    if len(cleaned) > MAX_NAME:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and stem and len(extension) <= 16:
            cleaned = stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            cleaned = cleaned[:MAX_NAME].rstrip(" .")
    return cleaned or FALLBACK_NAME
