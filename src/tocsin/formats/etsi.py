"""An EPOC or EPOC-PR request as the JSON form of an ETSI TS 103 120 ``HI1Message``, following
the structure of its e-Evidence profile, ETSI TS 104 144 (``docs/assistance.md``, "Exchange").

The JSON is written the way ETSI's own tooling writes HI-1 in JSON: element names as in the XML
schema, a namespace prefix on the members of an extension type (``task:Reference``), attributes
with ``@`` (``@xsi:type``), and a repeated element as a list under its singular name
(``ActionRequests: {ActionRequest: [...]}``). One message holds, as CREATE actions:

0. the ``AuthorisationObject`` (the order itself: our reference, its legal type, its
   ``EPOCPriority`` and its approving authority);
1. one ``LDTaskObject`` per category of data sought, each with the request's identifiers as its
   request values and the time range of its scope;
2. the ``EPOCAdditionalInfo``: the certificate's elements as written, each with the section of
   the Annex it fills, the identifiers with their port and time, the emergency flag;
3. a ``DocumentObject`` with the form (the PDF) when one is given.

Every identifier in the message (the transaction, each object) is a UUID derived from our
reference, so that exporting the same request again gives the same message. ``read_epoc`` reads
such a message back into the request's elements and identifiers.

The ETSI XML schemas could not be had where Tocsin is built, so this JSON is not checked against
them and no XML is written; the names of the dictionary values Tocsin could not check (see the
docs) are Tocsin's best reading of the standard.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin.model.assist.bases import Basis, elements
from tocsin.model.assist.request import Identifier, Request

CORE_NS = "http://uri.etsi.org/03120/common/2019/10/Core"
COMMON_NS = "http://uri.etsi.org/03120/common/2016/02/Common"
TASK_NS = "http://uri.etsi.org/03120/common/2020/09/Task"
AUTH_NS = "http://uri.etsi.org/03120/common/2020/09/Authorisation"
DOC_NS = "http://uri.etsi.org/03120/common/2020/09/Document"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ETSI_VERSION = "V1.22.1"  # the TS 103 120 version the EU profile builds on (not checked)
PROFILE_OWNER = "EU"
PROFILE_VERSION = "v1.2.1"  # TS 104 144 V1.2.1 (not checked)
_IDS = uuid.UUID("6f1c3c2e-8d0a-5b7e-9a43-7c1d2e0f4b55")  # the namespace of our UUIDs

BASES = (Basis.EPOC, Basis.EPOC_PR)


class Priority:
    """``EPOCPriority`` (TS 104 144), from Regulation (EU) 2023/1543 Art. 10."""

    TEN_DAYS_ASAP = "TenDaysASAP"  # Art. 10(2)/(3): at the latest 10 days, no notification
    TEN_DAYS_SUBJECT_TO_EA = "TenDaysSubjectToEA"  # Art. 8 notification: the EA's 10 days
    EIGHT_HOURS = "EightHours"  # Art. 10(4): an emergency, at the latest 8 hours


# Art. 8(1): notification of the enforcing authority for traffic data (other than data sought
# only to identify the user) and for content data.
NOTIFIED = frozenset({"traffic", "content"})

# Tocsin's data categories → EPOC Annex I section E as a request type. The values are Tocsin's
# reading, not checked against ETSI's dictionary (docs/assistance.md, "Exchange").
CATEGORIES = {
    "subscriber": "SubscriberData",
    "identification": "UserIdentificationData",
    "traffic": "TrafficData",
    "content": "ContentData",
}
_CATEGORY_OF = {value: key for key, value in CATEGORIES.items()}

# Identifier kinds → the request value's format: ETSI's names for e-mail, E.164 and IP addresses
# (not checked against its dictionary), Tocsin's own for the others.
FORMATS = {
    "ipv4": ("ETSI", "IPv4Address"),
    "ipv6": ("ETSI", "IPv6Address"),
    "email": ("ETSI", "EmailAddress"),
    "phone": ("ETSI", "InternationalE164"),
    "domain": ("Tocsin", "DomainName"),
    "account_url": ("Tocsin", "AccountURL"),
    "tx_hash": ("Tocsin", "TransactionHash"),
}
_KIND_OF = {name: kind for kind, (_, name) in FORMATS.items()}


@dataclass(frozen=True, slots=True)
class Party:
    """One end of the message: the country (ISO 3166-1 alpha-2) and the authority's identifier."""

    country: str
    identifier: str

    def as_json(self) -> dict[str, str]:
        return {"CountryCode": self.country.upper(), "UniqueIdentifier": self.identifier}


