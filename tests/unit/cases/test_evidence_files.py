"""The evidence store: content-addressed files on disk, sniffed, size-limited and verifiable."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.cases.evidence_files import (
    FALLBACK_NAME,
    MAX_NAME,
    EvidenceFiles,
    EvidenceTooLarge,
    StoredFile,
    safe_download_name,
)
from tocsin.errors import InvalidValue, NotFound, TocsinError


def every_file(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def stored_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class Endless:
    """A stream that never ends: only a store that stops reading at the limit can refuse it."""

    def __init__(self) -> None:
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        size = 1024 if size < 0 else size
        self.served += size
        return b"A" * size


@pytest.fixture
def store(tmp_path: Path) -> EvidenceFiles:
    return EvidenceFiles(tmp_path / "evidence")


def test_put_then_open_gives_back_the_same_bytes(store: EvidenceFiles) -> None:
    """A file larger than one read chunk comes back byte for byte, named by its SHA-256."""
    content = bytes(range(256)) * 1000
    stored = store.put(io.BytesIO(content))
    assert stored == StoredFile(
        hashlib.sha256(content).hexdigest(), len(content), stored.media_type
    )
    with store.open(stored.sha256) as handle:
        assert handle.read() == content
    assert store.exists(stored.sha256)
    assert stored_path(store.root, stored.sha256).is_file()


def test_the_same_content_is_stored_once(store: EvidenceFiles) -> None:
    """Storing the same bytes twice answers the same record and leaves one file on disk."""
    first = store.put(io.BytesIO(b"phishing kit, sample 1\n"))
    second = store.put(io.BytesIO(b"phishing kit, sample 1\n"))
    assert first == second
    assert every_file(store.root) == [stored_path(store.root, first.sha256)]


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(store: EvidenceFiles) -> None:
    """An endless upload is refused once it passes the limit, with no file or temp file left."""
    stream = Endless()
    with pytest.raises(EvidenceTooLarge, match="limit of 1,000 bytes") as refused:
        store.put(cast(BinaryIO, stream), max_bytes=1000)
    assert isinstance(refused.value, TocsinError)
    assert refused.value.limit == 1000
    assert stream.served <= 1001
    assert every_file(store.root) == []


def test_the_store_wide_limit_applies_and_the_limit_itself_is_allowed(tmp_path: Path) -> None:
    """Exactly max_bytes is stored; one byte more is refused, by the store's default limit."""
    store = EvidenceFiles(tmp_path / "evidence", max_bytes=10)
    assert store.put(io.BytesIO(b"0123456789")).size == 10
    with pytest.raises(EvidenceTooLarge):
        store.put(io.BytesIO(b"0123456789X"))
    assert len(every_file(store.root)) == 1


def test_a_negative_limit_is_an_invalid_value(tmp_path: Path) -> None:
    """A limit below zero is a mistake in the caller, reported as such."""
    with pytest.raises(InvalidValue):
        EvidenceFiles(tmp_path, max_bytes=-1)
    with pytest.raises(InvalidValue):
        EvidenceFiles(tmp_path).put(io.BytesIO(b""), max_bytes=-1)


MAIL = (
    b"Return-Path: <abuse@example.org>\r\n"
    b"Received: from mx.example.org (mx.example.org [192.0.2.25])\r\n"
    b"\tby mail.example.net with ESMTPS; Mon, 3 Jun 2024 10:00:00 +0000\r\n"
    b"From: Abuse Desk <abuse@example.org>\r\n"
    b"Subject: phishing report\r\n"
    b"\r\n"
    b"See the attached URL.\r\n"
)

SAMPLES = {
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n%%EOF\n", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01", "image/png"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
    "gif87": (b"GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff;", "image/gif"),
    "gif89": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff;", "image/gif"),
    "zip": (zip_bytes({"notes.txt": b"hello"}), "application/zip"),
    "docx": (
        zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        "application/zip",
    ),
    "gzip": (gzip.compress(b"access.log lines\n", mtime=0), "application/gzip"),
    "text": ("Grüße aus Wien, 2024-06-03\n".encode(), "text/plain"),
    "mail_lf": (MAIL.replace(b"\r\n", b"\n"), "message/rfc822"),
    "mail_crlf": (MAIL, "message/rfc822"),
    "json_object": (
        b'\xef\xbb\xbf {"indicator": "198.51.100.7", "tags": ["c2"]}\n',
        "application/json",
    ),
    "json_array": (b'[{"ip": "192.0.2.1"}]', "application/json"),
    "one_header_is_text": (b"Subject: meeting notes\n\nnothing more\n", "text/plain"),
    "half_a_bracket_is_text": (b"[draft] timeline of the incident\n", "text/plain"),
    "html_is_text": (b"<!doctype html><script>alert(1)</script>", "text/plain"),
    "nul_is_binary": (b"plain words\x00then a NUL", "application/octet-stream"),
    "latin1_is_binary": (b"caf\xe9", "application/octet-stream"),
    "cut_utf8_is_binary": ("ä".encode()[:1], "application/octet-stream"),
    "empty": (b"", "application/octet-stream"),
    "elf": (b"\x7fELF\x02\x01\x01\x00", "application/octet-stream"),
}


