"""Coordinated vulnerability disclosure: a vulnerability case from its report to its advisory.

The workflow is declared with the one engine (``tocsin.model.workflow``): received → triaged →
vendors notified → fix in progress → published, or rejected / duplicate; anything else is refused
with a message that says which moves the current state allows. Notifying vendors and publishing
name guards that the CVD service checks. The identifiers, score and embargo a case carries are
checked in ``tocsin.model.cvd_ids`` (importable from here too).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tocsin.model.cvd_ids import (
    Cvss,
    Embargo,
    cpe,
    cve,
    cwe,
    identifier_kind,
    name_and_version,
    product_identifier,
    purl,
)
from tocsin.model.workflow import Move, Workflow


class State(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    VENDORS_NOTIFIED = "vendors_notified"
    FIX_IN_PROGRESS = "fix_in_progress"
    PUBLISHED = "published"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: Any) -> State:
        """``vendors notified``, ``vendors-notified`` and ``VENDORS_NOTIFIED`` are one state."""
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"not a state of a vulnerability case ({names})") from None


_PUBLISH = Move(State.PUBLISHED, "products named", "embargo over")
WORKFLOW: Workflow[State] = Workflow(
    "a vulnerability case",
    {
        State.RECEIVED: (State.TRIAGED, State.REJECTED, State.DUPLICATE),
        State.TRIAGED: (
            Move(State.VENDORS_NOTIFIED, "every vendor contacted"),
            State.REJECTED,
            State.DUPLICATE,
        ),
        # published without a fix: the vendor did not answer and the deadline passed
        State.VENDORS_NOTIFIED: (State.FIX_IN_PROGRESS, _PUBLISH, State.REJECTED),
        State.FIX_IN_PROGRESS: (_PUBLISH,),
        State.PUBLISHED: (),
        State.REJECTED: (State.TRIAGED,),  # a reopen, when new facts arrive
        State.DUPLICATE: (),
    },
)
TRANSITIONS = WORKFLOW.transitions
CLOSED = frozenset({State.PUBLISHED, State.REJECTED, State.DUPLICATE})


class Credit(StrEnum):
    """How the reporter wants to be thanked in the advisory."""

    NAME = "name"  # by name
    ANONYMOUS = "anonymous"  # "an anonymous reporter"
    NONE = "none"  # not at all


class VendorStatus(StrEnum):
    NOT_CONTACTED = "not_contacted"
    CONTACTED = "contacted"
    ACKNOWLEDGED = "acknowledged"
    FIX_AVAILABLE = "fix_available"
    WILL_NOT_FIX = "will_not_fix"
    UNRESPONSIVE = "unresponsive"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: Any) -> VendorStatus:
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"not a vendor status ({names})") from None


class ProductStatus(StrEnum):
    """A product's status in the advisory (CSAF ``product_status``)."""

    AFFECTED = "known_affected"
    FIXED = "fixed"

    @classmethod
    def parse(cls, value: Any) -> ProductStatus:
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if text in ("affected", "known_affected", "vulnerable"):
            return cls.AFFECTED
        if text == "fixed":
            return cls.FIXED
        raise ValueError("a product is affected or fixed")


class Direction(StrEnum):
    IN = "in"  # received from the party
    OUT = "out"  # sent to the party


def public_id(year: int, number: int) -> str:
    """What vendors and reporters quote: ``TOCSIN-VU-2026-0001``."""
    return f"TOCSIN-VU-{year}-{number:04d}"


# -- the case ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reporter:
    """Who found it. Their contact details are personal data, read apart (never here)."""

    name: str
    credit: Credit = Credit.NAME
    anonymous: bool = False  # the name goes to no vendor and into no advisory


@dataclass(frozen=True, slots=True)
class Vendor:
    id: int
    name: str
    status: VendorStatus = VendorStatus.NOT_CONTACTED
    advice: str = ""  # what users of its products should do ("update to 1.3")
    contacted_at: int | None = None
    acknowledged_at: int | None = None
    fixed_at: int | None = None


_ACKNOWLEDGING = frozenset(
    {VendorStatus.ACKNOWLEDGED, VendorStatus.FIX_AVAILABLE, VendorStatus.WILL_NOT_FIX}
)


def vendor_dates(vendor: Vendor, status: VendorStatus, now: int) -> dict[str, int]:
    """The dates a vendor's new status sets: contacted, acknowledged, fix available (each once)."""
    dates = {}
    if status is not VendorStatus.NOT_CONTACTED and vendor.contacted_at is None:
        dates["contacted_at"] = now
    if status in _ACKNOWLEDGING and vendor.acknowledged_at is None:
        dates["acknowledged_at"] = now
    if status is VendorStatus.FIX_AVAILABLE and vendor.fixed_at is None:
        dates["fixed_at"] = now
    return dates


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    vendor_id: int
    name: str
    identifier: str  # a CPE 2.3 name or a package URL
    version: str | None = None
    status: ProductStatus = ProductStatus.AFFECTED


@dataclass(frozen=True, slots=True)
class Message:
    """One line of the communication log: what was said to or heard from whom, at what TLP."""

    id: int
    at: int
    direction: Direction
    party: str  # "reporter", a vendor's name, another coordinator…
    tlp: str
    text: str
    actor: str


@dataclass(frozen=True, slots=True)
class Revision:
    at: int
    number: int
    summary: str


@dataclass(frozen=True, slots=True)
class Case:
    """One vulnerability case with its vendors and products (the log is read apart)."""

    id: int
    public_id: str
    org_id: int
    title: str
    state: State
    tlp: str
    reporter: Reporter
    received_at: int
    description: str = ""
    impact: str = ""
    cvss: Cvss | None = None
    cwe: tuple[str, str] | None = None  # ("CWE-79", its name)
    cve: str | None = None
    embargo: Embargo | None = None
    handler_id: int | None = None
    duplicate_of: str | None = None
    acknowledged_at: int | None = None
    triaged_at: int | None = None
    published_at: int | None = None
    closed_at: int | None = None
    constituents: tuple[str, ...] = ()  # named as concerned by the advisory
    sectors: tuple[str, ...] = ()  # every constituent of these sectors is concerned
    revisions: tuple[Revision, ...] = ()  # of the published advisory
    vendors: tuple[Vendor, ...] = ()
    products: tuple[Product, ...] = ()

    @property
    def vendor_contacted_at(self) -> int | None:
        found = [v.contacted_at for v in self.vendors if v.contacted_at is not None]
        return min(found) if found else None

    def vendor(self, name: str) -> Vendor | None:
        wanted = name.strip().casefold()
        return next((v for v in self.vendors if v.name.casefold() == wanted), None)

    def vendor_of(self, product: Product) -> Vendor:
        return next(v for v in self.vendors if v.id == product.vendor_id)


__all__ = [
    "CLOSED",
    "TRANSITIONS",
    "WORKFLOW",
    "Case",
    "Credit",
    "Cvss",
    "Direction",
    "Embargo",
    "Message",
    "Product",
    "ProductStatus",
    "Reporter",
    "Revision",
    "State",
    "Vendor",
    "VendorStatus",
    "cpe",
    "cve",
    "cwe",
    "identifier_kind",
    "name_and_version",
    "product_identifier",
    "public_id",
    "purl",
    "vendor_dates",
]
