"""Signed envelopes: what one Tocsin seals the other opens, and every kind of forgery is refused
with its own error."""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from tocsin.auth.envelopes import (
    BadSignature,
    ExchangeKey,
    Malformed,
    OutOfWindow,
    Replayed,
    UnknownSender,
    WrongRecipient,
    canonical,
    exchange_key,
    issued_seconds,
    open_envelope,
    seal,
)
from tocsin.errors import ConfigError

NOW = 1_795_830_000  # 2026-11-28T01:40:00Z
PAYLOAD = {"ref": "RFA-2026-0001", "basis": "BC-29", "title": "Préservation", "count": 2}


@pytest.fixture(scope="module")
def ours() -> ExchangeKey:
    return ExchangeKey.generate()


def keys_of(**known: ExchangeKey) -> Any:
    return lambda sender: known[sender].public_text if sender in known else None


def never(nonce: str) -> bool:
    return False


def sealed(key: ExchangeKey, **overrides: Any) -> dict[str, Any]:
    return seal(PAYLOAD, "request", "FR-CSIRT", "BE-CSIRT", key, NOW, **overrides)


def test_what_is_sealed_opens_with_the_senders_key(ours: ExchangeKey) -> None:
    """An envelope opened at once gives back its payload, kind and parties, and its nonce is 22
    base64url characters (128 bits); the time is UTC with Z."""
    data = sealed(ours)
    opened = open_envelope(
        json.loads(json.dumps(data)),
        keys_of(**{"FR-CSIRT": ours}),
        NOW,
        never,
        recipient="BE-CSIRT",
    )
    assert opened.payload == PAYLOAD and opened.kind == "request"
    assert (opened.sender, opened.recipient) == ("FR-CSIRT", "BE-CSIRT")
    assert len(opened.nonce) == 22 and opened.issued_at == "2026-11-28T01:40:00Z"
    assert issued_seconds(opened.issued_at) == NOW
    assert sealed(ours)["nonce"] != data["nonce"]


def test_the_canonical_encoding_sorts_keys_and_has_no_spaces() -> None:
    """Keys sorted at every level, no whitespace, UTF-8 as itself; NaN refused."""
    assert (
        canonical({"b": 1, "a": {"d": "é", "c": [1, 2]}})
        == '{"a":{"c":[1,2],"d":"é"},"b":1}'.encode()
    )
    with pytest.raises(ValueError):
        canonical({"x": float("nan")})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payload", {**PAYLOAD, "count": 3}),
        ("kind", "answer"),
        ("recipient", "DE-CSIRT"),
        ("issued_at", "2026-11-28T01:40:01Z"),
        ("nonce", "A" * 22),
    ],
)
def test_a_changed_field_breaks_the_signature(ours: ExchangeKey, field: str, value: Any) -> None:
    """One field changed on the way, whichever, and the signature no longer matches."""
    data = copy.deepcopy(sealed(ours))
    data[field] = value
    with pytest.raises(BadSignature, match="FR-CSIRT"):
        open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, never)


def test_a_signature_by_another_key_is_refused(ours: ExchangeKey) -> None:
    """A sender claiming to be FR-CSIRT but signing with another key is refused."""
    data = sealed(ExchangeKey.generate())
    with pytest.raises(BadSignature):
        open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, never)


def test_an_unknown_sender_is_refused(ours: ExchangeKey) -> None:
    with pytest.raises(UnknownSender, match="FR-CSIRT"):
        open_envelope(sealed(ours), keys_of(), NOW, never)


def test_an_envelope_for_someone_else_is_refused(ours: ExchangeKey) -> None:
    with pytest.raises(WrongRecipient, match="BE-CSIRT"):
        open_envelope(sealed(ours), keys_of(**{"FR-CSIRT": ours}), NOW, never, recipient="NL-NCSC")


@pytest.mark.parametrize(
    ("shift", "refused"), [(-301, True), (-300, False), (300, False), (301, True)]
)
def test_the_time_window_is_five_minutes_either_side(
    ours: ExchangeKey, shift: int, refused: bool
) -> None:
    """Issued more than 300 s before or after now: refused; at the edge: opened."""
    data = seal(PAYLOAD, "status", "FR-CSIRT", "BE-CSIRT", ours, NOW + shift)
    if refused:
        with pytest.raises(OutOfWindow):
            open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, never)
    else:
        assert open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, never).kind == "status"


def test_the_window_is_configurable(ours: ExchangeKey) -> None:
    data = seal(PAYLOAD, "status", "FR-CSIRT", "BE-CSIRT", ours, NOW - 100)
    with pytest.raises(OutOfWindow):
        open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, never, window=60)


def test_a_nonce_seen_already_is_a_replay(ours: ExchangeKey) -> None:
    """The same envelope twice: the second is refused once its nonce is recorded."""
    data = sealed(ours)
    seen: set[str] = set()
    first = open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW, seen.__contains__)
    seen.add(first.nonce)
    with pytest.raises(Replayed, match=first.nonce):
        open_envelope(data, keys_of(**{"FR-CSIRT": ours}), NOW + 10, seen.__contains__)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"sender": "FR"}, "no recipient"),
        ("{}", "JSON object"),
    ],
)
def test_a_malformed_envelope_is_refused(data: Any, message: str) -> None:
    with pytest.raises(Malformed, match=message):
        open_envelope(data, keys_of(), NOW, never)


def test_malformed_fields_are_named(ours: ExchangeKey) -> None:
    """A wrong kind, a short nonce, a local time, an extra field: each named."""
    keys = keys_of(**{"FR-CSIRT": ours})
    cases = [
        ({"kind": "gossip"}, "kind"),
        ({"nonce": "abc"}, "nonce"),
        ({"payload": [1]}, "payload"),
        ({"extra": 1}, "unknown fields: extra"),
    ]
    for change, message in cases:
        data = {**sealed(ours), **change}
        with pytest.raises(Malformed, match=message):
            open_envelope(data, keys, NOW, never)
    local = {**sealed(ours), "issued_at": "2026-11-28T02:40:00+01:00"}
    with pytest.raises((Malformed, BadSignature)):
        open_envelope(local, keys, NOW, never)


def test_sealing_refuses_unknown_kinds_and_bad_parties(ours: ExchangeKey) -> None:
    with pytest.raises(ValueError, match="kind"):
        seal(PAYLOAD, "gossip", "FR-CSIRT", "BE-CSIRT", ours, NOW)
    with pytest.raises(ValueError, match="recipient"):
        seal(PAYLOAD, "request", "FR-CSIRT", "", ours, NOW)


def test_the_exchange_key_file_is_made_once_for_its_owner(tmp_path: Path) -> None:
    """Made 0600 on first use, the same key read back after; a bad file is a ConfigError."""
    path = tmp_path / "keys" / "exchange.key"
    key = exchange_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert exchange_key(path).public_text == key.public_text
    data = seal(PAYLOAD, "answer", "FR-CSIRT", "BE-CSIRT", exchange_key(path), NOW)
    assert open_envelope(data, keys_of(**{"FR-CSIRT": key}), NOW, never).kind == "answer"
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"not a key")
    with pytest.raises(ConfigError, match="exchange key"):
        exchange_key(bad)
    with pytest.raises(ConfigError):
        exchange_key(tmp_path / "missing.key", create=False)
