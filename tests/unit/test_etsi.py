"""An EPOC or EPOC-PR exported as the JSON of a TS 103 120 HI1Message (TS 104 144's structure),
stable when exported again, and read back into the same elements and identifiers."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tocsin.formats.etsi import Form, Party, Priority, export_epoc, priority, read_epoc
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Direction, Identifier, Link, Request, Safeguards
from tocsin.model.assist.states import State

NOW = 1_795_830_000  # 2026-11-28T01:40:00Z
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SENDER = Party("fr", "FR-PARQUET-J3")
RECEIVER = Party("IE", "EXAMPLE-PROVIDER-LR")


def epoc(**changes: Any) -> Request:
    request = Request(
        id=1,
        ref="RFA-2026-0007",
        direction=Direction.OUTGOING,
        basis=Basis.EPOC,
        state=State.APPROVED,
        org_id=1,
        counterpart_id=3,
        their_ref="",
        title="Account behind a ransom note",
        emergency=False,
        urgent=False,
        justification="",
        elements={
            "authority": "France, juge d'instruction de Paris, dossier 2026/123",
            "provider": "Example Provider Ltd, legal representative in Dublin",
            "data": "Subscriber data of the account",
            "offence": "Extorsion (art. 312-1 code pénal)",
            "facts": "A ransom note names the account.",
            "necessity": "The only lead to the author.",
            "contact": "Cabinet J3, +33 1 00 00 00 00",
        },
        identifiers=(
            Identifier("email", "victim.payer@example.org"),
            Identifier("ipv4", "203.0.113.5", port=51234, at=WHEN, tolerance=2),
        ),
        safeguards=Safeguards(
            necessity="Only way to identify the author",
            approving_authority="Juge des libertés, Paris",
            data_categories=("subscriber",),
            scope_from=datetime(2026, 11, 1, tzinfo=UTC),
            scope_to=datetime(2026, 11, 21, tzinfo=UTC),
        ),
        tlp="AMBER",
        language="en",
        parent_id=None,
        link=Link.NONE,
        outcome="",
        outcome_note="",
        created_by=1,
        approved_by=2,
        created_at=WHEN,
        updated_at=WHEN,
    )
    return dataclasses.replace(request, **changes)


def objects(message: dict[str, Any]) -> list[dict[str, Any]]:
    actions = message["HI1Message"]["Payload"]["RequestPayload"]["ActionRequests"]
    return [action["CREATE"]["HI1Object"] for action in actions["ActionRequest"]]


def test_the_message_has_the_hi1_header_and_objects_in_order() -> None:
    """Header with both parties, a UUID transaction, a UTC timestamp and the EU profile; then the
    authorisation, one task per data category, the additional information and the form."""
    message = export_epoc(
        epoc(), sender=SENDER, receiver=RECEIVER, now=NOW, form=Form("form1.pdf", b"%PDF-1.7 x")
    )
    header = message["HI1Message"]["Header"]
    assert header["SenderIdentifier"] == {"CountryCode": "FR", "UniqueIdentifier": "FR-PARQUET-J3"}
    assert header["ReceiverIdentifier"]["CountryCode"] == "IE"
    assert uuid.UUID(header["TransactionIdentifier"]).version == 5
    assert header["Timestamp"] == "2026-11-28T01:40:00Z"
    assert header["Version"]["NationalProfileOwner"] == "EU"
    found = objects(message)
    assert [body["@xsi:type"] for body in found] == [
        "auth:AuthorisationObject",
        "task:LDTaskObject",
        "EPOCAdditionalInfo",
        "doc:DocumentObject",
    ]
    auth = found[0]
    assert auth["auth:AuthorisationReference"] == "RFA-2026-0007"
    assert all(
        body["AssociatedObjects"]["AssociatedObject"] == [auth["ObjectIdentifier"]]
        for body in found[1:]
    )
    values = found[1]["task:RequestDetails"]["task:RequestValues"]["task:RequestValue"]
    assert [v["task:FormatType"]["task:FormatName"] for v in values] == [
        "EmailAddress",
        "IPv4Address",
    ]
    assert found[3]["doc:DocumentBody"]["doc:ContentType"] == "application/pdf"
    sections = {s["Element"]: s["Source"] for s in found[2]["Sections"]}
    assert sections["authority"].endswith("Annex I Section A")
    assert sections["provider"].endswith("Annex I Section B")


def test_exporting_again_gives_the_same_message() -> None:
    """Identifiers come from our reference: the same request exports to the same bytes, another
    reference to another transaction."""
    first = export_epoc(epoc(), sender=SENDER, receiver=RECEIVER, now=NOW)
    again = export_epoc(epoc(), sender=SENDER, receiver=RECEIVER, now=NOW)
    other = export_epoc(epoc(ref="RFA-2026-0008"), sender=SENDER, receiver=RECEIVER, now=NOW)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert (
        first["HI1Message"]["Header"]["TransactionIdentifier"]
        != other["HI1Message"]["Header"]["TransactionIdentifier"]
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, Priority.TEN_DAYS_ASAP),
        ({"emergency": True}, Priority.EIGHT_HOURS),
        (
            {"safeguards": Safeguards(data_categories=("subscriber", "traffic"))},
            Priority.TEN_DAYS_SUBJECT_TO_EA,
        ),
        ({"safeguards": Safeguards(data_categories=("content",))}, Priority.TEN_DAYS_SUBJECT_TO_EA),
        (
            {"emergency": True, "safeguards": Safeguards(data_categories=("content",))},
            Priority.EIGHT_HOURS,
        ),
        ({"basis": Basis.EPOC_PR}, None),
    ],
)
def test_the_epoc_priority_follows_article_8_and_10(
    changes: dict[str, Any], expected: str | None
) -> None:
    """Emergency: 8 hours; traffic or content data (notified to the EA): 10 days subject to the
    EA; otherwise 10 days as soon as possible; a preservation order has none."""
    request = epoc(**changes)
    assert priority(request) == expected
    auth = objects(export_epoc(request, sender=SENDER, receiver=RECEIVER, now=NOW))[0]
    shown = auth.get("auth:AuthorisationPriority", {}).get("common:Value")
    assert shown == expected


def test_a_round_trip_gives_back_the_elements_and_identifiers() -> None:
    """Exported to JSON text and read back: the same basis, reference, elements, identifiers
    (with port, time and tolerance), categories, scope, priority and form."""
    request = epoc(
        basis=Basis.EPOC_PR,
        safeguards=dataclasses.replace(
            epoc().safeguards, data_categories=("subscriber", "traffic")
        ),
    )
    form = Form("form2.pdf", b"%PDF-1.7 \x00\xff")
    text = json.dumps(export_epoc(request, sender=SENDER, receiver=RECEIVER, now=NOW, form=form))
    read = read_epoc(json.loads(text))
    assert read.basis is Basis.EPOC_PR and read.ref == request.ref
    assert dict(read.elements) == dict(request.elements)
    assert read.identifiers == request.identifiers
    assert read.data_categories == ("subscriber", "traffic")
    assert (read.scope_from, read.scope_to) == (
        request.safeguards.scope_from,
        request.safeguards.scope_to,
    )
    assert read.form == form
    assert read.sender == Party("FR", "FR-PARQUET-J3") and read.receiver == RECEIVER
    assert len(objects(json.loads(text))) == 5  # authorisation, two tasks, info, form


def test_identifiers_are_read_from_the_tasks_when_no_additional_information_has_them() -> None:
    message = export_epoc(epoc(), sender=SENDER, receiver=RECEIVER, now=NOW)
    objects(message)[2]["Identifiers"] = []
    read = read_epoc(message)
    assert [(i.kind, i.value) for i in read.identifiers] == [
        ("email", "victim.payer@example.org"),
        ("ipv4", "203.0.113.5"),
    ]


def test_only_epoc_with_categories_and_identifiers_is_exported() -> None:
    with pytest.raises(ValueError, match="basis"):
        export_epoc(epoc(basis=Basis.BC_29), sender=SENDER, receiver=RECEIVER, now=NOW)
    with pytest.raises(ValueError, match="data_categories"):
        export_epoc(epoc(safeguards=Safeguards()), sender=SENDER, receiver=RECEIVER, now=NOW)
    with pytest.raises(ValueError, match="identifiers"):
        export_epoc(epoc(identifiers=()), sender=SENDER, receiver=RECEIVER, now=NOW)


def test_a_message_missing_a_part_is_refused_by_name() -> None:
    message = export_epoc(epoc(), sender=SENDER, receiver=RECEIVER, now=NOW)
    del message["HI1Message"]["Header"]["TransactionIdentifier"]
    with pytest.raises(ValueError, match="TransactionIdentifier"):
        read_epoc(message)
    with pytest.raises(ValueError, match="HI1Message/Payload"):
        read_epoc({"HI1Message": {"Header": {}}})
