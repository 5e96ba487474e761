"""The audit log's keys for tests: fixed, written where a test's settings point, so that a store
opened by a fixture and a desk opened from the settings seal the log with the same key."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tocsin.auth.audit_keys import AuditKeys, Signer
from tocsin.model.audit import AuditKey

AUDIT_KEY = AuditKey(b"the tests' audit key: never a real one")
_PRIVATE = Ed25519PrivateKey.from_private_bytes(b"the tests' checkpoint signing k!")
SIGNER = Signer(_PRIVATE)


def given_keys() -> AuditKeys:
    return AuditKeys.given(AUDIT_KEY, SIGNER)


def write_keys(folder: Path) -> tuple[Path, Path]:
    """The tests' keys as files in ``folder``: the audit key's path and the signing key's."""
    folder.mkdir(parents=True, exist_ok=True)
    mac, signing = folder / "audit.key", folder / "audit-signing.key"
    mac.write_bytes(base64.b64encode(AUDIT_KEY.secret))
    signing.write_bytes(
        _PRIVATE.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return mac, signing
