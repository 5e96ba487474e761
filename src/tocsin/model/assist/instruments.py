"""The instruments a request for assistance rests on: the closed list of legal bases, the
article of each, what a request on it aims at, and the shape of an element it carries.

``bases`` is where the rest of Tocsin reads them, with each basis's elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Basis(StrEnum):
    """A request's legal basis. The value is the code people and the API use."""

    BC_29 = "BC-29"  # Budapest Convention Art. 29: expedited preservation of stored data
    BC_30 = "BC-30"  # Art. 30: expedited disclosure of preserved traffic data
    BC_31 = "BC-31"  # Art. 31: mutual assistance regarding accessing stored data
    BC_32 = "BC-32"  # Art. 32: trans-border access with consent or where publicly available
    BC_33 = "BC-33"  # Art. 33: real-time collection of traffic data
    BC_34 = "BC-34"  # Art. 34: interception of content data
    BC_35 = "BC-35"  # Art. 35: the 24/7 network's advice and assistance
    P2_6 = "P2-6"  # Second Protocol Art. 6: domain name registration information
    P2_7 = "P2-7"  # Art. 7: disclosure of subscriber information (direct order)
    P2_8 = "P2-8"  # Art. 8: giving effect to orders for subscriber information and traffic data
    P2_9 = "P2-9"  # Art. 9: expedited disclosure of stored data in an emergency
    P2_10 = "P2-10"  # Art. 10: emergency mutual assistance
    EPOC = "EPOC"  # Regulation (EU) 2023/1543: European Production Order Certificate
    EPOC_PR = "EPOC-PR"  # Regulation (EU) 2023/1543: European Preservation Order Certificate
    EIO = "EIO"  # Directive 2014/41/EU: European Investigation Order
    UN_CC = "UN-CC"  # UN Convention against Cybercrime (2024)
    BILATERAL = "BILATERAL"  # a bilateral mutual legal assistance treaty

    @classmethod
    def parse(cls, value: Any) -> Basis:
        """``bc-29``, ``BC 29`` and ``BC_29`` are one basis."""
        text = str(value).strip().upper().replace("_", "-").replace(" ", "-")
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(b.value for b in cls)
            raise ValueError(f"not a legal basis ({names})") from None


class Aim(StrEnum):
    """What a request on a basis seeks to obtain."""

    PRESERVATION = "preservation"  # the data kept until a later request obtains them
    DISCLOSURE = "disclosure"  # enough traffic data to find the next provider (Art. 30)
    PRODUCTION = "production"  # stored data handed over
    ACCESS = "access"  # data reached without the other Party's help (Art. 32)
    REAL_TIME = "real_time"  # traffic data collected as it flows
    INTERCEPTION = "interception"  # content data collected as it flows
    ADVICE = "advice"  # the 24/7 network's technical and legal advice
    ASSISTANCE = "assistance"  # any measure of mutual legal assistance


@dataclass(frozen=True, slots=True)
class Element:
    """One element a request on a basis carries: ``id`` is its key in ``Request.elements``,
    ``label`` the words on the form, ``source`` the paragraph that asks for it; ``verified`` when
    the paragraph was read in the instrument's text."""

    id: str
    label: str
    source: str
    required: bool = True
    verified: bool = False


@dataclass(frozen=True, slots=True)
class BasisRule:
    """A basis: its ``instrument`` and ``article``, the ``aim`` of a request on it, and whether it
    is an emergency type (only sent where life or safety is at imminent risk)."""

    basis: Basis
    instrument: str
    article: str
    aim: Aim
    emergency: bool = False

    @property
    def citation(self) -> str:
        return f"{self.instrument} {self.article}"


BC = "Budapest Convention"
P2 = "Second Additional Protocol to the Budapest Convention"
EEV = "Regulation (EU) 2023/1543"
EIOD = "Directive 2014/41/EU"
UNCC = "UN Convention against Cybercrime"

RULES: dict[Basis, BasisRule] = {
    Basis.BC_29: BasisRule(Basis.BC_29, BC, "Art. 29", Aim.PRESERVATION),
    Basis.BC_30: BasisRule(Basis.BC_30, BC, "Art. 30", Aim.DISCLOSURE),
    Basis.BC_31: BasisRule(Basis.BC_31, BC, "Art. 31", Aim.PRODUCTION),
    Basis.BC_32: BasisRule(Basis.BC_32, BC, "Art. 32", Aim.ACCESS),
    Basis.BC_33: BasisRule(Basis.BC_33, BC, "Art. 33", Aim.REAL_TIME),
    Basis.BC_34: BasisRule(Basis.BC_34, BC, "Art. 34", Aim.INTERCEPTION),
    Basis.BC_35: BasisRule(Basis.BC_35, BC, "Art. 35", Aim.ADVICE),
    Basis.P2_6: BasisRule(Basis.P2_6, P2, "Art. 6", Aim.PRODUCTION),
    Basis.P2_7: BasisRule(Basis.P2_7, P2, "Art. 7", Aim.PRODUCTION),
    Basis.P2_8: BasisRule(Basis.P2_8, P2, "Art. 8", Aim.PRODUCTION),
    Basis.P2_9: BasisRule(Basis.P2_9, P2, "Art. 9", Aim.PRODUCTION, emergency=True),
    Basis.P2_10: BasisRule(Basis.P2_10, P2, "Art. 10", Aim.ASSISTANCE, emergency=True),
    Basis.EPOC: BasisRule(Basis.EPOC, EEV, "Art. 5 and Annex I", Aim.PRODUCTION),
    Basis.EPOC_PR: BasisRule(Basis.EPOC_PR, EEV, "Art. 6 and Annex II", Aim.PRESERVATION),
    Basis.EIO: BasisRule(Basis.EIO, EIOD, "Art. 5 and Annex A", Aim.ASSISTANCE),
    Basis.UN_CC: BasisRule(Basis.UN_CC, UNCC, "Art. 40", Aim.ASSISTANCE),
    Basis.BILATERAL: BasisRule(
        Basis.BILATERAL, "a bilateral treaty", "its request article", Aim.ASSISTANCE
    ),
}
