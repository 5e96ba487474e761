"""Coordinated vulnerability disclosure: a vulnerability case from its report to its advisory.

The workflow is declared with the one engine (``tocsin.model.workflow``): received → triaged →
vendors notified → fix in progress → published, or rejected / duplicate; anything else is refused
with a message that says which moves the current state allows. Notifying vendors and publishing
name guards that the CVD service checks. The identifiers a case carries (CPE 2.3, purl, CWE,
CVE, a CVSS v3.1 vector, an embargo in a named time zone) are checked here, pure and without
storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cvss import CVSS3
from cvss.exceptions import CVSSError

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


# -- identifiers ---------------------------------------------------------------------------------

_CVE = re.compile(r"CVE-(\d{4})-(\d{4,19})")
_CWE = re.compile(r"CWE-([1-9]\d{0,5})")
# CPE 2.3 formatted string binding (NISTIR 7695 §6.2, the pattern the CPE dictionary and CSAF use)
_AV = r"(?:(?:\?*|\*?)(?:[a-zA-Z0-9\-._]|\\[\\*?!\"#$%&'()+,/:;<=>@\[\]^`{|}~])+(?:\?*|\*?)|[*\-])"
_LANG = r"(?:[a-zA-Z]{2,3}(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?|[*\-])"
_CPE = re.compile(rf"cpe:2\.3:[aho*\-](?::{_AV}){{5}}:{_LANG}(?::{_AV}){{4}}")
# package URL: pkg:type/namespace/name@version?qualifiers#subpath (github.com/package-url/purl-spec)
_PURL_TYPE = re.compile(r"[a-zA-Z.+\-][a-zA-Z0-9.+\-]*")
_PURL_KEY = re.compile(r"[a-zA-Z.\-_][a-zA-Z0-9.\-_]*")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NO_VALUE = frozenset({"*", "-", ""})


def cve(value: Any) -> str:
    """``CVE-2026-12345``: four digits of year, then at least four digits."""
    text = str(value).strip().upper()
    if not _CVE.fullmatch(text):
        raise ValueError("not a CVE id (CVE-YYYY-NNNN, four or more digits after the year)")
    return text


def cwe(value: Any) -> str:
    """``CWE-79``; a bare number is taken as one."""
    text = str(value).strip().upper()
    if text.isdigit():
        text = f"CWE-{text}"
    if not _CWE.fullmatch(text):
        raise ValueError("not a CWE id (CWE-79)")
    return text


def cpe(value: Any) -> str:
    """A CPE 2.3 formatted string: ``cpe:2.3:part:vendor:product:version:…`` (13 fields)."""
    text = str(value).strip()
    if not _CPE.fullmatch(text):
        raise ValueError("not a CPE 2.3 name (cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*)")
    return text


def purl(value: Any) -> str:
    """A package URL: ``pkg:type/namespace/name@version?qualifiers#subpath``."""
    text = str(value).strip()
    if not text.startswith("pkg:") or any(c.isspace() for c in text) or _PERCENT.search(text):
        raise ValueError("not a package URL (pkg:type/name@version)")
    rest, _, _subpath = text[4:].partition("#")
    rest, _, qualifiers = rest.partition("?")
    kind, slash, path = rest.lstrip("/").partition("/")
    name = path.rsplit("@", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not _PURL_TYPE.fullmatch(kind) or not slash or not name:
        raise ValueError("not a package URL: it needs a type and a name (pkg:type/name@version)")
    keys = []
    for pair in qualifiers.split("&") if qualifiers else ():
        key, equals, found = pair.partition("=")
        if not equals or not found or not _PURL_KEY.fullmatch(key):
            raise ValueError(f"not a package URL: qualifier {pair!r} is not key=value")
        keys.append(key.lower())
    if len(keys) != len(set(keys)):
        raise ValueError("not a package URL: a qualifier is repeated")
    return text


def product_identifier(value: Any) -> str:
    """A CPE 2.3 name or a package URL, by its prefix."""
    text = str(value).strip()
    if text.startswith("cpe:"):
        return cpe(text)
    if text.startswith("pkg:"):
        return purl(text)
    raise ValueError("a product is named by a CPE 2.3 name (cpe:2.3:…) or a package URL (pkg:…)")


def identifier_kind(identifier: str) -> str:
    """``cpe`` or ``purl``: the key of CSAF's product identification helper."""
    return "cpe" if identifier.startswith("cpe:") else "purl"


def _cpe_fields(identifier: str) -> list[str]:
    """The fields of a CPE 2.3 name, split on unescaped colons, escapes removed."""
    fields, current, escaped = [], [], False
    for char in identifier:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def name_and_version(identifier: str) -> tuple[str, str | None]:
    """What people call the product an identifier names: ``("router_firmware", "1.2.0")``."""
    if identifier.startswith("cpe:"):
        fields = _cpe_fields(identifier)
        version = fields[5] if fields[5] not in _NO_VALUE else None
        return fields[4], version
    path = identifier[4:].partition("#")[0].partition("?")[0]
    path, at, version = path.rpartition("@") if "@" in path else (path, "", "")
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return name, (unquote(version) if at and version else None)


# -- scores and time -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cvss:
    """A CVSS v3.1 vector with its base score and severity, as the specification computes them."""

    vector: str  # canonical metric order
    score: float
    severity: str  # None, Low, Medium, High, Critical

    @classmethod
    def parse(cls, value: Any) -> Cvss:
        text = str(value).strip()
        if not text.startswith("CVSS:3.1/"):
            raise ValueError(
                "not a CVSS v3.1 vector (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"
            )
        try:
            parsed = CVSS3(text)
        except CVSSError as exc:
            raise ValueError(f"not a CVSS v3.1 vector: {exc}") from None
        return cls(parsed.clean_vector(), float(parsed.base_score), parsed.severities()[0])


@dataclass(frozen=True, slots=True)
class Embargo:
    """The planned publication: an instant (Unix seconds, UTC) and the zone it was agreed in."""

    at: int
    zone: str

    @classmethod
    def parse(cls, moment: str, zone: str = "UTC") -> Embargo:
        """``2026-12-15T09:00`` in ``Europe/Paris``. A time that does not exist there (the hour
        the clocks skip) is refused; one that happens twice (the hour repeated) is the first."""
        try:
            place = ZoneInfo(zone.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone: {zone!r} (Europe/Paris, UTC)") from None
        try:
            parsed = datetime.fromisoformat(moment.strip())
        except ValueError:
            raise ValueError("not a date and time (2026-12-15T09:00)") from None
        if parsed.tzinfo is None:
            local = parsed.replace(tzinfo=place)
            back = local.astimezone(UTC).astimezone(place).replace(tzinfo=None)
            if back != parsed:
                raise ValueError(f"{parsed:%Y-%m-%d %H:%M} does not exist in {place.key}")
        else:
            local = parsed
        return cls(int(local.timestamp()), place.key)

    @property
    def local(self) -> datetime:
        return datetime.fromtimestamp(self.at, tz=ZoneInfo(self.zone))

    def __str__(self) -> str:
        utc = datetime.fromtimestamp(self.at, tz=UTC)
        return f"{self.local:%Y-%m-%d %H:%M} {self.zone} ({utc:%Y-%m-%d %H:%M} UTC)"


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
