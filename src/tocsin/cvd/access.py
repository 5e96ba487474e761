"""Who may see and change a vulnerability case, and read its reporter's contact.

Staff of the case's organisation read cases (TLP:RED ones: leads, admins, auditors and the
handler); admins, leads and analysts change them. The reporter's contact is personal data: leads,
admins and the case's handler read it. A case a person may not see does not exist for them.
"""

from __future__ import annotations

from tocsin.errors import Forbidden, NotFound
from tocsin.model import access
from tocsin.model.cvd import Case
from tocsin.model.people import Principal, Role

CONTACT_READERS = frozenset({Role.ADMIN, Role.LEAD})  # and the case's handler, whatever their role


def can_see(who: Principal, case: Case) -> bool:
    if who.user_id is None:  # Tocsin itself, the command line on the server
        return True
    if who.role not in access.STAFF or who.org_id != case.org_id:
        return False
    if case.tlp == "RED":
        return who.role in access.RED_READERS or case.handler_id == who.user_id
    return True


def visible(who: Principal, case: Case | None) -> Case:
    """The case, or NotFound when it does not exist or may not be seen (the same answer)."""
    if case is None or not can_see(who, case):
        raise NotFound("no such vulnerability case")
    return case


def changeable(who: Principal, case: Case | None) -> Case:
    found = visible(who, case)
    if who.user_id is not None and (who.role not in access.WRITERS or "write" not in who.scopes):
        raise Forbidden("you may read this vulnerability case but not change it")
    return found


def may_read_contact(who: Principal, case: Case) -> bool:
    if not can_see(who, case):
        return False
    if who.user_id is None:
        return True
    return who.role in CONTACT_READERS or case.handler_id == who.user_id


__all__ = ["CONTACT_READERS", "can_see", "changeable", "may_read_contact", "visible"]
