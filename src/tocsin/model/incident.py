"""Incidents (cases): their workflow, indicators, tasks, notes and timeline.

The workflow is declared with the one engine (``tocsin.model.workflow``): explicit moves; anything
else is refused with a message that says which moves the current state allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tocsin.model import payment_ids, types
from tocsin.model.workflow import Workflow


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # on an outside party: the resolve clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


WORKFLOW: Workflow[Status] = Workflow(
    "an incident",
    {
        Status.NEW: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED),
        Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED),
        Status.IN_PROGRESS: (Status.WAITING, Status.RESOLVED),
        Status.WAITING: (Status.IN_PROGRESS, Status.RESOLVED),
        Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),  # in progress again: a reopen
        Status.CLOSED: (Status.IN_PROGRESS,),  # a reopen
    },
)
TRANSITIONS = WORKFLOW.transitions
OPEN = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING})


class IndicatorKind(StrEnum):
    IP = "ip"
    NETWORK = "network"
    FQDN = "fqdn"
    URL = "url"
    HASH = "hash"
    EMAIL = "email"
    PHONE = "phone"  # E.164 (model.payment_ids)
    WALLET = "wallet"  # a cryptocurrency wallet's address (model.payment_ids)


def indicator(kind: str, value: str) -> tuple[IndicatorKind, str]:
    """A sanitised indicator: the value in the canonical form its kind has in events."""
    try:
        found = IndicatorKind(kind)
    except ValueError:
        raise ValueError(
            "indicator kind must be ip, network, fqdn, url, hash, email, phone or wallet"
        ) from None
    return found, _CHECKS[found](value)


def _hash(value: str) -> str:
    text = types.string(value).lower()
    for check in (types.md5, types.sha1, types.sha256):
        try:
            return str(check(text))
        except ValueError:
            continue
    raise ValueError("not an MD5, SHA-1 or SHA-256 hash")


def _email(value: str) -> str:
    text = types.string(value).lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or len(text) > 254:
        raise ValueError("not an e-mail address")
    return f"{local}@{types.fqdn(domain)}"


_CHECKS: dict[IndicatorKind, Callable[[str], str]] = {
    IndicatorKind.IP: types.ip_address,
    IndicatorKind.NETWORK: types.ip_network,
    IndicatorKind.FQDN: types.fqdn,
    IndicatorKind.URL: types.url,
    IndicatorKind.HASH: _hash,
    IndicatorKind.EMAIL: _email,
    IndicatorKind.PHONE: lambda value: payment_ids.phone(types.string(value)),
    IndicatorKind.WALLET: lambda value: payment_ids.wallet(types.string(value)),
}


@dataclass(frozen=True, slots=True)
class Incident:
    """One case as the desk sees it (what the store keeps, without its collections)."""

    id: int
    reference: str
    title: str
    type: str
    priority: str
    tlp: str
    status: Status
    org_id: int
    created: int
    constituent: str | None = None
    sector: str | None = None
    assignee_id: int | None = None
    acknowledged_at: int | None = None
    resolved_at: int | None = None
    closed_at: int | None = None
    waiting_since: int | None = None
    waited: int = 0  # seconds spent waiting before ``waiting_since``: they pause the resolve clock
    breached: frozenset[str] = frozenset()  # "acknowledge", "resolve"
    source: str = "manual"  # manual, rule:<name>, report:<reference>
    group_key: str | None = None  # the aggregation group it stands for, if any
    due: int | None = None  # when the next SLA clock runs out (None: none runs)
    merged_into: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN and self.merged_into is None

    @property
    def description(self) -> str:
        """What the incident is about, in the desk's words (kept in ``details``)."""
        return str(self.details.get("description") or "")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.details.get("tags") or ())


def reference(year: int, number: int) -> str:
    """What people quote on the phone and in mail: ``TOC-2026-000042``."""
    return f"TOC-{year}-{number:06d}"


MAX_TAGS = 20
_TAG = re.compile(r"^[a-z0-9][a-z0-9:._-]{0,47}$")


def tags(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """An incident's tags from what a person typed (spaces or commas between them), or a list:
    lower case, letters, digits and ``: . _ -``, at most 48 characters each and 20 in all, each
    once, in order (``ransomware``, ``lockbit``, ``election:2026``, ``tlp-review``)."""
    words = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    found: list[str] = []
    for word in words:
        tag = str(word).strip().lower()
        if not _TAG.match(tag):
            raise ValueError(
                f"{tag[:60]!r} is not a tag: letters, digits and : . _ - (48 at most), "
                "beginning with a letter or digit"
            )
        if tag not in found:
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise ValueError(f"{MAX_TAGS} tags at most")
    return tuple(sorted(found))
