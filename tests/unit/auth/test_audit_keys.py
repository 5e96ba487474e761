"""The audit log's keys live in files outside the database, made once, readable by their owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tocsin.auth.audit_keys import AuditKeys, mac_key, signing_key
from tocsin.errors import ConfigError


def test_the_audit_key_is_made_once_for_its_owner_only(tmp_path: Path) -> None:
    """A missing key file is made 0600 in a new 0700 folder, and read back the same after."""
    path = tmp_path / "keys" / "audit.key"
    first = mac_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert mac_key(path) == first and len(first.secret) == 32
    assert first.secret.hex() not in repr(first)


def test_the_signing_key_is_made_once_and_signs(tmp_path: Path) -> None:
    """The Ed25519 key is made 0600; what it signs verifies under its public half, and a changed
    message does not."""
    path = tmp_path / "signing.key"
    signer = signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = signing_key(path)
    assert again.public.id == signer.public.id
    signature = signer.sign(b"entry 7")
    assert again.public.verify(b"entry 7", signature)
    assert not again.public.verify(b"entry 8", signature)
    assert not again.public.verify(b"entry 7", "not base64!")


def test_keys_are_not_made_before_they_are_needed(tmp_path: Path) -> None:
    """AuditKeys reads (or makes) a file the first time its key is asked for, not before."""
    keys = AuditKeys(tmp_path / "a.key", tmp_path / "s.key")
    assert not (tmp_path / "a.key").exists()
    keys.mac()
    assert (tmp_path / "a.key").exists() and not (tmp_path / "s.key").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"short", "32\\+ bytes"), (b"-----BEGIN PRIVATE KEY-----\nxx\n", "32\\+ bytes")],
)
def test_an_unusable_audit_key_file_is_a_config_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """A key file that is not 32+ bytes of base64 stops Tocsin with a clear message."""
    path = tmp_path / "audit.key"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        mac_key(path)


def test_a_missing_key_is_not_made_when_asked_not_to(tmp_path: Path) -> None:
    """Reading without making: a missing file is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="cannot read the audit key"):
        mac_key(tmp_path / "none.key", create=False)
    with pytest.raises(ConfigError, match="not an Ed25519"):
        (tmp_path / "bad.key").write_bytes(b"nope")
        signing_key(tmp_path / "bad.key")
