"""The fields of a vulnerability case as a person gives them, checked and turned into the store's
columns: texts within their lengths, the TLP, the CVSS vector (its score computed), the CWE with
its name, the CVE id and the planned publication in its time zone."""

from __future__ import annotations

from typing import Any

from tocsin.errors import InvalidValue, TooLong
from tocsin.model import types
from tocsin.model.cvd_ids import Cvss, Embargo, cve, cwe
from tocsin.model.limits import limit_of
from tocsin.model.tlp import tlp as sanitize_tlp

TEXTS = {key: limit_of(f"cvd.{key}") for key in ("title", "description", "impact")}


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """What the advisory says, checked, as columns. The CWE's name comes with its id (the advisory
    carries both); the embargo's zone with its date (UTC when none is given)."""
    unknown = set(fields) - {
        *TEXTS,
        "tlp",
        "cvss",
        "cwe_id",
        "cwe_name",
        "cve_id",
        "embargo",
        "zone",
    }
    if unknown:
        raise InvalidValue("fields", sorted(unknown), "not fields of a vulnerability case")
    found: dict[str, Any] = {
        key: text_field(key, fields[key], limit, required=key == "title")
        for key, limit in TEXTS.items()
        if key in fields
    }
    if fields.get("tlp") is not None:
        found["tlp"] = InvalidValue.check("tlp", fields["tlp"], sanitize_tlp)
    if fields.get("cvss") is not None:
        found["cvss_vector"] = InvalidValue.check("cvss", fields["cvss"], Cvss.parse).vector
    if fields.get("cwe_id") is not None:
        found["cwe"] = InvalidValue.check("cwe", fields["cwe_id"], cwe)
        if not (fields.get("cwe_name") or "").strip():
            raise InvalidValue("cwe_name", None, "the advisory names the weakness: give its name")
        found["cwe_name"] = text_field("cwe_name", fields["cwe_name"], limit_of("cvd.cwe_name"))
    elif fields.get("cwe_name") is not None:
        raise InvalidValue("cwe_name", fields["cwe_name"], "give the CWE id with its name")
    if fields.get("cve_id") is not None:
        found["cve"] = InvalidValue.check("cve", fields["cve_id"], cve)
    if fields.get("embargo") is not None:
        zone = fields.get("zone") or "UTC"
        moment = fields["embargo"]
        planned = (
            InvalidValue.check("embargo", moment, lambda m: Embargo.parse(m, zone))
            if moment
            else None
        )
        found["embargo_at"] = planned.at if planned else None
        found["embargo_zone"] = planned.zone if planned else None
    return found


def text_field(name: str, value: Any, limit: int, *, required: bool = True) -> str:
    if not required and (value is None or str(value).strip() == ""):
        return ""
    text = InvalidValue.check(name, value, types.string)
    if len(text) > limit:
        raise TooLong(name, limit, len(text))
    return str(text)
