"""Who may see and change a request for assistance and the directory of 24/7 contacts.

Requests belong to a team (``Request.org_id``). Liaisons (the 24/7 point of contact), leads and
admins of that team read and change them; auditors read them and change nothing; analysts and
partners see none. A TLP:RED request is read only by its holder (who created it), leads, admins
and auditors. A request a person may not see does not exist for them (``NotFound``, the answer an
unknown reference gets). The directory is read by the same people, and changed by liaisons, leads
and admins.
"""

from __future__ import annotations

from tocsin.errors import Forbidden, NotFound
from tocsin.model.assist.request import Request
from tocsin.model.people import Principal, Role

READERS = frozenset({Role.LIAISON, Role.LEAD, Role.ADMIN, Role.AUDITOR})
WRITERS = frozenset({Role.LIAISON, Role.LEAD, Role.ADMIN})
RED_READERS = frozenset({Role.LEAD, Role.ADMIN, Role.AUDITOR})  # and the request's holder


def can_see(who: Principal, request: Request) -> bool:
    if who.user_id is None:  # Tocsin itself, the command line on the server
        return True
    if who.role not in READERS or who.org_id != request.org_id:
        return False
    if request.tlp == "RED":
        return who.role in RED_READERS or request.created_by == who.user_id
    return True


def may_write(who: Principal) -> bool:
    return who.user_id is None or (who.role in WRITERS and "write" in who.scopes)


def visible(who: Principal, request: Request | None) -> Request:
    """The request, or NotFound when it does not exist or may not be seen (the same answer)."""
    if request is None or not can_see(who, request):
        raise NotFound("no such request for assistance")
    return request


def changeable(who: Principal, request: Request | None) -> Request:
    found = visible(who, request)
    if not may_write(who):
        raise Forbidden("you may read this request for assistance but not change it")
    return found


def reader(who: Principal) -> None:
    """Refuse (NotFound: there is nothing here for them) who may read no request at all."""
    if who.user_id is not None and who.role not in READERS:
        raise NotFound("no such request for assistance")


def writer(who: Principal, what: str = "requests for assistance") -> None:
    if who.user_id is not None and who.role not in READERS:
        raise NotFound(f"no {what} here")
    if not may_write(who):
        raise Forbidden(f"your role may read {what} but not change them")


__all__ = [
    "READERS",
    "RED_READERS",
    "WRITERS",
    "can_see",
    "changeable",
    "may_write",
    "reader",
    "visible",
    "writer",
]
