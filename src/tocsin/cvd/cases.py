"""Coordinated vulnerability disclosure: a case from its report to its advisory — read, create,
move through its workflow, assign, update, concern — each change in one transaction with its audit
entry. Vendors, products and the communication log are in ``parties``; who may see and change a
case is decided in ``access``.

Staff read cases (TLP:RED ones: leads, admins, auditors and the handler); admins, leads and
analysts change them. The reporter's contact is personal data: leads, admins and the case's
handler read it, and each reading is audited. Once published, a change to what the advisory says
adds a revision to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tocsin.cvd.access import (
    CONTACT_READERS,
    can_see,
    changeable,
    may_read_contact,
    visible,
)
from tocsin.cvd.fields import clean_fields, text_field
from tocsin.cvd.parties import REPORTER, CvdParties
from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.formats.csaf import EmbargoInForce, Publisher
from tocsin.formats.csaf import advisory as csaf_advisory
from tocsin.model import access
from tocsin.model.constituent import sector as sanitize_sector
from tocsin.model.cvd import (
    WORKFLOW,
    Case,
    Credit,
    Message,
    ProductStatus,
    Revision,
    State,
    VendorStatus,
    public_id,
)
from tocsin.model.cvd_ids import name_and_version, product_identifier
from tocsin.model.limits import limit_of
from tocsin.model.people import Principal
from tocsin.model.workflow import Check, IllegalTransition, Workflow
from tocsin.store.shapes import Transaction


class Cvd(CvdParties):
    """The CVD service; ``now`` is injected so that tests move time (embargoes included)."""

    workflow: Workflow[State] = WORKFLOW

    # -- reading ---------------------------------------------------------------------------------

    def get(self, who: Principal, case_id: int) -> Case:
        return visible(who, self.cvd.case(case_id))

    def by_public_id(self, who: Principal, public: str) -> Case:
        return visible(who, self.cvd.case_by_public_id(public.strip().upper()))

    def list_cases(
        self, who: Principal, *, state: str | None = None, limit: int = 100
    ) -> list[Case]:
        access.require(who, *access.STAFF)
        wanted = InvalidValue.check("state", state, State.parse) if state else None
        return [c for c in self.cvd.cases(state=wanted, limit=limit) if can_see(who, c)]

    def messages(self, who: Principal, case_id: int) -> list[Message]:
        return self.cvd.messages(self.get(who, case_id).id)

    def may_read_contact(self, who: Principal, case: Case) -> bool:
        return may_read_contact(who, case)

    def contact(self, who: Principal, case_id: int) -> str:
        """The reporter's contact details: for leads, admins and the handler; each reading is
        written to the audit log."""
        case = self.get(who, case_id)
        if not self.may_read_contact(who, case):
            raise Forbidden("only the case's handler, leads and admins read a reporter's contact")
        with self.store.transaction() as conn:
            self._audit(conn, who, case, "cvd.contact_read", {})
        return self.cvd.reporter_contact(case.id)

    def affected_constituents(self, case_id: int) -> list[str]:
        """The constituents the advisory concerns: those named on the case and every one of its
        sectors, as the registry has them now. Notify them only once the case is published."""
        case = self.cvd.case(case_id)
        if case is None:
            raise NotFound("no such vulnerability case")
        named, sectors = set(case.constituents), set(case.sectors)
        found = {
            c.name for c in self.store.constituents() if c.name in named or c.sector in sectors
        }
        return sorted(found)

    def advisory(
        self, who: Principal, case_id: int, *, publisher: Publisher, draft: bool = False
    ) -> dict[str, Any]:
        """The CSAF 2.0 advisory; a final one only for a published case past its embargo."""
        case = self.get(who, case_id)
        document = csaf_advisory(case, publisher=publisher, now=self.now(), draft=draft)
        tracking = document["document"]["tracking"]
        with self.store.transaction() as conn:
            self._audit(
                conn,
                who,
                case,
                "cvd.advisory",
                {"status": tracking["status"], "version": tracking["version"]},
            )
        return document

    # -- creating --------------------------------------------------------------------------------

    def create(
        self,
        who: Principal,
        *,
        title: str,
        reporter: str,
        contact: str = "",
        credit: str = "name",
        anonymous: bool = False,
        vendors: Sequence[str] = (),
        products: Sequence[tuple[str, str]] = (),  # (vendor, CPE name or purl)
        org_id: int | None = None,
        **details: str | None,  # description, impact, tlp, cvss, cwe_id, cwe_name, cve_id, embargo…
    ) -> Case:
        """A new case in state received, with its vendors and (affected) products."""
        access.require(who, *access.WRITERS, scope="write")
        owner = org_id if org_id is not None else who.org_id
        if owner is None:
            raise InvalidValue("org_id", None, "a vulnerability case belongs to an organisation")
        chosen = InvalidValue.check("credit", credit, Credit)
        if anonymous and chosen is Credit.NAME:
            raise InvalidValue("credit", credit, "an anonymous reporter is not credited by name")
        now = self.now()
        values = {
            "org_id": owner,
            "state": State.RECEIVED,
            "tlp": "AMBER",
            "description": "",
            "impact": "",
            "reporter_name": text_field("reporter", reporter, limit_of("cvd.reporter")),
            "reporter_contact": text_field(
                "contact", contact, limit_of("cvd.contact"), required=False
            ),
            "credit": chosen,
            "anonymous": bool(anonymous),
            "handler_id": who.user_id,
            "audience": {"constituents": [], "sectors": []},
            "revisions": (),
            "received_at": now,
            **clean_fields({"title": title, **details}),
        }
        wanted = [
            (
                text_field("vendor", v, limit_of("cvd.vendor")),
                InvalidValue.check("product", i, product_identifier),
            )
            for v, i in products
        ]
        names: dict[str, str] = {}  # the first spelling of each vendor
        for name in [
            *(text_field("vendor", v, limit_of("cvd.vendor")) for v in vendors),
            *(v for v, _ in wanted),
        ]:
            names.setdefault(name.casefold(), name)
        with self.store.transaction() as conn:
            year = datetime.fromtimestamp(now, tz=UTC).year
            number = self.cases.next_number(conn, f"cvd:{year}")
            case_id = self.cvd.add_case(conn, {**values, "public_id": public_id(year, number)})
            ids = {k: self.cvd.add_vendor(conn, case_id, v) for k, v in names.items()}
            for vendor, identifier in dict.fromkeys(wanted):
                name, version = name_and_version(identifier)
                self.cvd.add_product(
                    conn,
                    case_id,
                    {
                        "vendor_id": ids[vendor.casefold()],
                        "name": name,
                        "version": version,
                        "identifier": identifier,
                        "status": ProductStatus.AFFECTED,
                    },
                )
            case = self._read(conn, case_id)
            self._audit(
                conn,
                who,
                case,
                "cvd.create",
                {"title": case.title, "vendors": len(case.vendors), "products": len(case.products)},
            )
        return case

    # -- the workflow ----------------------------------------------------------------------------

    def move(
        self,
        who: Principal,
        case_id: int,
        state: str,
        *,
        comment: str = "",
        duplicate_of: str | None = None,
    ) -> Case:
        wanted = InvalidValue.check("state", state, State.parse)
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            now = self.now()
            try:
                self.workflow.check(case.state, wanted, _guards(case, now))
            except IllegalTransition as exc:
                raise Conflict(str(exc)) from None
            changes: dict[str, Any] = {"state": wanted}
            details: dict[str, Any] = {"from": case.state.value, "to": wanted.value}
            if wanted is State.TRIAGED:
                changes.update(triaged_at=case.triaged_at or now, closed_at=None)
            elif wanted is State.PUBLISHED:
                changes.update(published_at=now, revisions=(Revision(now, 1, "Initial release."),))
            elif wanted is State.DUPLICATE:
                original = self._original(who, case, duplicate_of, conn)
                changes.update(duplicate_of=original, closed_at=now)
                details["of"] = original
            elif wanted is State.REJECTED:
                changes["closed_at"] = now
            if comment.strip():
                details["comment"] = text_field("comment", comment, limit_of("cvd.comment"))
            self.cvd.update_case(conn, case.id, **changes)
            self._audit(conn, who, case, "cvd.transition", details)
            return self._read(conn, case.id)

    def _original(self, who: Principal, case: Case, given: str | None, conn: Transaction) -> str:
        if not given:
            raise InvalidValue("duplicate_of", given, "name the case this one duplicates")
        original = self.cvd.case_by_public_id(given.strip().upper(), conn)
        if original is None or not can_see(who, original):
            raise NotFound(f"no vulnerability case {given}")
        if original.id == case.id:
            raise InvalidValue("duplicate_of", given, "a case cannot duplicate itself")
        return original.public_id

    def assign(self, who: Principal, case_id: int, handler_id: int | None) -> Case:
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            name = "nobody"
            if handler_id is not None:
                user = self.store.people.user(handler_id)
                name = access.assignee(
                    "handler", handler_id, user, case.org_id, work="handle cases"
                )
            self.cvd.update_case(conn, case.id, handler_id=handler_id)
            self._audit(conn, who, case, "cvd.assign", {"handler": name})
            return self._read(conn, case.id)

    def update(self, who: Principal, case_id: int, **fields: str | None) -> Case:
        """Change what the advisory will say: title, description, impact, tlp, cvss, cwe_id
        (with cwe_name), cve_id, embargo (with zone; ``""`` lifts it). Fields not given stay."""
        changes = clean_fields({k: v for k, v in fields.items() if v is not None})
        if not changes:
            raise InvalidValue("changes", None, "nothing to change")
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            if "embargo_at" in changes and case.state is State.PUBLISHED:
                raise Conflict("the case is published: its embargo is over")
            self.cvd.update_case(conn, case.id, **changes)
            self._revise(conn, case, "Updated: " + ", ".join(sorted(changes)) + ".")
            shown = {k: v for k, v in changes.items() if k not in ("description", "impact")}
            self._audit(conn, who, case, "cvd.update", {"fields": sorted(changes), **shown})
            return self._read(conn, case.id)

    def concern(
        self,
        who: Principal,
        case_id: int,
        *,
        constituents: Sequence[str] = (),
        sectors: Sequence[str] = (),
    ) -> Case:
        """Name the constituents (and sectors) the advisory concerns: they are notified."""
        known = {c.name for c in self.store.constituents()}
        names = list(dict.fromkeys(n.strip() for n in constituents if n.strip()))
        for name in names:
            if name not in known:
                raise InvalidValue("constituent", name, "not in the constituency registry")
        chosen = list(
            dict.fromkeys(InvalidValue.check("sector", s, sanitize_sector) for s in sectors)
        )
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            audience = {"constituents": names, "sectors": chosen}
            self.cvd.update_case(conn, case.id, audience=audience)
            self._audit(conn, who, case, "cvd.concern", audience)
            return self._read(conn, case.id)


# -- the guards of the workflow's moves ---------------------------------------------------------


def _guards(case: Case, now: int) -> dict[str, Check]:
    """The checks behind the guards that ``WORKFLOW`` names, for this case at ``now``."""

    def every_vendor_contacted() -> None:
        waiting = [v.name for v in case.vendors if v.status is VendorStatus.NOT_CONTACTED]
        if not case.vendors or waiting:
            who_not = ", ".join(waiting) or "no vendor is named"
            raise Conflict(f"contact every vendor first: {who_not}")

    def products_named() -> None:
        if not case.products:
            raise Conflict("name the affected products before publishing")

    def embargo_over() -> None:
        if case.embargo is not None and now < case.embargo.at:
            raise EmbargoInForce(case.embargo)

    return {
        "every vendor contacted": every_vendor_contacted,
        "products named": products_named,
        "embargo over": embargo_over,
    }


__all__ = ["CONTACT_READERS", "REPORTER", "Cvd"]
