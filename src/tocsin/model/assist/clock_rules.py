"""The table of deadlines of requests for assistance: one ``ClockRule`` per deadline, each
citing the article that sets it and saying how that was checked. ``clocks`` computes them; its
docstring and ``docs/assistance.md`` (section "Clocks") give the conventions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Direction, Request

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
CLARIFICATION = "clarification_requested"
_ANSWERED = ("produced", "partly_executed", "refused", "not_executed")
_ACKNOWLEDGED = ("acknowledged", "in_execution", "preserved", *_ANSWERED)


@dataclass(frozen=True, slots=True)
class Applies:
    """Which requests a rule applies to. Empty or ``None`` means any. ``urgent=True`` also takes
    an emergency (an emergency is urgent); ``data`` asks for at least one of these data
    categories in ``Request.safeguards.data_categories``."""

    bases: frozenset[Basis] = frozenset()
    direction: Direction | None = None
    emergency: bool | None = None
    urgent: bool | None = None
    data: frozenset[str] = frozenset()

    def __call__(self, request: Request) -> bool:
        urgent = request.urgent or request.emergency
        return (
            (not self.bases or request.basis in self.bases)
            and (self.direction is None or request.direction == self.direction)
            and (self.emergency is None or request.emergency == self.emergency)
            and (self.urgent is None or urgent == self.urgent)
            and (not self.data or bool(self.data & set(request.safeguards.data_categories)))
        )


@dataclass(frozen=True, slots=True)
class ClockRule:
    """One deadline: ``source`` cites the article, ``verified`` says how it was checked ("V" read
    in the primary text, "S" a secondary copy, "M" not yet checked against the text)."""

    name: str
    label: str
    duration: timedelta
    starts_on: tuple[str, ...]
    stops_on: tuple[str, ...]
    applies: Applies
    source: str
    verified: str
    warnings: tuple[timedelta, ...] = ()
    extension: timedelta | None = None
    renewable: bool = False
    pause: str | None = None  # None | "resume" | "restart"
    start: str = "first"  # "first" | "last" occurrence of the starting event


def _bases(*names: Basis) -> frozenset[Basis]:
    return frozenset(names)


_EU = "Regulation (EU) 2023/1543"
_PRESERVED_UNTIL = ("mla_received", "production_request", "produced", "closed")
RULES: tuple[ClockRule, ...] = (
    ClockRule(
        "urgent_ack",
        "Urgent request: say within 8 hours whether and when it will be answered",
        8 * HOUR,
        ("received",),
        _ACKNOWLEDGED,
        Applies(urgent=True),
        "Directive 2013/40/EU Art. 13(1); Directive (EU) 2019/713 Art. 14(1)",
        "S",
    ),
    ClockRule(
        "bc29_preservation",
        "Preservation held (at least 60 days) for the MLA request to come",
        60 * DAY,
        ("preserved",),
        _PRESERVED_UNTIL,
        Applies(bases=_bases(Basis.BC_29)),
        "Budapest Convention Art. 29(7)",
        "S",
        warnings=(14 * DAY, 3 * DAY),
        extension=60 * DAY,
        renewable=True,
    ),
    ClockRule(
        "bc16_order",
        "Domestic preservation order ends (at most 90 days, renewable)",
        90 * DAY,
        ("preserved",),
        _PRESERVED_UNTIL,
        Applies(bases=_bases(Basis.BC_29), direction=Direction.INCOMING),
        "Budapest Convention Art. 16(2)",
        "V",
        warnings=(14 * DAY, 3 * DAY),
        extension=90 * DAY,
        renewable=True,
    ),
    ClockRule(
        "epoc_10d",
        "EPOC: data transmitted at the latest 10 days after receipt",
        10 * DAY,
        ("received",),
        _ANSWERED,
        Applies(bases=_bases(Basis.EPOC), emergency=False),
        f"{_EU} Art. 10(2); Art. 8(4) (notification suspends it)",
        "V",
        pause="restart",
    ),
    ClockRule(
        "epoc_8h",
        "Emergency EPOC: data transmitted at the latest 8 hours after receipt",
        8 * HOUR,
        ("received",),
        _ANSWERED,
        Applies(bases=_bases(Basis.EPOC), emergency=True),
        f"{_EU} Art. 10(4)",
        "V",
        pause="restart",
    ),
    ClockRule(
        "ea_review_10d",
        "Enforcing authority: grounds for refusal raised within 10 days",
        10 * DAY,
        ("notified", "received"),
        ("ea_decision", *_ANSWERED),
        Applies(bases=_bases(Basis.EPOC), emergency=False, data=frozenset({"traffic", "content"})),
        f"{_EU} Art. 12(1) and Art. 8(1)",
        "V",
    ),
    ClockRule(
        "ea_objection_96h",
        "Emergency EPOC: the enforcing authority may object within 96 hours",
        96 * HOUR,
        ("notified", "received"),
        ("ea_decision",),
        Applies(bases=_bases(Basis.EPOC), emergency=True, data=frozenset({"traffic", "content"})),
        f"{_EU} Art. 12(1) (96 h), Art. 10(4) and Art. 8",
        "V",
    ),
    ClockRule(
        "epoc_pr_60d",
        "EPOC-PR: preservation ceases after 60 days unless extended by 30",
        60 * DAY,
        ("preserved",),
        _PRESERVED_UNTIL,
        Applies(bases=_bases(Basis.EPOC_PR)),
        f"{_EU} Art. 11(1)",
        "V",
        warnings=(14 * DAY, 3 * DAY),
        extension=30 * DAY,
    ),
    ClockRule(
        "emergency_validation_48h",
        "Emergency order issued unvalidated: validate within 48 hours",
        48 * HOUR,
        ("issued",),
        ("validated",),
        Applies(
            bases=_bases(Basis.EPOC, Basis.EPOC_PR), direction=Direction.OUTGOING, emergency=True
        ),
        f"{_EU} Art. 4(5)",
        "S",
    ),
    ClockRule(
        "correction_5d",
        "Order found incomplete or erroneous: corrected within 5 days",
        5 * DAY,
        (CLARIFICATION,),
        ("resumed",),
        Applies(bases=_bases(Basis.EPOC, Basis.EPOC_PR)),
        "ETSI TS 104 144 V1.2.1 (Form 3 correction)",
        "S",
        start="last",
    ),
    ClockRule(
        "p2_7_fallback_30d",
        "Direct order unanswered after 30 days: Art. 8 or MLA may follow",
        30 * DAY,
        ("received",),
        _ANSWERED,
        Applies(bases=_bases(Basis.P2_7)),
        "Second Additional Protocol (CETS 224) Art. 7(7)",
        "M",
        pause="resume",
    ),
    ClockRule(
        "p2_8_serve_45d",
        "Order given effect: served on the provider within 45 days",
        45 * DAY,
        ("received",),
        ("served", *_ANSWERED),
        Applies(bases=_bases(Basis.P2_8)),
        "Second Additional Protocol (CETS 224) Art. 8(6)",
        "M",
        pause="resume",
    ),
    ClockRule(
        "p2_8_subscriber_20d",
        "Subscriber information produced within 20 days of service",
        20 * DAY,
        ("served",),
        _ANSWERED,
        Applies(bases=_bases(Basis.P2_8), data=frozenset({"subscriber"})),
        "Second Additional Protocol (CETS 224) Art. 8(6)",
        "M",
        pause="resume",
    ),
    ClockRule(
        "p2_8_traffic_45d",
        "Traffic data produced within 45 days of service",
        45 * DAY,
        ("served",),
        _ANSWERED,
        Applies(bases=_bases(Basis.P2_8), data=frozenset({"traffic"})),
        "Second Additional Protocol (CETS 224) Art. 8(6)",
        "M",
        pause="resume",
    ),
)
RULE = {rule.name: rule for rule in RULES}
