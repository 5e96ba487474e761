"""The e-CODEX connector's interface: REM evidence moves a message's status forwards only, and a
back-end adapter with submit/receive/evidences is a Connector."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tocsin.assist.connector import (
    STATUS,
    Connector,
    ConnectorMessage,
    Evidence,
    EvidenceType,
    Status,
    advance,
)


def test_every_rem_evidence_type_has_a_status() -> None:
    """The nine REM types of the connector, each mapped; the negative ones fail the message."""
    assert set(STATUS) == set(EvidenceType) and len(EvidenceType) == 9
    negative = {t.value for t in EvidenceType if not t.positive}
    assert negative == {
        "SUBMISSION_REJECTION",
        "RELAY_REMMD_REJECTION",
        "RELAY_REMMD_FAILURE",
        "NON_DELIVERY",
        "NON_RETRIEVAL",
    }


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (
            [EvidenceType.SUBMISSION_ACCEPTANCE, EvidenceType.RELAY_REMMD_ACCEPTANCE],
            Status.SUBMITTED,
        ),
        ([EvidenceType.SUBMISSION_ACCEPTANCE, EvidenceType.DELIVERY], Status.DELIVERED),
        ([EvidenceType.DELIVERY, EvidenceType.SUBMISSION_ACCEPTANCE], Status.DELIVERED),
        ([EvidenceType.SUBMISSION_REJECTION], Status.FAILED),
        ([EvidenceType.DELIVERY, EvidenceType.NON_RETRIEVAL], Status.FAILED),
        ([EvidenceType.RELAY_REMMD_FAILURE, EvidenceType.DELIVERY], Status.FAILED),
    ],
)
def test_evidence_moves_a_status_forwards_only(
    evidence: list[EvidenceType], expected: Status
) -> None:
    status = Status.QUEUED.value
    for item in evidence:
        status = advance(status, item)
    assert status is expected


def test_an_incoming_message_is_not_moved_by_evidence() -> None:
    assert advance("received", EvidenceType.NON_DELIVERY) is Status.RECEIVED


class Recording:
    """An adapter as a connector's back-end would be written (here, holding what it is given)."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[ConnectorMessage] = []

    def submit(self, message: ConnectorMessage) -> Evidence:
        self.sent.append(message)
        kind = EvidenceType.SUBMISSION_ACCEPTANCE if message.content else None
        return Evidence(kind or EvidenceType.SUBMISSION_REJECTION, message.message_id, 10)

    def receive(self) -> Sequence[ConnectorMessage]:
        return ()

    def evidences(self) -> Sequence[Evidence]:
        return ()


def test_an_adapter_with_the_three_calls_is_a_connector() -> None:
    adapter = Recording()
    assert isinstance(adapter, Connector)
    assert not isinstance(object(), Connector)
    message = ConnectorMessage("n1", "RFA-2026-0001", "FR", "IE", "EPOC", "Form1", "x", b"{}")
    assert advance("queued", adapter.submit(message).type) is Status.SUBMITTED
    empty = ConnectorMessage("n2", "RFA-2026-0001", "FR", "IE", "EPOC", "Form1", "x", b"")
    assert advance("queued", adapter.submit(empty).type) is Status.FAILED
