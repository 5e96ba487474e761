"""What the yearly figures of requests for assistance read: the requests issued in a span of
time, the requests that follow them up, and the steps of many requests at once.

Times handed in are Unix seconds; records come back as ``tocsin.model.assist.request`` records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tocsin.model.assist.request import Request, Step


@runtime_checkable
class AssistFiguresStore(Protocol):
    def issued_between(self, start: int, end: int, org_id: int | None = None) -> list[Request]:
        """The requests sent in ``[start, end)`` (one never sent: received in it), of the team
        ``org_id`` (None: every team), and the requests that follow them up, by id."""
        ...

    def steps_of(self, request_ids: Sequence[int]) -> dict[int, list[Step]]:
        """Each request's steps, oldest first (a request without any is absent)."""
        ...
