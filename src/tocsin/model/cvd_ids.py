"""What a vulnerability case carries, checked pure and without storage: its identifiers (CVE,
CWE, a CPE 2.3 name or a package URL for each product), its CVSS v3.1 score and its embargo in a
named time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cvss import CVSS3
from cvss.exceptions import CVSSError

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
