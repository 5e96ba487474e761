"""Signed checkpoints of the audit log: "the log reached entry ``seq`` and its head was ``head``",
signed with an Ed25519 key and kept outside the database, one JSON line each.

The chain alone cannot tell a log cut short at its end from a shorter log: what is left still
verifies. A checkpoint can: ``verify`` (``tocsin.model.audit``) compares the log with every
checkpoint and names the log TRUNCATED when it ends before the latest one, or REWRITTEN when the
entry a checkpoint names has another hash. Signatures are checked by a function handed in, so this
module stays free of any cryptography library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

import orjson

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # the last entry covered
    head: str  # its hash
    at: int  # when, from the injected clock (seconds since the epoch)
    keyed_from: int | None  # the first entry sealed with the audit key (None: none yet)
    key: str  # the id of the signing key
    mac_key: str  # the id of the audit key the chain is sealed with
    signature: str = ""

    def message(self) -> bytes:
        """The bytes signed: every field but the signature, in one canonical form."""
        fields = asdict(self)
        del fields["signature"]
        return orjson.dumps(
            {"tocsin-audit-checkpoint": FORMAT, **fields}, option=orjson.OPT_SORT_KEYS
        )

    def signed(self, sign: Callable[[bytes], str]) -> Checkpoint:
        return replace(self, signature=sign(self.message()))

    def line(self) -> str:
        return orjson.dumps(asdict(self), option=orjson.OPT_SORT_KEYS).decode()


def parse(line: str) -> Checkpoint:
    """A checkpoint from its line; ``ValueError`` when it is not one."""
    try:
        data: Any = orjson.loads(line)
        checkpoint = Checkpoint(**data)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"not a checkpoint: {exc}") from None
    ints = (checkpoint.seq, checkpoint.at)
    texts = (checkpoint.head, checkpoint.key, checkpoint.mac_key, checkpoint.signature)
    if not all(type(n) is int for n in ints) or not all(isinstance(t, str) for t in texts):
        raise ValueError("not a checkpoint: a field of the wrong type")
    if checkpoint.keyed_from is not None and type(checkpoint.keyed_from) is not int:
        raise ValueError("not a checkpoint: keyed_from is not a number")
    return checkpoint


class CheckpointError(ValueError):
    """A checkpoint that is unreadable, unsigned by the key, or out of order."""


def read(lines: Iterable[str], verify: Callable[[bytes, str], bool]) -> list[Checkpoint]:
    """Every checkpoint of a file's lines, each signature checked, in order; the first line that
    fails raises ``CheckpointError`` naming it (line numbers count from 1)."""
    found: list[Checkpoint] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoint = parse(line)
        except ValueError as exc:
            raise CheckpointError(f"checkpoint line {number} is unreadable ({exc})") from None
        if not verify(checkpoint.message(), checkpoint.signature):
            raise CheckpointError(f"checkpoint line {number} has no valid signature")
        if found and checkpoint.seq < found[-1].seq:
            raise CheckpointError(
                f"checkpoint line {number} goes back to entry {checkpoint.seq} "
                f"after entry {found[-1].seq}"
            )
        found.append(checkpoint)
    return found


__all__ = ["Checkpoint", "CheckpointError", "parse", "read"]
