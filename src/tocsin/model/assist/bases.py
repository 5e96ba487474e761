"""The legal bases of a request for assistance: a closed list, and each one's required elements.

Every basis names the instrument and article it rests on; every element names the paragraph that
asks for it. A request missing a required element is refused with the element named
(``missing``/``require``). The table is the law as written: cite the article beside each entry.
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


@dataclass(frozen=True, slots=True)
class Element:
    """One element a request on a basis carries: ``id`` is its key in ``Request.elements``,
    ``label`` the words on the form, ``source`` the paragraph that asks for it."""

    id: str
    label: str
    source: str
    required: bool = True


_ART29 = "Budapest Convention Art. 29(2)"
ELEMENTS: dict[Basis, tuple[Element, ...]] = {
    Basis.BC_29: (
        Element("authority", "Authority seeking the preservation", f"{_ART29}(a)"),
        Element("offence", "Offence under investigation", f"{_ART29}(b)"),
        Element("facts", "Brief summary of the related facts", f"{_ART29}(b)"),
        Element("data", "Stored computer data to be preserved", f"{_ART29}(c)"),
        Element("relation", "Relationship of the data to the offence", f"{_ART29}(c)"),
        Element("custodian", "Custodian of the data or location of the system", f"{_ART29}(d)"),
        Element("necessity", "Necessity of the preservation", f"{_ART29}(e)"),
        Element(
            "mla_intent", "Intention to submit a request for mutual assistance", f"{_ART29}(f)"
        ),
    ),
    # The other bases are declared in the same way, each element citing its paragraph.
}
