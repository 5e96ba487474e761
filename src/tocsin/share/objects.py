"""STIX objects as the collections keep them, and TAXII's timestamps and status resources.

Pure: checking an object's id, version and TLP before it is stored, microsecond timestamps both
ways, and the status resource that answers a POSTed envelope.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from tocsin.formats.markings import ABSENT, tlp_of_marks
from tocsin.model.tlp import TLP
from tocsin.store.shapes import NewObject, Stored

CONTEXT_TYPES = frozenset({"marking-definition", "extension-definition"})
# STIX 2.1's cyber-observable types (§6). They became top-level objects in 2.1, so one of them
# without ``spec_version`` is 2.1; any other object without it is STIX 2.0 (STIX 2.1 §3.2).
SCO_TYPES = frozenset(
    {
        *("artifact", "autonomous-system", "directory", "domain-name", "email-addr"),
        *("email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex"),
        *("network-traffic", "process", "software", "url", "user-account"),
        *("windows-registry-key", "x509-certificate"),
    }
)


def stix_object(item: Any) -> NewObject:
    """A STIX 2.1 object as stored: its id, version and TLP checked (ValueError with the reason)."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    object_id, kind = item.get("id"), item.get("type")
    if (
        not isinstance(object_id, str)
        or not isinstance(kind, str)
        or not object_id.startswith(kind + "--")
    ):
        raise ValueError("an object needs a type and an id of the form <type>--<uuid>")
    try:
        uuid.UUID(object_id.split("--", 1)[1])
    except ValueError:
        raise ValueError(f"{object_id!r}: the id does not end with a UUID") from None
    spec = item.get("spec_version", "2.1" if kind in SCO_TYPES else None)
    if spec is None:
        raise ValueError(
            f"{object_id}: no spec_version: a STIX 2.0 object; TAXII 2.1 carries STIX 2.1"
        )
    if spec != "2.1":
        raise ValueError(f"{object_id}: spec_version {spec!r}: TAXII 2.1 carries STIX 2.1")
    moment = item.get("modified") or item.get("created")
    version = timestamp_us(moment) if moment is not None else 0
    # A marking of the wrong shape is RED; an id that is not TLP's does not count here (one
    # object alone does not show the definitions the envelope may hold).
    level = tlp_of_marks(
        item.get("object_marking_refs", ABSENT), item.get("granular_markings", ABSENT)
    )
    if level is None:
        # Unmarked: a marking definition and an organisation's identity (a producer) are public;
        # anything else is kept as AMBER, the most careful level that can still go to one named
        # partner.
        public = kind in CONTEXT_TYPES or (
            kind == "identity" and item.get("identity_class") == "organization"
        )
        level = TLP.CLEAR if public else TLP.AMBER
    return NewObject(object_id, kind, "2.1", version, level, orjson.dumps(item).decode())


def timestamp_us(value: Any) -> int:
    """An RFC 3339 UTC timestamp (``2026-11-28T10:00:00.123Z``) in microseconds."""
    if not isinstance(value, str) or not value.endswith("Z") or "T" not in value:
        raise ValueError(f"not a STIX timestamp: {value!r}")
    text = value[:-1]
    whole, _, fraction = text.partition(".")
    try:
        moment = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a STIX timestamp: {value!r}") from None
    if fraction and not fraction.isdigit():
        raise ValueError(f"not a STIX timestamp: {value!r}")
    micro = int((fraction + "000000")[:6]) if fraction else 0
    return int(moment.timestamp()) * 1_000_000 + micro


def format_us(value: int) -> str:
    """Microseconds as a TAXII timestamp, with microsecond precision."""
    seconds, micro = divmod(value, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{micro:06d}Z"


def format_version(value: int) -> str:
    """An object's version as TAXII advertises it: at millisecond precision when that is exact
    (as STIX writes ``modified``, so the string equals the object's own), else microseconds."""
    text = format_us(value)
    return text[:-4] + "Z" if value % 1000 == 0 else text


def taxii_status(
    status_id: str, now_us: int, stored: Stored, failures: list[dict[str, Any]]
) -> dict[str, Any]:
    done = stored.added + stored.present
    successes = [{"id": i, "version": format_version(v) if v else None} for i, v in done]
    for s in successes:
        if s["version"] is None:
            del s["version"]
    return {
        "id": status_id,
        "status": "complete",
        "request_timestamp": format_us(now_us),
        "total_count": len(successes) + len(failures),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    }


def failure(item: Any, message: str) -> dict[str, Any]:
    object_id = item.get("id") if isinstance(item, dict) else None
    return {"id": object_id if isinstance(object_id, str) else "", "message": message[:300]}


__all__ = [
    "CONTEXT_TYPES",
    "SCO_TYPES",
    "failure",
    "format_us",
    "format_version",
    "stix_object",
    "taxii_status",
    "timestamp_us",
]
