"""A fixture set of requests for assistance for the yearly figures: a directory of four contacts
in two countries and fourteen made-up requests with their steps, each one commented with what it
counts as. ``tests/samples/assist/art28_2026_paris.csv`` is the Art. 28 table they make for
2026 in Europe/Paris, written by hand from these comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Contact, Direction, Link, Request, Safeguards, Step
from tocsin.model.assist.states import State

T0 = datetime(2025, 12, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def contact(id: int, country: str, authority: str, kind: str) -> Contact:
    return Contact(
        id=id,
        country=country,
        authority=authority,
        kind=kind,
        channel="email",
        address=f"poc{id}@example.org",
        languages=("en",),
        timezone="Europe/Berlin" if country == "DE" else "Europe/Dublin",
        office_hours="24/7",
        public_key="",
        notes="",
        version=1,
        confirmed_at=T0,
        updated_at=T0,
    )


CONTACTS = {
    1: contact(1, "DE", "24/7 point of contact", "24/7"),
    2: contact(2, "IE", "Example Mail Ltd", "provider"),
    3: contact(3, "DE", "Beispiel Hosting GmbH", "provider"),
    4: contact(4, "IE", "24/7 point of contact", "24/7"),
}


def request(id: int, basis: Basis, counterpart: int | None, **changes: Any) -> Request:
    base = Request(
        id=id,
        ref=f"RFA-2026-{id:04d}",
        direction=Direction.OUTGOING,
        basis=basis,
        state=State.SENT,
        org_id=1,
        counterpart_id=counterpart,
        their_ref="",
        title=f"request {id}",
        emergency=False,
        urgent=False,
        justification="",
        elements={},
        identifiers=(),
        safeguards=Safeguards(),
        tlp="AMBER",
        language="en",
        parent_id=None,
        link=Link.NONE,
        outcome="",
        outcome_note="",
        created_by=None,
        approved_by=None,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)


def data(*categories: str) -> Safeguards:
    return Safeguards(data_categories=categories)


_NEXT = [0]


def step(request_id: int, when: datetime, state: State, **detail: Any) -> Step:
    _NEXT[0] += 1
    return Step(_NEXT[0], request_id, when, state, None, detail=detail)


def sent(request_id: int, when: datetime, **detail: Any) -> Step:
    return step(request_id, when, State.SENT, **detail)


EPOC, EPOC_PR, BC_29 = Basis.EPOC, Basis.EPOC_PR, Basis.BC_29
S = State

REQUESTS: list[Request] = [
    # 1 EPOC to IE, subscriber, produced 72 h after sending.
    request(1, EPOC, 2, safeguards=data("subscriber"), sent_at=at(3, 2, 9)),
    # 2 EPOC to IE, traffic and content, notified (Art. 8), a clarification of a day; produced
    #   240 h after sending (the pause counts).
    request(2, EPOC, 2, safeguards=data("traffic", "content"), sent_at=at(4, 1, 8)),
    # 3 emergency EPOC to DE, subscriber, validated after sending (a derogation); produced 6 h.
    request(3, EPOC, 3, emergency=True, safeguards=data("subscriber"), sent_at=at(5, 10, 22)),
    # 4 EPOC to DE, traffic, notified, refused for fundamental rights.
    request(
        4, EPOC, 3, safeguards=data("traffic"), sent_at=at(6, 1, 10), outcome="fundamental_rights"
    ),
    # 5 emergency EPOC to IE, identification, not executed: the data are not held (5 h).
    request(
        5,
        EPOC,
        2,
        emergency=True,
        safeguards=data("Identification data"),
        sent_at=at(7, 1, 0),
        outcome="DataNotHeld",
    ),
    # 6 EPOC-PR to IE, content, preserved 6 h after sending; followed up by 7 720 h after it.
    request(6, EPOC_PR, 2, safeguards=data("content"), sent_at=at(2, 10, 12)),
    # 7 EPOC to IE, content, following up 6; produced 192 h after sending.
    request(
        7,
        EPOC,
        2,
        safeguards=data("content"),
        sent_at=at(3, 12, 12),
        parent_id=6,
        link=Link.FOLLOW_UP,
    ),
    # 8 emergency EPOC-PR to DE, subscriber and traffic, preserved 4 h after sending.
    request(
        8, EPOC_PR, 3, emergency=True, safeguards=data("subscriber", "traffic"), sent_at=at(8, 1, 6)
    ),
    # 9 EPOC to DE sent 31 Dec 2026 23:30 UTC: 1 Jan 2027 in Paris, not counted in 2026.
    request(9, EPOC, 3, safeguards=data("subscriber"), sent_at=at(12, 31, 23, 30)),
    # 10 EPOC to DE sent 31 Dec 2025 23:30 UTC: 1 Jan 2026 in Paris; produced 36 h later.
    request(10, EPOC, 3, safeguards=data("subscriber"), sent_at=at(12, 31, 23, 30, year=2025)),
    # 11 incoming urgent Art. 29 from DE, received 02:00, acknowledged 7 h later, preserved
    #    24 h after receipt.
    request(11, BC_29, 1, direction=Direction.INCOMING, urgent=True, received_at=at(9, 1, 2)),
    # 12 outgoing urgent Art. 29 to IE, delivered 08:05, acknowledged 9 h 55 later (late),
    #    refused: essential interests.
    request(12, BC_29, 4, urgent=True, sent_at=at(10, 5, 8), outcome="essential_interests"),
    # 13 EPOC to IE, subscriber, withdrawn: issued, neither complied with nor not.
    request(13, EPOC, 2, safeguards=data("subscriber"), sent_at=at(11, 1, 9)),
    # 14 EPOC to IE never sent: not counted.
    request(14, EPOC, 2, state=State.DRAFT, safeguards=data("subscriber")),
]

STEPS: dict[int, list[Step]] = {
    1: [sent(1, at(3, 2, 9)), step(1, at(3, 5, 9), S.PRODUCED), step(1, at(3, 6, 9), S.CLOSED)],
    2: [
        sent(2, at(4, 1, 8)),
        step(2, at(4, 1, 9), S.DELIVERED, event="notified"),
        step(2, at(4, 3, 8), S.CLARIFICATION_REQUESTED),
        step(2, at(4, 4, 8), S.IN_EXECUTION),
        step(2, at(4, 11, 8), S.PRODUCED),
    ],
    3: [
        sent(3, at(5, 10, 22)),
        step(3, at(5, 11, 1), S.IN_EXECUTION, event="validated"),
        step(3, at(5, 11, 4), S.PRODUCED),
    ],
    4: [
        sent(4, at(6, 1, 10)),
        step(4, at(6, 1, 11), S.DELIVERED, event="notified"),
        step(4, at(6, 8, 10), S.REFUSED),
    ],
    5: [sent(5, at(7, 1, 0)), step(5, at(7, 1, 5), S.NOT_EXECUTED)],
    6: [sent(6, at(2, 10, 12)), step(6, at(2, 10, 18), S.PRESERVED)],
    7: [sent(7, at(3, 12, 12)), step(7, at(3, 20, 12), S.PRODUCED)],
    8: [sent(8, at(8, 1, 6)), step(8, at(8, 1, 10), S.PRESERVED)],
    9: [sent(9, at(12, 31, 23, 30)), step(9, at(1, 2, 23, 30, year=2027), S.PRODUCED)],
    10: [sent(10, at(12, 31, 23, 30, year=2025)), step(10, at(1, 2, 11, 30), S.PRODUCED)],
    11: [
        step(11, at(9, 1, 9), S.ACKNOWLEDGED),
        step(11, at(9, 2, 2), S.PRESERVED),
    ],
    12: [
        sent(12, at(10, 5, 8)),
        step(12, at(10, 5, 8, 5), S.DELIVERED),
        step(12, at(10, 5, 18), S.ACKNOWLEDGED),
        step(12, at(10, 7, 9), S.REFUSED),
    ],
    13: [sent(13, at(11, 1, 9)), step(13, at(11, 2, 9), S.WITHDRAWN)],
    14: [],
}
