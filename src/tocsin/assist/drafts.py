"""Reading the register of requests for assistance, creating a request (RFA-YYYY-NNNN from the
year's counter) and editing a draft; each change in one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tocsin.assist import fields
from tocsin.assist.access import can_see, changeable, reader, visible, writer
from tocsin.assist.directory import stale
from tocsin.assist.record import AssistRecord, Result, moment
from tocsin.errors import Conflict, InvalidValue
from tocsin.model.assist import bases, identifiers
from tocsin.model.assist.bases import Basis
from tocsin.model.assist.request import Direction, Identifier, Link, Request, Safeguards, Step
from tocsin.model.assist.states import State
from tocsin.model.people import Principal
from tocsin.store.shapes import Transaction

DRAFTS = frozenset({State.DRAFT, State.AWAITING_APPROVAL})  # what may still be edited


def elements_of(basis: Basis, given: Mapping[str, Any] | None) -> dict[str, str]:
    """The elements as given, each within its limit; an element the basis does not know is
    refused. A draft may lack required elements: the move that submits it names the first."""
    cleaned = {
        key: fields.text(f"elements.{key}", value, "assist.element", required=False)
        for key, value in (given or {}).items()
    }
    bases.check_known(basis, cleaned)
    return {k: v for k, v in cleaned.items() if v}


def identifiers_of(given: Sequence[Identifier | Mapping[str, Any]]) -> tuple[Identifier, ...]:
    """Identifiers checked by ``identifiers.parse`` (an ``Identifier`` is checked again)."""
    found: list[Identifier] = []
    for item in given:
        data = item.as_json() if isinstance(item, Identifier) else dict(item)
        unknown = sorted(set(data) - {"kind", "value", "port", "at", "tolerance", "flags"})
        if unknown or "kind" not in data or "value" not in data:
            raise InvalidValue("identifiers", data, "kind and value, with port, at, tolerance")
        found.append(
            identifiers.parse(
                data["kind"],
                data["value"],
                port=data.get("port"),
                at=data.get("at"),
                tolerance=data.get("tolerance") or 0,
            )
        )
    return tuple(dict.fromkeys(found))


class Drafts(AssistRecord):
    """Reading the register, creating a request and editing a draft."""

    # -- reading ---------------------------------------------------------------------------------

    def get(self, who: Principal, request_id: int) -> Request:
        return visible(who, self.assist.request(request_id))

    def by_ref(self, who: Principal, ref: str) -> Request:
        return visible(who, self.assist.request_by_ref(ref.strip().upper()))

    def find(self, who: Principal, ref: str) -> Request:
        """By reference (RFA-2026-0001) or by number."""
        text = ref.strip()
        return self.get(who, int(text)) if text.isdigit() else self.by_ref(who, text)

    def register(
        self,
        who: Principal,
        *,
        direction: str | None = None,
        state: str | None = None,
        basis: str | None = None,
        emergency: bool | None = None,
        limit: int = 200,
    ) -> list[Request]:
        """The register: incoming or outgoing, by state, basis or emergency; emergencies first,
        then the newest first."""
        reader(who)
        found = self.assist.requests(
            direction=InvalidValue.check("direction", direction, Direction) if direction else None,
            states=frozenset({InvalidValue.check("state", state, State.parse)}) if state else None,
            basis=InvalidValue.check("basis", basis, Basis.parse).value if basis else None,
            emergency=emergency,
            limit=limit,
        )
        return [r for r in found if can_see(who, r)]

    def steps(self, who: Principal, request_id: int) -> list[Step]:
        return self.assist.steps(self.get(who, request_id).id)

    def children(self, who: Principal, request_id: int) -> list[Request]:
        """The requests that follow this one (follow-ups and next hops)."""
        parent = self.get(who, request_id)
        return [r for r in self.assist.requests(parent_id=parent.id) if can_see(who, r)]

    def warnings(self, request: Request) -> tuple[str, ...]:
        """What the person should know about a request as it stands."""
        found: list[str] = []
        if request.counterpart_id is not None:
            contact = self.assist.contact(request.counterpart_id)
            if contact is not None and stale(contact, self.now()):
                found.append(
                    f"the counterpart {contact.authority} ({contact.country}) has not been "
                    "confirmed reachable for more than 12 months"
                )
        for identifier in request.identifiers:
            found.extend(f"{identifier.value}: {flag}" for flag in identifier.flags)
        found.extend(
            f"missing element {e.id}: {e.label} ({e.source})"
            for e in bases.missing(request.basis, request.elements)
        )
        return tuple(found)

    # -- creating and editing --------------------------------------------------------------------

    def create(
        self,
        who: Principal,
        *,
        basis: str,
        title: str,
        direction: str = "outgoing",
        elements: Mapping[str, Any] | None = None,
        identifiers: Sequence[Identifier | Mapping[str, Any]] = (),
        safeguards: Safeguards | Mapping[str, Any] | None = None,
        counterpart_id: int | None = None,
        their_ref: str = "",
        emergency: bool = False,
        urgent: bool = False,
        justification: str = "",
        tlp: str = "AMBER",
        language: str = "en",
        org_id: int | None = None,
        parent: tuple[int, Link] | None = None,
    ) -> Result:
        """A new request: an outgoing one as a draft, an incoming one as delivered (it reached
        us). Its reference RFA-YYYY-NNNN is taken from the year's counter in the same
        transaction."""
        writer(who)
        owner = org_id if org_id is not None else who.org_id
        if owner is None:
            raise InvalidValue("org_id", None, "a request for assistance belongs to a team")
        chosen = InvalidValue.check("basis", basis, Basis.parse)
        way = InvalidValue.check("direction", direction, Direction)
        now = self.now()
        values: dict[str, Any] = {
            "direction": way,
            "basis": chosen,
            "state": State.DRAFT if way is Direction.OUTGOING else State.DELIVERED,
            "org_id": owner,
            "counterpart_id": counterpart_id,
            "their_ref": fields.text("their_ref", their_ref, "assist.their_ref", required=False),
            "title": fields.text("title", title, "assist.title"),
            "emergency": bool(emergency),
            "urgent": bool(urgent or emergency),
            "justification": fields.text(
                "justification", justification, "assist.justification", required=False
            ),
            "elements": elements_of(chosen, elements),
            "identifiers": identifiers_of(identifiers),
            "safeguards": fields.safeguards(safeguards),
            "tlp": fields.label(tlp),
            "language": fields.language(language),
            "parent_id": parent[0] if parent else None,
            "link": parent[1] if parent else Link.NONE,
            "outcome": "",
            "outcome_note": "",
            "created_by": who.user_id,
            "approved_by": None,
            "created_at": now,
            "updated_at": now,
            "received_at": now if way is Direction.INCOMING else None,
        }
        with self.store.transaction() as conn:
            self._counterpart(conn, counterpart_id)
            year = moment(now).year
            number = self.store.cases.next_number(conn, f"rfa:{year}")
            request_id = self.assist.add_request(
                conn, {**values, "ref": f"RFA-{year}-{number:04d}"}
            )
            request = self._read(conn, request_id)
            self._step(conn, who, request.id, request.state, "created", direction=way.value)
            self._audit(
                conn,
                who,
                request,
                "assist.create",
                {
                    "basis": chosen.value,
                    "direction": way.value,
                    "title": request.title,
                    "emergency": request.emergency,
                    **({"parent": parent[0], "link": parent[1].value} if parent else {}),
                },
            )
            if parent:  # the request it follows says so too, in the same transaction
                earlier = self._read(conn, parent[0])
                self._audit(conn, who, earlier, f"assist.{parent[1].value}", {"child": request.ref})
        self._changed(request)  # an emergency alerts the duty officer (services.duty)
        return Result(request, self.warnings(request))

    def _counterpart(self, conn: Transaction, contact_id: int | None) -> None:
        if contact_id is not None and self.assist.contact(contact_id, conn) is None:
            raise InvalidValue("counterpart", contact_id, "not a contact of the directory")

    def update(self, who: Principal, request_id: int, **given: Any) -> Result:
        """Change a draft (or one awaiting approval): title, their_ref, elements (merged),
        identifiers, safeguards, counterpart_id, tlp, language, urgent, emergency. The written
        justification of an emergency may be given at any time before it closes."""
        with self.store.transaction() as conn:
            request = changeable(who, self.assist.request(request_id, conn))
            changes = self._changes(request, given)
            if set(changes) - {"justification"} and request.state not in DRAFTS:
                raise Conflict(f"a request {request.state.label} is no longer edited")
            if request.state is State.CLOSED:
                raise Conflict("a closed request is not edited")
            if "counterpart_id" in changes:
                self._counterpart(conn, changes["counterpart_id"])
            self.assist.update_request(conn, request.id, **changes, updated_at=self.now())
            self._audit(conn, who, request, "assist.update", {"fields": sorted(changes)})
            found = self._read(conn, request.id)
        self._changed(found)
        return Result(found, self.warnings(found))

    def _changes(self, request: Request, given: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, value in given.items():
            if value is None:
                continue
            if key == "elements":
                changes[key] = elements_of(request.basis, {**request.elements, **value})
            elif key == "safeguards":
                merged = {**request.safeguards.as_json(), **_as_mapping(value)}
                changes[key] = fields.safeguards(merged)
            elif key in _EDITS:
                changes[key] = _EDITS[key](value)
            else:
                raise InvalidValue(key, value, "not a field of a request that can be changed")
        if not changes:
            raise InvalidValue("changes", None, "nothing to change")
        return changes


_EDITS: dict[str, Callable[[Any], Any]] = {
    "title": lambda v: fields.text("title", v, "assist.title"),
    "their_ref": lambda v: fields.text("their_ref", v, "assist.their_ref", required=False),
    "justification": lambda v: fields.text(
        "justification", v, "assist.justification", required=False
    ),
    "identifiers": identifiers_of,
    "counterpart_id": lambda v: int(v),
    "urgent": bool,
    "emergency": bool,
    "tlp": fields.label,
    "language": fields.language,
}


def _as_mapping(value: Safeguards | Mapping[str, Any]) -> dict[str, Any]:
    return value.as_json() if isinstance(value, Safeguards) else dict(value)


__all__ = ["DRAFTS", "Drafts", "elements_of", "identifiers_of"]
