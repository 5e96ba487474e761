"""The legal bases of a request for assistance: a closed list, and each one's required elements.

Every basis names the instrument and article it rests on (``RULES``); every element names the
paragraph that asks for it (``ELEMENTS``). A request missing a required element is refused with
the element named (``missing``/``require``). The table is the law as written: the source beside
each entry, ``verified`` where it was read in the text itself (``docs/assistance.md`` lists which
were not). One element id means one thing on every basis (``authority``, ``offence``, ``data``…).
"""

from __future__ import annotations

from collections.abc import Mapping

from tocsin.errors import InvalidValue
from tocsin.model.assist.elements import ELEMENTS
from tocsin.model.assist.instruments import RULES, Aim, Basis, BasisRule, Element

__all__ = [
    "ELEMENTS",
    "RULES",
    "Aim",
    "Basis",
    "BasisRule",
    "Element",
    "elements",
    "missing",
    "require",
    "unknown",
]


def elements(basis: Basis) -> tuple[Element, ...]:
    return ELEMENTS[basis]


def missing(basis: Basis, given: Mapping[str, str]) -> list[Element]:
    """The required elements of ``basis`` that ``given`` lacks; blank text counts as missing."""
    return [e for e in ELEMENTS[basis] if e.required and not str(given.get(e.id) or "").strip()]


def unknown(basis: Basis, given: Mapping[str, str]) -> list[str]:
    """The ids in ``given`` that are no element of ``basis``."""
    known = {e.id for e in ELEMENTS[basis]}
    return [key for key in given if key not in known]


def require(basis: Basis, given: Mapping[str, str]) -> None:
    """Refuse elements ``basis`` does not know, then the first required element missing:
    ``InvalidValue`` on ``elements.<id>`` naming the element and the paragraph asking for it."""
    strange = unknown(basis, given)
    if strange:
        known = ", ".join(e.id for e in ELEMENTS[basis])
        raise InvalidValue(
            f"elements.{strange[0]}", given[strange[0]], f"not an element of {basis} ({known})"
        )
    absent = missing(basis, given)
    if absent:
        first = absent[0]
        more = f"; also missing: {', '.join(e.id for e in absent[1:])}" if absent[1:] else ""
        raise InvalidValue(
            f"elements.{first.id}",
            given.get(first.id, ""),
            f"missing: {first.label} ({first.source}){more}",
        )
