"""The lifecycle every request for assistance shares, and the closed lists of why one ends unmet.

One workflow (``tocsin.model.workflow``) for every legal basis: draft → awaiting approval →
approved → sent → delivered → acknowledged → in execution → an outcome (preserved, produced, partly
executed, refused with a ground, not executed with a reason, withdrawn) → closed; with a request for
clarification (which pauses the clock) and an extension asked and granted beside the main line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class State(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENT = "sent"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    IN_EXECUTION = "in_execution"
    CLARIFICATION_REQUESTED = "clarification_requested"  # the clock is paused
    EXTENSION_REQUESTED = "extension_requested"
    PRESERVED = "preserved"
    PRODUCED = "produced"
    PARTLY_EXECUTED = "partly_executed"
    REFUSED = "refused"  # with a Ground
    NOT_EXECUTED = "not_executed"  # with a Reason
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: Any) -> State:
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"not a state of a request for assistance ({names})") from None


# WORKFLOW, Ground (refusal grounds) and Reason (non-execution reason codes) are declared below
# by the rules of each instrument, citing their articles.
