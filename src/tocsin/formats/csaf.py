"""The CSAF 2.0 security advisory of a vulnerability case (OASIS CSAF 2.0, profile
``csaf_security_advisory``).

A final advisory is for a published case past its embargo, at TLP:CLEAR (``WHITE`` in CSAF 2.0's
TLP 1.0 labels), versioned by the case's revisions. A draft, to share with vendors before then,
carries the case's TLP, version 0 and status ``draft``. The reporter is thanked as they asked: by
name, anonymously, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin import __version__
from tocsin.errors import Conflict, InvalidValue
from tocsin.model.cvd import (
    Case,
    Credit,
    Embargo,
    Product,
    ProductStatus,
    State,
    Vendor,
    VendorStatus,
    identifier_kind,
)
from tocsin.model.tlp import to_tlp1

TLP_URL = "https://www.first.org/tlp/"
REMEDIATION = {
    VendorStatus.FIX_AVAILABLE: ("vendor_fix", "The vendor has released a fix."),
    VendorStatus.WILL_NOT_FIX: ("no_fix_planned", "The vendor will not fix this vulnerability."),
}
NO_FIX = ("none_available", "No fix is available yet.")


@dataclass(frozen=True, slots=True)
class Publisher:
    """The team that issues the advisory, as CSAF names it (category ``coordinator``)."""

    name: str
    namespace: str  # a URL the team controls, e.g. https://csirt.example
    base_url: str | None = None  # where final advisories are served: their canonical URL

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("publisher", self.name, "a publisher has a name")
        for field, value in (("namespace", self.namespace), ("base_url", self.base_url)):
            if value is not None and not _is_url(value):
                raise InvalidValue(field, value, "a URL (https://csirt.example)")


class EmbargoInForce(Conflict):
    """Publication asked for before the planned date."""

    def __init__(self, embargo: Embargo) -> None:
        self.embargo = embargo
        super().__init__(f"embargoed until {embargo}: publication is refused before then")


def advisory(case: Case, *, publisher: Publisher, now: int, draft: bool = False) -> dict[str, Any]:
    """The advisory as a CSAF 2.0 JSON document (a dict, ready for ``json.dumps``)."""
    if not draft:
        if case.embargo is not None and now < case.embargo.at:
            raise EmbargoInForce(case.embargo)
        if case.state is not State.PUBLISHED:
            raise Conflict(
                f"{case.public_id} is {case.state.label}: only a published case has a final "
                "advisory (ask for a draft before then)"
            )
    ids = {p.id: f"CSAFPID-{n:04d}" for n, p in enumerate(case.products, start=1)}
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "publisher": {
            "category": "coordinator",
            "name": publisher.name,
            "namespace": publisher.namespace,
        },
        "title": case.title,
        "tracking": _tracking(case, now, draft),
        "distribution": {"tlp": {"label": to_tlp1(case.tlp) if draft else "WHITE", "url": TLP_URL}},
        "lang": "en",
        "notes": _document_notes(case, draft),
    }
    references = []
    if publisher.base_url and not draft:
        url = f"{publisher.base_url.rstrip('/')}/{file_name(case)}"
        references.append({"category": "self", "summary": "This advisory", "url": url})
    if case.cve:
        url = f"https://www.cve.org/CVERecord?id={case.cve}"
        references.append({"category": "external", "summary": f"{case.cve} (CVE)", "url": url})
    if references:
        document["references"] = references
    thanks = _acknowledgments(case)
    if thanks:
        document["acknowledgments"] = thanks
    result: dict[str, Any] = {"document": document}
    branches = _branches(case, ids)
    if branches:
        result["product_tree"] = {"branches": branches}
    result["vulnerabilities"] = [_vulnerability(case, ids, publisher, draft)]
    ordered: dict[str, Any] = _sorted(result)
    return ordered


def file_name(case: Case) -> str:
    """The advisory's file name as CSAF derives it from the tracking id."""
    return "".join(c if c.isalnum() or c in "+-" else "_" for c in case.public_id.lower()) + ".json"


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://")) and not any(c.isspace() for c in value)


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order at every level, as CSAF recommends (test 6.2.13)."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _iso(at: int) -> str:
    return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tracking(case: Case, now: int, draft: bool) -> dict[str, Any]:
    if draft or not case.revisions:
        history = [{"date": _iso(now), "number": "0", "summary": "Draft."}]
        first = last = now
    else:
        history = [
            {"date": _iso(r.at), "number": str(r.number), "summary": r.summary}
            for r in case.revisions
        ]
        first, last = case.published_at or case.revisions[0].at, case.revisions[-1].at
    return {
        "id": case.public_id,
        "status": "draft" if draft else "final",
        "version": history[-1]["number"],
        "revision_history": history,
        "initial_release_date": _iso(first),
        "current_release_date": _iso(last),
        "generator": {"date": _iso(now), "engine": {"name": "Tocsin", "version": __version__}},
    }