@dataclass(frozen=True, slots=True)
class Form:
    """The certificate's form to carry as a ``DocumentObject`` (the printed PDF)."""

    name: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class EpocImport:
    """What ``read_epoc`` finds in a message."""

    transaction: str
    sender: Party
    receiver: Party
    ref: str
    basis: Basis
    priority: str
    emergency: bool
    elements: Mapping[str, str]
    identifiers: tuple[Identifier, ...]
    data_categories: tuple[str, ...]
    scope_from: datetime | None
    scope_to: datetime | None
    form: Form | None


def _uuid(ref: str, part: str) -> str:
    return str(uuid.uuid5(_IDS, f"{ref}/{part}"))


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dictionary(owner: str, name: str, value: str) -> dict[str, str]:
    return {"common:Owner": owner, "common:Name": name, "common:Value": value}


def priority(request: Request) -> str | None:
    """The ``EPOCPriority`` of an EPOC; ``None`` for an EPOC-PR (preservation carries no such
    deadline: Annex II, "without undue delay")."""
    if request.basis is not Basis.EPOC:
        return None
    if request.emergency:
        return Priority.EIGHT_HOURS
    if NOTIFIED & set(request.safeguards.data_categories):
        return Priority.TEN_DAYS_SUBJECT_TO_EA
    return Priority.TEN_DAYS_ASAP


def _header(request: Request, sender: Party, receiver: Party, now: int) -> dict[str, Any]:
    return {
        "SenderIdentifier": sender.as_json(),
        "ReceiverIdentifier": receiver.as_json(),
        "TransactionIdentifier": _uuid(request.ref, "transaction"),
        "Timestamp": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": {
            "ETSIVersion": ETSI_VERSION,
            "NationalProfileOwner": PROFILE_OWNER,
            "NationalProfileVersion": PROFILE_VERSION,
        },
    }


def _object(request: Request, sender: Party, part: str, kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@xsi:type": kind,
        "ObjectIdentifier": _uuid(request.ref, part),
        "CountryCode": sender.country.upper(),
        "OwnerIdentifier": sender.identifier,
    }
    if part != "authorisation":
        body["AssociatedObjects"] = {"AssociatedObject": [_uuid(request.ref, "authorisation")]}
    return body


def _authorisation(request: Request, sender: Party) -> dict[str, Any]:
    body = _object(request, sender, "authorisation", "auth:AuthorisationObject")
    body["auth:AuthorisationReference"] = request.ref
    body["auth:AuthorisationLegalType"] = _dictionary(
        "ETSI", "AuthorisationLegalType", request.basis.value
    )
    level = priority(request)
    if level is not None:
        body["auth:AuthorisationPriority"] = _dictionary("ETSI", "EPOCPriority", level)
    body["auth:AuthorisationDesiredStatus"] = _dictionary(
        "ETSI", "AuthorisationDesiredStatus", "SubmittedToCSP"
    )
    body["auth:AuthorisationCreationTimestamp"] = _when(request.created_at)
    if request.safeguards.approving_authority:
        body["auth:AuthorisationApprovalDetails"] = [
            {"common:ApproverDetails": {"common:Name": request.safeguards.approving_authority}}
        ]
    return body


def _value(identifier: Identifier) -> dict[str, Any]:
    owner, name = FORMATS.get(identifier.kind, ("Tocsin", identifier.kind))
    return {
        "task:FormatType": {"task:FormatOwner": owner, "task:FormatName": name},
        "task:Value": identifier.value,
    }


