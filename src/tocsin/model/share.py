"""Sharing with partner teams: collections, agreements, releases, and the TLP rules that decide
what may leave (TLP 2.0, docs/standards.md §3).

- A *collection* is a TAXII 2.1 collection: a named set of STIX objects.
- An *agreement* says what one partner organisation may do with one collection: read, write, up to
  which TLP, and whether a lead must approve a release before it reaches the partner.
- A *release* is one decision to put objects into a collection, for everyone the agreements allow
  (``audience`` 0) or for one partner only. With approval on, nothing at AMBER or above leaves
  before a lead other than its author approves it.

The TLP rules, as egress rules:

- CLEAR and GREEN may go to the community: every partner whose agreement reaches that level.
- AMBER and AMBER+STRICT go to one named partner only (the partner and its clients, or the partner
  alone): a release at those levels must name its audience.
- RED never leaves through a feed; only to named people, by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tocsin.model.tlp import TLP

EVERYONE = 0  # the audience of a release for every partner its collection's agreements allow
FEED_CEILING = TLP.AMBER_STRICT  # the most restrictive level any feed may carry


class ReleaseState(StrEnum):
    PENDING = "pending"  # waits for a lead other than its author
    RELEASED = "released"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    uuid: str  # the TAXII collection id
    alias: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Agreement:
    org_id: int
    collection_id: int
    can_read: bool
    can_write: bool
    max_tlp: TLP
    approval: bool  # a lead other than the author approves a release at AMBER or above first

    @property
    def ceiling(self) -> TLP:
        """The most restrictive level this partner may read: never RED, whatever was agreed."""
        return min(self.max_tlp, FEED_CEILING)


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    collection_id: int
    audience: int  # EVERYONE or the organisation's id
    tlp: TLP  # the most restrictive level among its objects
    state: ReleaseState
    author: str
    created: int
    approver: str | None = None
    decided: int | None = None
    objects: int = 0  # how many STIX objects it carries
    summary: str = ""  # what it is, in words, for the lead who approves it


class TlpRefused(ValueError):
    """A release that the TLP rules forbid, with the reason."""


def check_release(tlp: TLP, audience: int) -> None:
    """Refuse what may never go out through a feed (raises ``TlpRefused`` with the reason)."""
    if tlp is TLP.RED:
        raise TlpRefused("TLP:RED never leaves through a feed: share it with named people by hand")
    if tlp >= TLP.AMBER and audience == EVERYONE:
        raise TlpRefused(
            f"{tlp.label} goes to one named partner only: name the partner the release is for"
        )


def needs_approval(tlp: TLP, agreements: list[Agreement]) -> bool:
    """Four eyes: a release at AMBER or above waits for a lead when any agreement asks for it."""
    return tlp >= TLP.AMBER and any(a.approval for a in agreements)
