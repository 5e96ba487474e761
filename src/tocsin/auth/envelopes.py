"""Signed envelopes for Tocsin-to-Tocsin exchange: Ed25519 over a canonical JSON encoding.

An envelope is one JSON object with seven fields::

    {"sender": "FR-CSIRT", "recipient": "BE-CSIRT", "kind": "request",
     "nonce": "<128 random bits, base64url, no padding>", "issued_at": "2026-11-28T01:40:00Z",
     "payload": {...}, "signature": "<Ed25519 signature, base64>"}

The signature covers the *canonical encoding* of the six other fields: the JSON object with its
keys sorted at every level, no whitespace (``,`` and ``:`` as separators), non-ASCII characters
written as themselves, encoded in UTF-8, NaN and infinities refused. Both sides compute the same
bytes from the same values, so a payload that changes by one character on the way no longer
matches its signature. Payloads should carry text and integers (not floats) so that every
implementation writes them the same way.

``open_envelope`` refuses, each with its own error: a malformed envelope, one addressed to
someone else, an unknown sender (no key registered for it), a bad signature (a tampered field),
an ``issued_at`` outside the window around now (±5 minutes unless told otherwise), and a nonce
already seen (a replay). It only *asks* whether a nonce was seen: recording it is the caller's
work, in the same transaction as the message it stores, so that two deliveries at once cannot
both pass.

Keys: our own Ed25519 key is kept in a file (PKCS#8 PEM, ``auth/key_files.py``: made on first
use, owner-only); a counterpart's public key is registered as base64 of its 32 raw bytes, the form
``public_text`` gives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tocsin.auth.key_files import read_key_file
from tocsin.errors import ConfigError, TocsinError

KINDS = ("request", "acknowledgement", "status", "answer", "receipt")
WINDOW = 300  # seconds either side of now that an envelope's issued_at may differ by
FIELDS = ("sender", "recipient", "kind", "nonce", "issued_at", "payload")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 bytes in base64url without padding
_ISSUED = "%Y-%m-%dT%H:%M:%SZ"
_PARTY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


class EnvelopeRefused(TocsinError):
    """An envelope that is not opened; ``reason`` says why in one word."""

    reason = "refused"


class Malformed(EnvelopeRefused):
    reason = "malformed"


class WrongRecipient(EnvelopeRefused):
    reason = "recipient"


class UnknownSender(EnvelopeRefused):
    reason = "sender"


class BadSignature(EnvelopeRefused):
    reason = "signature"


class OutOfWindow(EnvelopeRefused):
    reason = "time"


class Replayed(EnvelopeRefused):
    reason = "replay"


def canonical(data: Any) -> bytes:
    """The one encoding signatures are computed over (see the module's text)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def issued_text(now: int) -> str:
    """``now`` (seconds since the epoch) as UTC ISO 8601 with ``Z``."""
    return datetime.fromtimestamp(now, UTC).strftime(_ISSUED)


def issued_seconds(text: str) -> int:
    """The seconds since the epoch an ``issued_at`` says; ``ValueError`` unless UTC with ``Z``."""
    return int(datetime.strptime(text, _ISSUED).replace(tzinfo=UTC).timestamp())


def new_nonce() -> str:
    """128 random bits, base64url without padding (22 characters)."""
    return secrets.token_urlsafe(16)


class ExchangeKey:
    """Our own Ed25519 key: signs envelopes; ``public_text`` is what counterparts register."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_text = base64.b64encode(raw).decode()
        self.id = hashlib.sha256(raw).hexdigest()[:16]
        self.party = party_of(self.public_text)

    @classmethod
    def generate(cls) -> ExchangeKey:
        return cls(Ed25519PrivateKey.generate())

    def __repr__(self) -> str:
        return f"ExchangeKey({self.id})"

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private.sign(message)).decode()


def _new_key_file() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def exchange_key(path: Path, *, create: bool = True) -> ExchangeKey:
    """Our exchange key from ``path`` (PKCS#8 PEM; made there when missing and ``create``)."""
    pem = read_key_file(path, "exchange key", _new_key_file if create else None)
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"the exchange key at {path} is not a PEM key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"the exchange key at {path} is not an Ed25519 key")
    return ExchangeKey(private)


def party_of(public_text: str) -> str:
    """The identifier of the Tocsin whose public key is ``public_text``: the key's SHA-256, its
    first 128 bits in hex. So a counterpart's registered key is all it takes to know who sent an
    envelope; ``ValueError`` if the text is not an Ed25519 public key."""
    public_key(public_text)
    raw = base64.b64decode(public_text.strip(), validate=True)
    return hashlib.sha256(raw).hexdigest()[:32]


class KeyFile:
    """Our exchange key, read (or made) from its file the first time it is asked for, so that a
    Tocsin that never exchanges never makes one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: ExchangeKey | None = None

    def __repr__(self) -> str:
        return f"KeyFile({self.path})"

    def __call__(self) -> ExchangeKey:
        if self._key is None:
            self._key = exchange_key(self.path)
        return self._key


def public_key(text: str) -> Ed25519PublicKey:
    """A counterpart's registered key (base64 of 32 raw bytes); ``ValueError`` if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True, slots=True)
class Envelope:
    """An envelope opened: every field checked."""

    sender: str
    recipient: str
    kind: str
    nonce: str
    issued_at: str
    payload: Mapping[str, Any]
    signature: str

    def as_json(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "recipient": self.recipient,
            "kind": self.kind,
            "nonce": self.nonce,
            "issued_at": self.issued_at,
            "payload": dict(self.payload),
            "signature": self.signature,
        }


def seal(
    payload: Mapping[str, Any],
    kind: str,
    sender: str,
    recipient: str,
    key: ExchangeKey,
    now: int,
    *,
    nonce: str | None = None,
) -> dict[str, Any]:
    """The envelope of ``payload`` from ``sender`` to ``recipient``, signed with ``key`` at
    ``now`` (seconds since the epoch), with a fresh nonce unless one is given."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of envelope ({', '.join(KINDS)})")
    for name, party in (("sender", sender), ("recipient", recipient)):
        if not _PARTY.match(party):
            raise ValueError(f"{name}: not an identifier of a Tocsin")
    body: dict[str, Any] = {
        "sender": sender,
        "recipient": recipient,
        "kind": kind,
        "nonce": nonce or new_nonce(),
        "issued_at": issued_text(now),
        "payload": dict(payload),
    }
    body["signature"] = key.sign(canonical(body))
    return body


def _shape(data: Any) -> Envelope:
    """The envelope's fields, each of its type; ``Malformed`` naming the first that is not."""
    if not isinstance(data, Mapping):
        raise Malformed("an envelope is a JSON object")
    extra = set(data) - {*FIELDS, "signature"}
    if extra:
        raise Malformed(f"unknown fields: {', '.join(sorted(map(str, extra)))}")
    for name in (*FIELDS, "signature"):
        if name not in data:
            raise Malformed(f"no {name}")
        wanted = dict if name == "payload" else str
        if not isinstance(data[name], wanted):
            raise Malformed(f"{name}: not a {'JSON object' if wanted is dict else 'string'}")
    if data["kind"] not in KINDS:
        raise Malformed(f"kind: not one of {', '.join(KINDS)}")
    if not _NONCE.match(data["nonce"]):
        raise Malformed("nonce: not 128 bits in base64url")
    return Envelope(**{name: data[name] for name in (*FIELDS, "signature")})


def _verify(envelope: Envelope, key_text: str) -> None:
    try:
        key = public_key(key_text)
        signature = base64.b64decode(envelope.signature, validate=True)
        unsigned = {name: getattr(envelope, name) for name in FIELDS}
        key.verify(signature, canonical(unsigned))
    except (InvalidSignature, ValueError, binascii.Error):
        raise BadSignature(
            f"the signature does not match the envelope from {envelope.sender}"
        ) from None


def _in_window(envelope: Envelope, now: int, window: int) -> None:
    try:
        issued = issued_seconds(envelope.issued_at)
    except ValueError:
        raise Malformed("issued_at: not UTC ISO 8601 with Z") from None
    if abs(issued - now) > window:
        raise OutOfWindow(
            f"issued at {envelope.issued_at}, more than {window} seconds from now "
            f"({issued_text(now)})"
        )


def open_envelope(
    data: Any,
    sender_public_key: Callable[[str], str | None],
    now: int,
    seen: Callable[[str], bool],
    *,
    recipient: str | None = None,
    window: int = WINDOW,
) -> Envelope:
    """The envelope ``data`` checked: its shape, that it is for ``recipient`` (when given), that
    its sender has a key (``sender_public_key(sender)``, ``None`` when unknown), its signature,
    its time within ``window`` seconds of ``now`` and its nonce not ``seen``. Each refusal is an
    ``EnvelopeRefused`` of its own class."""
    envelope = _shape(data)
    if recipient is not None and envelope.recipient != recipient:
        raise WrongRecipient(f"the envelope is for {envelope.recipient}, not for {recipient}")
    key_text = sender_public_key(envelope.sender)
    if not key_text:
        raise UnknownSender(f"no key is registered for the sender {envelope.sender}")
    _verify(envelope, key_text)
    _in_window(envelope, now, window)
    if seen(envelope.nonce):
        raise Replayed(f"the nonce {envelope.nonce} from {envelope.sender} was seen already")
    return envelope


__all__ = [
    "KINDS",
    "WINDOW",
    "BadSignature",
    "Envelope",
    "EnvelopeRefused",
    "ExchangeKey",
    "KeyFile",
    "Malformed",
    "OutOfWindow",
    "Replayed",
    "UnknownSender",
    "WrongRecipient",
    "canonical",
    "exchange_key",
    "issued_seconds",
    "issued_text",
    "new_nonce",
    "open_envelope",
    "party_of",
    "public_key",
    "seal",
]
