"""Where an e-CODEX connector plugs in: the interface a national connector's back-end adapter
implements, and how the evidence it reports moves a message of the exchange log.

Tocsin is not an e-CODEX access point (a gateway, Domibus, speaking ebMS 3.0 / AS4, and a
connector beside it). A desk that must reach the decentralised IT system of Regulation (EU)
2023/1543 (Art. 25; Implementing Regulation (EU) 2025/1550) hands its messages to the connector
its ministry runs, through an adapter with this shape: ``submit`` gives the connector one
business message and returns the first evidence (the submission accepted or rejected);
``receive`` takes what arrived for us; ``evidences`` takes the evidence that came later for what
we sent (relayed, delivered, retrieved, or their failures). The evidence types are ETSI's REM
vocabulary (ETSI EN 319 522, as the e-CODEX connector reports them); ``STATUS`` maps each onto a
message status of the exchange log, and ``advance`` moves a status only forwards, so evidence
that arrives out of order never takes a message back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Status(StrEnum):
    """A message's status in the exchange log (``Message.status``)."""

    QUEUED = "queued"  # waiting in our outbox
    SUBMITTED = "submitted"  # handed to the channel (the connector, or sent to the other Tocsin)
    DELIVERED = "delivered"  # the other side has it (a delivery evidence, a signed receipt)
    FAILED = "failed"  # refused or lost on the way: a person must act
    RECEIVED = "received"  # incoming: it reached us


class EvidenceType(StrEnum):
    """The REM evidence an e-CODEX connector reports for a message."""

    SUBMISSION_ACCEPTANCE = "SUBMISSION_ACCEPTANCE"
    SUBMISSION_REJECTION = "SUBMISSION_REJECTION"
    RELAY_REMMD_ACCEPTANCE = "RELAY_REMMD_ACCEPTANCE"
    RELAY_REMMD_REJECTION = "RELAY_REMMD_REJECTION"
    RELAY_REMMD_FAILURE = "RELAY_REMMD_FAILURE"
    DELIVERY = "DELIVERY"
    NON_DELIVERY = "NON_DELIVERY"
    RETRIEVAL = "RETRIEVAL"
    NON_RETRIEVAL = "NON_RETRIEVAL"

    @property
    def positive(self) -> bool:
        return STATUS[self] is not Status.FAILED


STATUS: dict[EvidenceType, Status] = {
    EvidenceType.SUBMISSION_ACCEPTANCE: Status.SUBMITTED,
    EvidenceType.SUBMISSION_REJECTION: Status.FAILED,
    EvidenceType.RELAY_REMMD_ACCEPTANCE: Status.SUBMITTED,  # relayed to the other gateway
    EvidenceType.RELAY_REMMD_REJECTION: Status.FAILED,
    EvidenceType.RELAY_REMMD_FAILURE: Status.FAILED,
    EvidenceType.DELIVERY: Status.DELIVERED,  # in the recipient's back-end
    EvidenceType.NON_DELIVERY: Status.FAILED,
    EvidenceType.RETRIEVAL: Status.DELIVERED,  # and picked up there
    EvidenceType.NON_RETRIEVAL: Status.FAILED,  # never picked up: someone must call
}

_RANK = {Status.QUEUED: 0, Status.SUBMITTED: 1, Status.DELIVERED: 2, Status.FAILED: 3}


def advance(current: str, evidence: EvidenceType) -> Status:
    """The status after ``evidence``: forwards only (a late SUBMISSION_ACCEPTANCE does not undo
    a DELIVERY); a failure after delivery (NON_RETRIEVAL) still fails it; nothing moves an
    incoming message."""
    now = Status(current)
    if now is Status.RECEIVED:
        return now
    then = STATUS[evidence]
    return then if _RANK[then] > _RANK[now] else now


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ConnectorMessage:
    """One business message as a connector carries it: our message id (the exchange log's nonce),
    the conversation (the request's reference), the AS4 parties, service and action, the business
    document (an ``HI1Message``, ``formats/etsi.py``) and its attachments (the signed form)."""

    message_id: str
    conversation: str
    from_party: str
    to_party: str
    service: str
    action: str
    content_type: str
    content: bytes
    attachments: tuple[Attachment, ...] = ()
    original_sender: str = ""
    final_recipient: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the connector says happened to a message, when (seconds since the epoch), with its
    signed evidence document when it gives one."""

    type: EvidenceType
    message_id: str
    at: int
    detail: str = ""
    document: bytes = field(default=b"", repr=False)


@runtime_checkable
class Connector(Protocol):
    """The back-end side of an e-CODEX connector, as Tocsin calls it."""

    name: str

    def submit(self, message: ConnectorMessage) -> Evidence:
        """Hand ``message`` to the connector: SUBMISSION_ACCEPTANCE or SUBMISSION_REJECTION."""
        ...

    def receive(self) -> Sequence[ConnectorMessage]:
        """The messages that arrived for us since the last call (each once)."""
        ...

    def evidences(self) -> Sequence[Evidence]:
        """The evidence that arrived for our messages since the last call (each once)."""
        ...


__all__ = [
    "STATUS",
    "Attachment",
    "Connector",
    "ConnectorMessage",
    "Evidence",
    "EvidenceType",
    "Status",
    "advance",
]
