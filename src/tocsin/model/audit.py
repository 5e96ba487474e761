"""The tamper-evident audit log: each entry's MAC covers its content and the previous entry's.

An entry is sealed with HMAC-SHA256 under the audit key, a key kept outside the database (see
docs/audit.md): someone who can write to the database but does not hold the key can neither alter
an entry nor recompute the chain after removing or changing one. Entries written before Tocsin had
the key (``PUBLIC``) were chained with plain SHA-256; they stay as written, and the keyed chain
(``KEYED``) follows on from the last of them. ``verify`` names the first entry altered, removed,
reordered or rewritten; a log cut short at its end is caught against a signed checkpoint
(``tocsin.model.checkpoint``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from tocsin.model.checkpoint import Checkpoint

GENESIS = "0" * 64
PUBLIC = 1  # plain SHA-256 over the previous hash and the content: anyone can recompute it
KEYED = 2  # HMAC-SHA256 under the audit key


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The key the chain is sealed with; never stored in the database, logged or shown."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise ValueError("the audit key must hold at least 32 bytes")

    @property
    def id(self) -> str:
        """A short name for the key that says nothing about it (which key sealed a chain)."""
        return hashlib.sha256(b"tocsin audit key\0" + self.secret).hexdigest()[:16]


# What a store is handed to seal entries with: the key, or a function that reads it when the first
# entry is appended (so that opening a store for reading never makes a key).
AuditKeySource = AuditKey | Callable[[], AuditKey]


def key_of(source: AuditKeySource) -> AuditKey:
    return source if isinstance(source, AuditKey) else source()


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
    version: int = KEYED


def entry_hash(
    prev_hash: str,
    seq: int,
    at: int,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    *,
    key: AuditKey | None = None,
) -> str:
    """The seal of one entry: HMAC-SHA256 under ``key``, or (``key`` None) the plain SHA-256 the
    entries written before the key were chained with. The keyed body names its version, so an
    entry cannot be passed off as the other kind."""
    content = [seq, at, actor, action, object_type, object_id, details]
    if key is None:
        body = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(prev_hash.encode() + body).hexdigest()
    body = orjson.dumps([KEYED, *content], option=orjson.OPT_SORT_KEYS)
    return hmac.new(key.secret, prev_hash.encode() + body, hashlib.sha256).hexdigest()


def seal_of(entry: AuditEntry, key: AuditKey | None) -> str:
    """What ``entry``'s hash must be: keyed for a ``KEYED`` entry, plain for a ``PUBLIC`` one."""
    return entry_hash(
        entry.prev_hash,
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.details,
        key=key if entry.version == KEYED else None,
    )


def chain(previous: AuditEntry | None, key: AuditKey, **content: Any) -> AuditEntry:
    """The next entry after ``previous`` (None for the first), sealed with ``key``."""
    entry = AuditEntry(
        previous.seq + 1 if previous else 1,
        content["at"],
        content["actor"],
        content["action"],
        content["object_type"],
        str(content["object_id"]),
        content.get("details") or {},
        previous.hash if previous else GENESIS,
        "",
        KEYED,
    )
    return AuditEntry(**{**_fields(entry), "hash": seal_of(entry, key)})


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in AuditEntry.__slots__}


class Failure(StrEnum):
    """How a log fails its check, each named in one word on the command line."""

    MISSING = "GAP"  # an entry removed from the middle
    REWRITTEN = "REWRITTEN"  # an entry altered, reordered, or the chain recomputed without the key
    TRUNCATED = "TRUNCATED"  # entries removed from the end (seen against a checkpoint)
    CHECKPOINT = "CHECKPOINT"  # a checkpoint whose signature or order does not hold
    UNANCHORED = "UNANCHORED"  # entries that no checkpoint covers at all
    NO_KEY = "NO KEY"  # keyed entries, and no key to check them with


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str = ""
    failure: Failure | None = None
    head: str | None = None  # the hash of the last entry checked
    keyed_from: int | None = None  # the first entry sealed with the key


@dataclass
class _Walk:
    expected_seq: int = 1
    prev_hash: str = GENESIS
    checked: int = 0
    keyed_from: int | None = None

    def bad(self, failure: Failure, seq: int, reason: str) -> Verdict:
        return Verdict(False, self.checked, seq, reason, failure, self.head, self.keyed_from)

    @property
    def last_seq(self) -> int:
        return self.expected_seq - 1

    @property
    def head(self) -> str | None:
        return self.prev_hash if self.last_seq else None


def verify(
    entries: Iterable[AuditEntry],
    key: AuditKey | None,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    after: Checkpoint | None = None,
) -> Verdict:
    """Walk the log in sequence order; report the first entry altered, removed, reordered or
    rewritten, then a log that ends before the last of the (signature-checked) ``checkpoints``.
    An entry a checkpoint names must have the hash it recorded; from the checkpoints' ``keyed_from``
    on, every entry must be keyed, as must every entry after a keyed one. With ``after``, the
    entries are those following that checkpoint, and the first must follow on from its head."""
    anchors = [*checkpoints, *([after] if after else [])]
    keyed_from = min((c.keyed_from for c in anchors if c.keyed_from is not None), default=None)
    heads = {c.seq: c.head for c in checkpoints}
    walk = _Walk(after.seq + 1, after.head, 0, after.keyed_from) if after else _Walk()
    for entry in entries:
        failure = _check(walk, entry, key, keyed_from)
        if failure is None and heads.get(entry.seq, entry.hash) != entry.hash:
            failure = walk.bad(
                Failure.REWRITTEN, entry.seq, "it differs from the checkpoint that names it"
            )
        if failure is not None:
            return failure
        if entry.version == KEYED and walk.keyed_from is None:
            walk.keyed_from = entry.seq
        walk.prev_hash = entry.hash
        walk.expected_seq += 1
        walk.checked += 1
    if checkpoints and walk.last_seq < checkpoints[-1].seq:
        last = checkpoints[-1]
        return walk.bad(
            Failure.TRUNCATED,
            walk.expected_seq,
            f"a checkpoint says the log reached entry {last.seq} (head {last.head[:16]}…), "
            f"and it ends at entry {walk.last_seq}",
        )
    return Verdict(True, walk.checked, head=walk.head, keyed_from=walk.keyed_from)


def _check(
    walk: _Walk, entry: AuditEntry, key: AuditKey | None, keyed_from: int | None
) -> Verdict | None:
    if entry.seq != walk.expected_seq:
        return walk.bad(Failure.MISSING, walk.expected_seq, f"entry {walk.expected_seq} is missing")
    if entry.prev_hash != walk.prev_hash:
        return walk.bad(Failure.REWRITTEN, entry.seq, "does not follow the entry before it")
    if entry.version != KEYED and (
        walk.keyed_from is not None or (keyed_from is not None and entry.seq >= keyed_from)
    ):
        return walk.bad(Failure.REWRITTEN, entry.seq, "it is unkeyed inside the keyed chain")
    if entry.version not in (PUBLIC, KEYED):
        return walk.bad(Failure.REWRITTEN, entry.seq, f"unknown chain version {entry.version}")
    if entry.version == KEYED and key is None:
        return walk.bad(Failure.NO_KEY, entry.seq, "it is keyed and no audit key was given")
    if not hmac.compare_digest(seal_of(entry, key), entry.hash):
        return walk.bad(
            Failure.REWRITTEN, entry.seq, "its content was altered or its MAC recomputed"
        )
    return None
