"""Retention: how long each kind of record is kept, and what a purge found (pure records).

The kinds, and from when each is counted:

- ``events``: the event's own time (``time.source``, else ``time.observation``);
- ``raw``: when a collector fetched the object (the archive under ``data_dir/raw``);
- ``quarantine``: when the row was quarantined;
- ``reporters``: when the case of the public's report was closed (the identity is replaced by a
  tombstone; the report stays, so it is still counted);
- ``evidence``: when its incident was closed (the file and its custody go).

Whatever is linked to an incident that is not closed is kept, however old.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("events", "raw", "quarantine", "reporters", "evidence")
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Expiring:
    """One kind's records older than its cut-off: how many, and when the oldest was."""

    kind: str
    days: int  # the kind's retention; 0: kept for ever (nothing expires)
    cutoff: int  # seconds since the epoch: what is older goes
    count: int
    oldest: int | None  # None when nothing expires


TOMBSTONE = {"removed": "retention"}  # a reporter's contact once their identity has expired


__all__ = ["DAY", "KINDS", "TOMBSTONE", "Expiring"]
