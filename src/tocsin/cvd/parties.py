"""The parties of a vulnerability case: its vendors and their products, and the communication log
of what was said to or heard from each. A change to what a published advisory says adds a
revision to it."""

from __future__ import annotations

from typing import Any

from tocsin.cvd.access import changeable
from tocsin.cvd.fields import text_field
from tocsin.cvd.record import CvdRecord
from tocsin.errors import Conflict, InvalidValue, NotFound
from tocsin.model.cvd import Case, Direction, Message, ProductStatus, VendorStatus, vendor_dates
from tocsin.model.cvd_ids import name_and_version, product_identifier
from tocsin.model.limits import limit_of
from tocsin.model.people import Principal
from tocsin.model.tlp import tlp as sanitize_tlp

REPORTER = "reporter"  # the party name of the reporter in the communication log


class CvdParties(CvdRecord):
    """Vendors, products and the communication log of the CVD service."""

    # -- vendors and products --------------------------------------------------------------------

    def set_vendor(
        self,
        who: Principal,
        case_id: int,
        name: str,
        status: str | None = None,
        *,
        advice: str | None = None,
    ) -> Case:
        """Add a vendor (when new) and set its status or advice to users."""
        vendor_name = text_field("vendor", name, limit_of("cvd.vendor"))
        wanted = InvalidValue.check("status", status, VendorStatus.parse) if status else None
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            vendor = case.vendor(vendor_name)
            if vendor is None:
                self.cvd.add_vendor(conn, case.id, vendor_name)
                vendor = self._read(conn, case.id).vendor(vendor_name)
                assert vendor is not None
                self._audit(conn, who, case, "cvd.vendor_add", {"vendor": vendor_name})
            changes: dict[str, Any] = {}
            if advice is not None:
                changes["advice"] = text_field(
                    "advice", advice, limit_of("cvd.advice"), required=False
                )
            if wanted is not None and wanted is not vendor.status:
                changes.update(status=wanted, **vendor_dates(vendor, wanted, self.now()))
            if changes:
                self.cvd.update_vendor(conn, vendor.id, **changes)
                shown = {k: str(v) for k, v in changes.items() if k in ("status", "advice")}
                said = wanted.label if "status" in changes and wanted else "new advice"
                self._revise(conn, case, f"{vendor.name}: {said}.")
                self._audit(conn, who, case, "cvd.vendor", {"vendor": vendor.name, **shown})
            return self._read(conn, case.id)

    def add_product(
        self,
        who: Principal,
        case_id: int,
        *,
        vendor: str,
        identifier: str,
        name: str | None = None,
        version: str | None = None,
        status: str = "affected",
    ) -> Case:
        """A product of one of the case's vendors, named by a CPE 2.3 name or a purl (its name
        and version are read from it unless given)."""
        found = InvalidValue.check("identifier", identifier, product_identifier)
        derived = name_and_version(found)
        values: dict[str, Any] = {
            "name": text_field("name", name, limit_of("cvd.product")) if name else derived[0],
            "version": text_field("version", version, limit_of("cvd.version"))
            if version
            else derived[1],
            "identifier": found,
            "status": InvalidValue.check("status", status, ProductStatus.parse),
        }
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            owner = case.vendor(vendor)
            if owner is None:
                raise InvalidValue("vendor", vendor, "not a vendor of this case (add it first)")
            if any(p.identifier == found for p in case.products):
                raise Conflict(f"{found} is already a product of this case")
            self.cvd.add_product(conn, case.id, {**values, "vendor_id": owner.id})
            self._revise(conn, case, f"Added {values['name']} ({values['status'].value}).")
            self._audit(
                conn,
                who,
                case,
                "cvd.product_add",
                {"vendor": owner.name, "identifier": found, "status": values["status"].value},
            )
            return self._read(conn, case.id)

    def set_product(self, who: Principal, case_id: int, identifier: str, status: str) -> Case:
        wanted = InvalidValue.check("status", status, ProductStatus.parse)
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            product = next((p for p in case.products if p.identifier == identifier.strip()), None)
            if product is None:
                raise NotFound(f"no product {identifier} in this case")
            if product.status is not wanted:
                self.cvd.set_product_status(conn, product.id, wanted)
                self._revise(conn, case, f"{product.name}: {wanted.value.replace('_', ' ')}.")
                self._audit(
                    conn,
                    who,
                    case,
                    "cvd.product",
                    {"identifier": product.identifier, "status": wanted.value},
                )
            return self._read(conn, case.id)

    # -- the communication log -------------------------------------------------------------------

    def log(
        self,
        who: Principal,
        case_id: int,
        *,
        direction: str,
        party: str,
        text: str,
        tlp: str = "AMBER",
    ) -> Message:
        """One message to or from a party. The first message out to the reporter is the
        acknowledgement of their report; the first out to a vendor not yet contacted marks it
        contacted."""
        values: dict[str, Any] = {
            "direction": InvalidValue.check("direction", direction, Direction),
            "party": text_field("party", party, limit_of("cvd.party")),
            "tlp": InvalidValue.check("tlp", tlp, sanitize_tlp),
            "text": text_field("text", text, limit_of("cvd.message")),
            "actor": who.username,
        }
        with self.store.transaction() as conn:
            case = changeable(who, self.cvd.case(case_id, conn))
            now = self.now()
            message_id = self.cvd.add_message(conn, case.id, {**values, "at": now})
            outgoing = values["direction"] is Direction.OUT
            vendor = case.vendor(values["party"])
            if outgoing and values["party"].casefold() == REPORTER and not case.acknowledged_at:
                self.cvd.update_case(conn, case.id, acknowledged_at=now)
            if outgoing and vendor is not None and vendor.status is VendorStatus.NOT_CONTACTED:
                contacted = VendorStatus.CONTACTED
                self.cvd.update_vendor(
                    conn, vendor.id, status=contacted, **vendor_dates(vendor, contacted, now)
                )
            self._audit(
                conn,
                who,
                case,
                "cvd.log",
                {
                    "direction": values["direction"].value,
                    "party": values["party"],
                    "tlp": values["tlp"],
                    "length": len(values["text"]),
                },
            )
        return Message(message_id, now, **values)


__all__ = ["REPORTER", "CvdParties"]