def _tasks(request: Request, sender: Party) -> list[dict[str, Any]]:
    categories = request.safeguards.data_categories
    if not categories:
        raise ValueError("safeguards.data_categories: an EPOC names the data it seeks (section E)")
    if not request.identifiers:
        raise ValueError("identifiers: an EPOC names at least one identifier")
    # the desired status: Tocsin's reading, not checked against ETSI's dictionary
    wanted = "AwaitingDisclosure" if request.basis is Basis.EPOC else "AwaitingPreservation"
    tasks = []
    for number, category in enumerate(categories, start=1):
        body = _object(request, sender, f"task/{category}", "task:LDTaskObject")
        details: dict[str, Any] = {
            "task:Type": _dictionary("ETSI", "RequestType", CATEGORIES.get(category, category)),
        }
        if request.safeguards.scope_from is not None:
            details["task:StartTime"] = _when(request.safeguards.scope_from)
        if request.safeguards.scope_to is not None:
            details["task:EndTime"] = _when(request.safeguards.scope_to)
        details["task:RequestValues"] = {
            "task:RequestValue": [_value(identifier) for identifier in request.identifiers]
        }
        body["task:Reference"] = f"{request.ref}-{number}"
        body["task:DesiredStatus"] = _dictionary("ETSI", "LDTaskDesiredStatus", wanted)
        body["task:RequestDetails"] = details
        tasks.append(body)
    return tasks


def _additional(request: Request, sender: Party) -> dict[str, Any]:
    body = _object(request, sender, "additional", "EPOCAdditionalInfo")
    body["Basis"] = request.basis.value
    body["Emergency"] = request.emergency
    body["TheirReference"] = request.their_ref
    sources = {element.id: element.source for element in elements(request.basis)}
    body["Sections"] = [
        {"Element": key, "Source": sources.get(key, ""), "Text": text}
        for key, text in request.elements.items()
    ]
    body["Identifiers"] = [identifier.as_json() for identifier in request.identifiers]
    return body


def _document(request: Request, sender: Party, form: Form) -> dict[str, Any]:
    body = _object(request, sender, "form", "doc:DocumentObject")
    # the document type: Tocsin's reading, not checked against ETSI's dictionary
    kind = "EPOCForm1" if request.basis is Basis.EPOC else "EPOCPRForm2"
    body["doc:DocumentName"] = form.name
    body["doc:DocumentType"] = _dictionary("ETSI", "EPOCDocumentType", kind)
    body["doc:DocumentBody"] = {
        "doc:Contents": base64.b64encode(form.content).decode(),
        "doc:ContentType": form.content_type,
        "doc:Checksum": hashlib.sha256(form.content).hexdigest(),
        "doc:ChecksumType": _dictionary("ETSI", "ChecksumType", "SHA-256"),
    }
    return body


def export_epoc(
    request: Request, *, sender: Party, receiver: Party, now: int, form: Form | None = None
) -> dict[str, Any]:
    """The ``HI1Message`` of an EPOC or EPOC-PR request, as JSON-ready data."""
    if request.basis not in BASES:
        raise ValueError(f"basis: only EPOC and EPOC-PR are exported this way, not {request.basis}")
    objects = [_authorisation(request, sender), *_tasks(request, sender)]
    objects.append(_additional(request, sender))
    if form is not None:
        objects.append(_document(request, sender, form))
    return {
        "HI1Message": {
            "@xmlns": CORE_NS,
            "@xmlns:xsi": XSI_NS,
            "@xmlns:common": COMMON_NS,
            "@xmlns:task": TASK_NS,
            "@xmlns:auth": AUTH_NS,
            "@xmlns:doc": DOC_NS,
            "Header": _header(request, sender, receiver, now),
            "Payload": {
                "RequestPayload": {
                    "ActionRequests": {
                        "ActionRequest": [
                            {"ActionIdentifier": index, "CREATE": {"HI1Object": body}}
                            for index, body in enumerate(objects)
                        ]
                    }
                }
            },
        }
    }