@pytest.mark.parametrize(("content", "media_type"), SAMPLES.values(), ids=SAMPLES.keys())
def test_the_media_type_is_sniffed_from_the_bytes(
    store: EvidenceFiles, content: bytes, media_type: str
) -> None:
    """Each known format is recognised by its magic bytes or structure, anything else is binary."""
    assert store.put(io.BytesIO(content)).media_type == media_type


def test_text_is_judged_over_the_whole_upload_not_just_its_start(store: EvidenceFiles) -> None:
    """A letter split across read chunks is still text; one bad byte far in makes it binary."""
    assert store.put(io.BytesIO(("a" + "ä" * 40_000).encode())).media_type == "text/plain"
    assert store.put(io.BytesIO(b"a" * 100_000 + b"\xff")).media_type == "application/octet-stream"
    large_json = b'{"events": [' + b'{"ip": "192.0.2.1"},' * 5000 + b"{}]}\n"
    assert store.put(io.BytesIO(large_json)).media_type == "application/json"


def test_a_client_name_cannot_escape_the_store_or_change_the_type(tmp_path: Path) -> None:
    """The stream's own name is ignored for storage and type; download names lose their path."""
    store = EvidenceFiles(tmp_path / "evidence")
    for name in ("../../etc/passwd", "x.html", "/tmp/evil.pdf"):
        upload = io.BytesIO(b"<html><body>not a pdf</body></html>")
        upload.name = name
        stored = store.put(upload)
        assert stored.media_type == "text/plain"
    assert [path.name for path in tmp_path.iterdir()] == ["evidence"]
    assert every_file(store.root) == [stored_path(store.root, stored.sha256)]
    assert safe_download_name("../../etc/passwd") == "passwd"
    assert safe_download_name("..\\..\\Windows\\win.ini") == "win.ini"
    assert safe_download_name("x.html") == "x.html"


@pytest.mark.parametrize(
    "digest",
    ["../x", "A" * 64, "abc", "0" * 63, "0" * 65, "0" * 64 + "\n", "../" + "0" * 61, "g" * 64],
)
def test_a_malformed_digest_is_refused_before_touching_the_disk(
    store: EvidenceFiles, digest: str
) -> None:
    """Only 64 lowercase hex digits name a file, so no path can be smuggled in."""
    with pytest.raises(InvalidValue):
        store.open(digest)
    with pytest.raises(InvalidValue):
        store.exists(digest)
    with pytest.raises(InvalidValue):
        store.verify(digest)


def test_a_well_formed_but_unknown_digest_is_not_found(store: EvidenceFiles) -> None:
    """Asking for a digest nobody stored raises NotFound from open and verify."""
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing)
    with pytest.raises(NotFound):
        store.open(missing)
    with pytest.raises(NotFound):
        store.verify(missing)


def test_verify_detects_a_byte_flipped_on_disk(store: EvidenceFiles) -> None:
    """A stored file verifies until one of its bytes is changed behind the store's back."""
    stored = store.put(io.BytesIO(b"chain of custody matters"))
    assert store.verify(stored.sha256)
    path = stored_path(store.root, stored.sha256)
    tampered = bytearray(path.read_bytes())
    tampered[5] ^= 0x01
    path.write_bytes(bytes(tampered))
    assert not store.verify(stored.sha256)


def test_files_and_directories_are_never_executable(store: EvidenceFiles) -> None:
    """Files are written 0o640 and directories 0o750, even under a strict process umask."""
    previous = os.umask(0o077)
    try:
        stored = store.put(io.BytesIO(b"#!/bin/sh\nrm -rf /\n"))
    finally:
        os.umask(previous)
    path = stored_path(store.root, stored.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for directory in (store.root, path.parent.parent, path.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o750


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ('"evil"; filename=x.exe', "evil filename=x.exe"),
        ("Übersicht März.xlsx", "Übersicht März.xlsx"),
        ("日志\r\n.txt", "日志 .txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("..", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        ("dir/", FALLBACK_NAME),
        ("\x00\x01\x7f", FALLBACK_NAME),
        ("a" * 300 + ".pdf", "a" * (MAX_NAME - 4) + ".pdf"),
    ],
)
def test_safe_download_name_cleans_what_a_client_offers(name: str, expected: str) -> None:
    """Directories, quotes, controls and bidi overrides go; letters in any script stay."""
    assert safe_download_name(name) == expected


@settings(max_examples=40, deadline=None)
@given(content=st.binary(max_size=4096))
def test_any_bytes_round_trip(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    """Whatever the bytes, open returns exactly what put stored, under their SHA-256."""
    store = EvidenceFiles(tmp_path_factory.mktemp("evidence"))
    stored = store.put(io.BytesIO(content))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    with store.open(stored.sha256) as handle:
        assert handle.read() == content
    assert store.verify(stored.sha256)


@settings(max_examples=200)
@given(name=st.text())
def test_a_download_name_is_always_safe(name: str) -> None:
    """No separator, quote or control character survives, and the name is short and not empty."""
    safe = safe_download_name(name)
    assert 0 < len(safe) <= MAX_NAME
    assert not {"/", "\\", '"'} & set(safe)
    assert not any(unicodedata.category(char)[0] == "C" for char in safe)
    assert safe.strip(" .") == safe
