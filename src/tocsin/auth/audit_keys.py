"""The audit log's two keys, each in its own file outside the database: the key the chain is
sealed with (HMAC-SHA256) and the Ed25519 key its checkpoints are signed with.

A missing key file is created on first use, readable by its owner only, atomically
(``auth/key_files.py``), so two processes starting together end up with the same key. Neither
key is ever logged or shown: only its id (a digest prefix) is.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tocsin.auth.key_files import read_key_file
from tocsin.errors import ConfigError
from tocsin.model.audit import AuditKey


def mac_key(path: Path, *, create: bool = True) -> AuditKey:
    """The key the audit chain is sealed with, from ``path`` (created when missing and
    ``create``)."""
    text = read_key_file(path, "audit key", _new_mac_key if create else None).strip()
    try:
        return AuditKey(base64.b64decode(text, validate=True))
    except ValueError:
        raise ConfigError(f"the audit key at {path} is not 32+ bytes in base64") from None


def _new_mac_key() -> bytes:
    return base64.b64encode(secrets.token_bytes(32)) + b"\n"


def _new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class Signer:
    """The Ed25519 key checkpoints are signed with."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = Verifier(private.public_key())

    def __repr__(self) -> str:
        return f"Signer(key {self.public.id})"

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private.sign(message)).decode()


class Verifier:
    """The public half: checks a checkpoint's signature."""

    def __init__(self, public: Ed25519PublicKey) -> None:
        self._public = public
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.id = hashlib.sha256(raw).hexdigest()[:16]

    def verify(self, message: bytes, signature: str) -> bool:
        try:
            self._public.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True


def signing_key(path: Path, *, create: bool = True) -> Signer:
    """The checkpoints' signing key, from ``path`` (PKCS#8 PEM; created when missing and
    ``create``)."""
    pem = read_key_file(path, "audit signing key", _new_signing_key if create else None)
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"the audit signing key at {path} is not an Ed25519 PEM key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"the audit signing key at {path} is not an Ed25519 key")
    return Signer(private)


class AuditKeys:
    """Both keys, each read (or made) from its file the first time it is needed, so that a
    command that never touches the audit log never creates them."""

    def __init__(self, mac_path: Path, signing_path: Path) -> None:
        self.mac_path = mac_path
        self.signing_path = signing_path
        self._mac: AuditKey | None = None
        self._signer: Signer | None = None

    @classmethod
    def given(cls, mac: AuditKey, signer: Signer) -> AuditKeys:
        """Keys already in hand (tests, tools)."""
        keys = cls(Path("-"), Path("-"))
        keys._mac, keys._signer = mac, signer
        return keys

    def __repr__(self) -> str:
        return f"AuditKeys({self.mac_path}, {self.signing_path})"

    def mac(self, *, create: bool = True) -> AuditKey:
        """The audit key (made when missing, unless not ``create``: then a ``ConfigError``)."""
        if self._mac is None:
            self._mac = mac_key(self.mac_path, create=create)
        return self._mac

    def signer(self, *, create: bool = True) -> Signer:
        """The signing key (made when missing, unless not ``create``: then a ``ConfigError``)."""
        if self._signer is None:
            self._signer = signing_key(self.signing_path, create=create)
        return self._signer


__all__ = ["AuditKeys", "Signer", "Verifier", "mac_key", "signing_key"]