def _at(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]…``; a ``ValueError`` naming the path where it stops."""
    for depth, key in enumerate(path):
        if not isinstance(data, Mapping) or key not in data:
            raise ValueError(f"HI1Message: no {'/'.join(path[: depth + 1])}")
        data = data[key]
    return data


def _party(data: Any) -> Party:
    return Party(str(_at(data, "CountryCode")), str(_at(data, "UniqueIdentifier")))


def _parsed(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def _identifiers(
    tasks: list[Mapping[str, Any]], extra: Mapping[str, Any]
) -> tuple[Identifier, ...]:
    """From the additional information when it has them (port, time), else the first task."""
    if extra.get("Identifiers"):
        return tuple(Identifier.from_json(item) for item in extra["Identifiers"])
    values = _at(tasks[0], "task:RequestDetails", "task:RequestValues", "task:RequestValue")
    return tuple(
        Identifier(
            kind=_KIND_OF.get(v["task:FormatType"]["task:FormatName"], "unknown"),
            value=str(v["task:Value"]),
        )
        for v in values
    )


def _form(objects: list[Mapping[str, Any]]) -> Form | None:
    for body in objects:
        if body.get("@xsi:type") == "doc:DocumentObject":
            content = _at(body, "doc:DocumentBody")
            return Form(
                name=str(_at(body, "doc:DocumentName")),
                content=base64.b64decode(_at(content, "doc:Contents")),
                content_type=str(_at(content, "doc:ContentType")),
            )
    return None


def read_epoc(message: Mapping[str, Any]) -> EpocImport:
    """The request an ``HI1Message`` of ``export_epoc``'s shape carries; ``ValueError`` naming
    what is missing."""
    header = _at(message, "HI1Message", "Header")
    actions = _at(message, "HI1Message", "Payload", "RequestPayload", "ActionRequests")
    objects = [_at(action, "CREATE", "HI1Object") for action in _at(actions, "ActionRequest")]
    kinds: dict[str, list[Mapping[str, Any]]] = {}
    for body in objects:
        kinds.setdefault(str(body.get("@xsi:type")), []).append(body)
    for kind in ("auth:AuthorisationObject", "task:LDTaskObject", "EPOCAdditionalInfo"):
        if kind not in kinds:
            raise ValueError(f"HI1Message: no {kind}")
    authorisation, extra, tasks = (
        kinds["auth:AuthorisationObject"][0],
        kinds["EPOCAdditionalInfo"][0],
        kinds["task:LDTaskObject"],
    )
    details = _at(tasks[0], "task:RequestDetails")
    level = authorisation.get("auth:AuthorisationPriority") or {}
    return EpocImport(
        transaction=str(_at(header, "TransactionIdentifier")),
        sender=_party(_at(header, "SenderIdentifier")),
        receiver=_party(_at(header, "ReceiverIdentifier")),
        ref=str(_at(authorisation, "auth:AuthorisationReference")),
        basis=Basis.parse(_at(authorisation, "auth:AuthorisationLegalType", "common:Value")),
        priority=str(level.get("common:Value", "")),
        emergency=bool(extra.get("Emergency", False)),
        elements={str(s["Element"]): str(s["Text"]) for s in extra.get("Sections", ())},
        identifiers=_identifiers(tasks, extra),
        data_categories=tuple(
            _CATEGORY_OF.get(value, value)
            for value in (
                str(_at(task, "task:RequestDetails", "task:Type", "common:Value")) for task in tasks
            )
        ),
        scope_from=_parsed(details.get("task:StartTime")),
        scope_to=_parsed(details.get("task:EndTime")),
        form=_form(objects),
    )


__all__ = [
    "BASES",
    "CATEGORIES",
    "FORMATS",
    "EpocImport",
    "Form",
    "Party",
    "Priority",
    "export_epoc",
    "priority",
    "read_epoc",
]
