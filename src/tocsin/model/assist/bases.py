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
    "LINKS",
    "RULES",
    "Aim",
    "Basis",
    "BasisRule",
    "Element",
    "check_known",
    "check_link",
    "elements",
    "linkable",
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


def check_known(basis: Basis, given: Mapping[str, str]) -> None:
    """Refuse the first element ``basis`` does not know: ``InvalidValue`` on ``elements.<id>``,
    listing the elements it knows (a draft may lack elements, never carry a stranger)."""
    strange = unknown(basis, given)
    if strange:
        known = ", ".join(e.id for e in ELEMENTS[basis])
        raise InvalidValue(
            f"elements.{strange[0]}", given[strange[0]], f"not an element of {basis} ({known})"
        )


def require(basis: Basis, given: Mapping[str, str]) -> None:
    """Refuse elements ``basis`` does not know, then the first required element missing:
    ``InvalidValue`` on ``elements.<id>`` naming the element and the paragraph asking for it."""
    check_known(basis, given)
    absent = missing(basis, given)
    if absent:
        first = absent[0]
        more = f"; also missing: {', '.join(e.id for e in absent[1:])}" if absent[1:] else ""
        raise InvalidValue(
            f"elements.{first.id}",
            given.get(first.id, ""),
            f"missing: {first.label} ({first.source}){more}",
        )


# How a request may follow another (``Request.link``; the values of ``request.Link``): the
# bases a child may have, given its parent's, with the paragraph that makes the link.
_MLA = (Basis.BC_31, Basis.P2_8, Basis.EPOC, Basis.EIO, Basis.UN_CC, Basis.BILATERAL)
LINKS: dict[tuple[str, Basis], tuple[tuple[Basis, ...], str]] = {
    # the preservation holds the data for the request for mutual assistance it announced,
    # under whatever instrument binds the two Parties
    ("follow_up", Basis.BC_29): (_MLA, "Budapest Convention Art. 29(1), 29(2)(f)"),
    # preserved for a subsequent request for production: an EPOC, an EIO or mutual assistance
    ("follow_up", Basis.EPOC_PR): (
        (Basis.EPOC, Basis.EIO, Basis.BC_31, Basis.UN_CC, Basis.BILATERAL),
        "Regulation (EU) 2023/1543 Annex II",
    ),
    # the disclosed path names a provider in a third State: preservation is asked there next
    ("next_hop", Basis.BC_29): ((Basis.BC_29,), "Budapest Convention Art. 30(1)"),
    ("next_hop", Basis.BC_30): ((Basis.BC_29,), "Budapest Convention Art. 30(1)"),
}


def linkable(link: str, parent: Basis) -> tuple[Basis, ...]:
    """The bases a request that follows a ``parent`` request by ``link`` may have."""
    return LINKS.get((str(link), parent), ((), ""))[0]


def check_link(link: str, parent: Basis, child: Basis) -> None:
    """Refuse a link the instruments do not make: ``InvalidValue`` on ``basis``, naming the
    bases the link allows and the paragraph that allows them."""
    allowed, source = LINKS.get((str(link), parent), ((), ""))
    if child in allowed:
        return
    kind = str(link).replace("_", " ")
    if not allowed:
        raise InvalidValue("basis", child.value, f"a {parent} request has no {kind}")
    names = ", ".join(b.value for b in allowed)
    raise InvalidValue(
        "basis", child.value, f"a {kind} of a {parent} request is one of: {names} ({source})"
    )
