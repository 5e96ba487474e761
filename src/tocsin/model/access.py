"""Who may see and change what: decided here, for the API, the pages and the CLI alike.

Staff (admin, lead, analyst, auditor, liaison) see the incidents of their own organisation; TLP:RED
incidents only the assignee, leads, admins and auditors. Admins, leads and analysts change them;
auditors read everything of their organisation and the audit log, and change nothing. Partners see
no incident here (sharing gives them what they may have). An incident a person may not see does
not exist for them: its title, indicators and even its count never show.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model.incident import Incident
from tocsin.model.people import Principal, Role, User
from tocsin.model.tlp import TLP

# A liaison reads the team's incidents (to link them to requests for assistance), changes none.
STAFF = frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST, Role.AUDITOR, Role.LIAISON})
WRITERS = frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST})
RED_READERS = frozenset({Role.ADMIN, Role.LEAD, Role.AUDITOR})


def can_see(who: Principal, incident: Incident) -> bool:
    if who.user_id is None:  # Tocsin itself
        return True
    if who.role not in STAFF or who.org_id != incident.org_id:
        return False
    if incident.tlp == "RED":
        return who.role in RED_READERS or incident.assignee_id == who.user_id
    return True


@dataclass(frozen=True, slots=True)
class IncidentScope:
    """``can_see`` as a condition a store can count with: the incidents of the organisations
    ``orgs`` (None: every organisation's; empty: none), TLP:RED ones included when ``all_red``,
    else only those assigned to ``red_assignee`` (None: no TLP:RED one)."""

    orgs: tuple[int, ...] | None
    all_red: bool
    red_assignee: int | None


def incident_scope(who: Principal) -> IncidentScope:
    """The incidents this person may see, as a condition (staff; Tocsin itself sees all). Anyone
    else sees none: ask ``require(who, *STAFF)`` first."""
    if who.user_id is None:
        return IncidentScope(None, True, None)
    require(who, *STAFF)
    orgs = () if who.org_id is None else (who.org_id,)
    return IncidentScope(orgs, who.role in RED_READERS, who.user_id)


def can_change(who: Principal, incident: Incident) -> bool:
    if who.user_id is None:
        return True
    return who.role in WRITERS and "write" in who.scopes and can_see(who, incident)


def visible(who: Principal, incident: Incident | None) -> Incident:
    """The incident, or NotFound when it does not exist or may not be seen (the same answer)."""
    if incident is None or not can_see(who, incident):
        raise NotFound("no such incident")
    return incident


def changeable(who: Principal, incident: Incident | None) -> Incident:
    found = visible(who, incident)
    if not can_change(who, found):
        raise Forbidden("you may read this incident but not change it")
    return found


def tlp_cap(who: Principal) -> TLP | None:
    """The most restrictive TLP this person may read (None: no cap), of events in the console
    and the API and of STIX objects over TAXII alike. TLP:RED goes to named people: admins,
    leads and auditors read it; other staff see up to AMBER+STRICT. Partners read only what
    their agreements give them (their ceiling is the agreement's, decided in sharing)."""
    if who.user_id is None or who.role in RED_READERS:
        return None
    return TLP.AMBER_STRICT


def require(who: Principal, *roles: Role, scope: str = "read") -> None:
    """Refuse unless the acting person has one of ``roles`` and the token scope."""
    if who.user_id is None:
        return
    if who.role not in roles or scope not in who.scopes:
        raise Forbidden("your role may not do this")


def assignee(field: str, wanted: int, user: User | None, org_id: int, *, work: str) -> str:
    """The name of who is to take on a record of ``org_id`` (an incident, a vulnerability case):
    an active member of that team whose role may change records. ``user`` is the one with id
    ``wanted`` (None: no such user); ``work`` says what the role must be able to do
    (``work incidents``). Anyone else is refused, naming ``field``."""
    if user is None or user.disabled or user.org_id != org_id:
        raise InvalidValue(field, wanted, "not an active member of the team")
    if user.role not in WRITERS:
        raise InvalidValue(field, user.username, f"this role cannot {work}")
    return user.username
