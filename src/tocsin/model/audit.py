"""The tamper-evident audit log: each entry's hash covers its content and the previous hash.

Altering an entry changes its hash; removing one leaves a gap in the sequence; reordering breaks
the link to the previous hash. ``verify`` names the first entry where any of that happened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: int
    actor: str
    action: str  # e.g. incident.create, incident.transition, user.disable, token.revoke
    object_type: str
    object_id: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""


def entry_hash(
    prev_hash: str,
    seq: int,
    at: int,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
) -> str:
    body = orjson.dumps(
        [seq, at, actor, action, object_type, object_id, details], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


def chain(previous: AuditEntry | None, **content: Any) -> AuditEntry:
    """The next entry after ``previous`` (None for the first), hashed."""
    seq = previous.seq + 1 if previous else 1
    prev_hash = previous.hash if previous else GENESIS
    details = content.get("details") or {}
    digest = entry_hash(
        prev_hash,
        seq,
        content["at"],
        content["actor"],
        content["action"],
        content["object_type"],
        str(content["object_id"]),
        details,
    )
    return AuditEntry(
        seq,
        content["at"],
        content["actor"],
        content["action"],
        content["object_type"],
        str(content["object_id"]),
        details,
        prev_hash,
        digest,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str = ""


def verify(entries: Iterable[AuditEntry]) -> Verdict:
    """Walk the log in sequence order; report the first entry altered, removed or reordered."""
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return Verdict(False, checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return Verdict(False, checked, entry.seq, "does not follow the entry before it")
        digest = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.details,
        )
        if digest != entry.hash:
            return Verdict(False, checked, entry.seq, "its content was altered")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return Verdict(True, checked)
