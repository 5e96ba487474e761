"""Comparing a parsed sample with its recording (``<sample>.expected.json``)."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.stages.batch import Batch


def assert_as_recorded(batch: Batch, want: dict[str, Any]) -> None:
    """Exactly the recorded events and quarantined rows, and every row read is one or the other."""
    assert batch.events == want["events"]
    got = [
        {"line": q.line, "stage": q.stage, "reason": q.reason, "raw": q.raw}
        for q in batch.quarantined
    ]
    assert got == want["quarantined"]
    assert batch.read == want["read"] == len(batch.events) + len(batch.quarantined)