def _document_notes(case: Case, draft: bool) -> list[dict[str, str]]:
    notes = [{"category": "summary", "title": "Summary", "text": case.description or case.title}]
    if draft and case.embargo is not None:
        text = f"Embargoed until {case.embargo}. Do not publish or share beyond TLP before then."
        notes.append({"category": "general", "title": "Embargo", "text": text})
    return notes


def _acknowledgments(case: Case) -> list[dict[str, Any]]:
    reporter = case.reporter
    if reporter.credit is Credit.NONE:
        return []
    if reporter.credit is Credit.NAME and not reporter.anonymous:
        return [{"names": [reporter.name], "summary": "for reporting this vulnerability"}]
    return [{"summary": "an anonymous reporter, for reporting this vulnerability"}]


def _full_name(product: Product, vendor: Vendor, ids: dict[int, str]) -> dict[str, Any]:
    name = " ".join(part for part in (vendor.name, product.name, product.version) if part)
    return {
        "name": name,
        "product_id": ids[product.id],
        "product_identification_helper": {identifier_kind(product.identifier): product.identifier},
    }


def _branches(case: Case, ids: dict[int, str]) -> list[dict[str, Any]]:
    """vendor → product name → product version → product (no version: product name → product)."""
    branches = []
    for vendor in case.vendors:
        children: list[dict[str, Any]] = []
        versioned: dict[str, list[dict[str, Any]]] = {}
        for product in (p for p in case.products if p.vendor_id == vendor.id):
            leaf = _full_name(product, vendor, ids)
            if product.version is None:
                children.append({"category": "product_name", "name": product.name, "product": leaf})
                continue
            group = versioned.get(product.name)
            if group is None:
                group = versioned[product.name] = []
                children.append(
                    {"category": "product_name", "name": product.name, "branches": group}
                )
            group.append({"category": "product_version", "name": product.version, "product": leaf})
        if children:
            branches.append({"category": "vendor", "name": vendor.name, "branches": children})
    return branches


def _vulnerability(
    case: Case, ids: dict[int, str], publisher: Publisher, draft: bool
) -> dict[str, Any]:
    affected = [ids[p.id] for p in case.products if p.status is ProductStatus.AFFECTED]
    fixed = [ids[p.id] for p in case.products if p.status is ProductStatus.FIXED]
    found: dict[str, Any] = {"title": case.title}
    if case.cve:
        found["cve"] = case.cve
    if case.cwe:
        found["cwe"] = {"id": case.cwe[0], "name": case.cwe[1]}
    found["ids"] = [{"system_name": publisher.name, "text": case.public_id}]
    notes = [
        {"category": "description", "title": "Description", "text": case.description or case.title}
    ]
    if case.impact:
        notes.append({"category": "details", "title": "Impact", "text": case.impact})
    found["notes"] = notes
    status = {k: v for k, v in (("known_affected", affected), ("fixed", fixed)) if v}
    if status:
        found["product_status"] = status
    if case.cvss is not None and (affected or fixed):
        score = {
            "version": "3.1",
            "vectorString": case.cvss.vector,
            "baseScore": case.cvss.score,
            "baseSeverity": case.cvss.severity.upper(),
        }
        found["scores"] = [{"cvss_v3": score, "products": affected or fixed}]
    remediations = _remediations(case, ids)
    if remediations:
        found["remediations"] = remediations
    if not draft and case.published_at is not None:
        found["release_date"] = _iso(case.published_at)
    return found


def _remediations(case: Case, ids: dict[int, str]) -> list[dict[str, Any]]:
    """One per vendor with affected products: its fix, its refusal, or no fix yet."""
    found = []
    for vendor in case.vendors:
        mine = [p for p in case.products if p.vendor_id == vendor.id]
        affected = [ids[p.id] for p in mine if p.status is ProductStatus.AFFECTED]
        if not affected:
            continue
        category, details = REMEDIATION.get(vendor.status, NO_FIX)
        fixed = [
            " ".join(x for x in (p.name, p.version) if x)
            for p in mine
            if p.status is ProductStatus.FIXED
        ]
        if vendor.status is VendorStatus.FIX_AVAILABLE and fixed:
            details = f"Update to {', '.join(fixed)}."
        found.append(
            {"category": category, "details": vendor.advice or details, "product_ids": affected}
        )
    return found
