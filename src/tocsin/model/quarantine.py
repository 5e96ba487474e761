"""A row that could not become an event, kept with its place and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A row that could not become an event: where it was, its raw text, which stage, and why."""

    feed: str
    file: str
    line: int
    raw: str
    stage: str
    reason: str
