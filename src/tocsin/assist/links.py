"""How requests hang together: a request linked to the incidents it serves, a follow-up that
obtains what a preservation kept (Budapest Art. 29 → Art. 31; EPOC-PR → EPOC), and the next hop
(an Art. 30 answer names a provider in another country: an Art. 29 request to that country).

A follow-up and a next hop are new drafts, pre-filled from the request they follow (its elements
the new basis shares, identifiers, safeguards, TLP, emergency), with ``parent_id`` and ``link``
set; each is audited on both requests.
"""

from __future__ import annotations

from typing import Any

from tocsin.assist.access import changeable
from tocsin.assist.drafts import Drafts
from tocsin.assist.record import Result
from tocsin.errors import InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.assist.bases import ELEMENTS, Basis
from tocsin.model.assist.request import Contact, Direction, Link, Request
from tocsin.model.people import Principal

FOLLOW_UPS = {
    Basis.BC_29: Basis.BC_31,  # Budapest Art. 29(3)…(7): preserved pending a request under Art. 31
    Basis.EPOC_PR: Basis.EPOC,  # Regulation 2023/1543 Art. 11(1): preserved pending production
}
NEXT_HOP_FROM = frozenset({Basis.BC_29, Basis.BC_30})  # Budapest Art. 30(1): another State's
# provider was involved in the transmission; the next hop is preserved there under Art. 29


class Links(Drafts):
    """Links to incidents, follow-ups and next hops."""

    def link_incident(self, who: Principal, request_id: int, incident_id: int) -> Request:
        """Link an incident of the same team that ``who`` may see."""
        with self.store.transaction() as conn:
            request = changeable(who, self.assist.request(request_id, conn))
            incident = self.store.cases.incident(incident_id, conn)
            if (
                incident is None
                or incident.org_id != request.org_id
                or not access.can_see(who, incident)
            ):
                raise NotFound("no such incident")
            if self.assist.link_incident(conn, request.id, incident.id):
                self._audit(conn, who, request, "assist.link_incident", {"incident": incident.id})
            return self._read(conn, request.id)

    def follow_up(self, who: Principal, request_id: int, *, title: str = "") -> Result:
        """The request that obtains what this one preserved: Art. 29 → Art. 31, EPOC-PR → EPOC,
        to the same counterpart."""
        parent = self.get(who, request_id)
        basis = FOLLOW_UPS.get(parent.basis)
        if basis is None:
            follows = ", ".join(f"{a} → {b}" for a, b in FOLLOW_UPS.items())
            raise InvalidValue("basis", parent.basis.value, f"no follow-up ({follows})")
        elements = _shared(parent, basis)
        earlier = f"{parent.ref}" + (f" ({parent.their_ref})" if parent.their_ref else "")
        key = "preservation_ref" if basis is Basis.BC_31 else "earlier_orders"
        elements[key] = earlier
        return self._child(
            who,
            parent,
            Link.FOLLOW_UP,
            basis=basis.value,
            title=title or f"Follow-up of {parent.ref}: {parent.title}",
            elements=elements,
            counterpart_id=parent.counterpart_id,
            direction=parent.direction.value,
        )

    def next_hop(
        self,
        who: Principal,
        request_id: int,
        *,
        country: str,
        provider: str,
        contact_id: int | None = None,
        title: str = "",
    ) -> Result:
        """From an Art. 30 answer naming a provider in another country: an Art. 29 request to
        that country's 24/7 contact (``contact_id``, else the directory's 24/7 contact there)."""
        parent = self.get(who, request_id)
        if parent.basis not in NEXT_HOP_FROM or parent.direction is not Direction.OUTGOING:
            raise InvalidValue(
                "basis", parent.basis.value, "a next hop follows an outgoing Art. 29 or 30 request"
            )
        contact = self._hop_contact(parent, country, contact_id)
        elements = _shared(parent, Basis.BC_29)
        elements["custodian"] = f"{provider.strip()} ({contact.country})"
        return self._child(
            who,
            parent,
            Link.NEXT_HOP,
            basis=Basis.BC_29.value,
            title=title or f"Next hop of {parent.ref}: {provider.strip()} ({contact.country})",
            elements=elements,
            counterpart_id=contact.id,
            direction=Direction.OUTGOING.value,
            language=contact.languages[0] if contact.languages else parent.language,
        )

    def _hop_contact(self, parent: Request, country: str, contact_id: int | None) -> Contact:
        code = str(country).strip().upper()
        here = self.assist.contact(parent.counterpart_id) if parent.counterpart_id else None
        if here is not None and here.country == code:
            raise InvalidValue("country", country, "the next hop is in another country")
        if contact_id is not None:
            contact = self.assist.contact(contact_id)
            if contact is None or contact.country != code:
                raise InvalidValue("contact", contact_id, f"not a contact in {code}")
            return contact
        found = [c for c in self.assist.contacts(country=code) if c.kind == "24/7"]
        if not found:
            raise InvalidValue("country", country, "no 24/7 contact there in the directory")
        return found[0]

    def _child(self, who: Principal, parent: Request, link: Link, **values: Any) -> Result:
        return self.create(
            who,
            identifiers=parent.identifiers,
            safeguards=parent.safeguards,
            their_ref="",
            emergency=parent.emergency,
            urgent=parent.urgent,
            justification=parent.justification,
            tlp=parent.tlp,
            org_id=parent.org_id,
            parent=(parent.id, link),
            **{"language": parent.language, **values},
        )


def _shared(parent: Request, basis: Basis) -> dict[str, str]:
    """The parent's elements that ``basis`` also has (one id means one thing on every basis)."""
    wanted = {e.id for e in ELEMENTS[basis]}
    return {k: v for k, v in parent.elements.items() if k in wanted}


__all__ = ["FOLLOW_UPS", "NEXT_HOP_FROM", "Links"]
