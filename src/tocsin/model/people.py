"""Organisations, users, roles and API tokens: who may do what is decided from these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a user may do. Access is decided in the service layer from role, organisation, TLP."""

    ADMIN = "admin"  # everything, users and rules included
    LEAD = "lead"  # sets rules, signs off sharing, sees every incident of the team
    ANALYST = "analyst"  # works the queue
    AUDITOR = "auditor"  # reads everything and the audit log; changes nothing
    PARTNER = "partner"  # an outside team: only what is shared with it (the sharing issue)
    LIAISON = "liaison"  # the 24/7 point of contact: handles requests for assistance abroad


class OrgKind(StrEnum):
    TEAM = "team"  # the CSIRT that runs Tocsin
    PARTNER = "partner"  # a team abroad or a sector CERT
    CONSTITUENT = "constituent"


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    kind: OrgKind = OrgKind.TEAM


@dataclass(frozen=True, slots=True)
class User:
    """A person who logs in; secrets are never in ``repr``."""

    id: int
    username: str
    display_name: str
    role: Role
    org_id: int
    disabled: bool = False
    password_hash: str = field(default="", repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    session_epoch: int = 0  # a page session is valid only while it carries the user's epoch

    @property
    def is_staff(self) -> bool:
        """A member of the team itself (not a partner)."""
        return self.role is not Role.PARTNER


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a user (through a session or a token) or the system itself."""

    user_id: int | None
    username: str
    role: Role
    org_id: int | None
    scopes: frozenset[str] = frozenset({"read", "write"})

    @classmethod
    def system(cls) -> Principal:
        """Tocsin acting on its own (aggregation rules, SLA clocks)."""
        return cls(None, "tocsin", Role.ADMIN, None)

    @classmethod
    def of(cls, user: User, scopes: frozenset[str] = frozenset({"read", "write"})) -> Principal:
        return cls(user.id, user.username, user.role, user.org_id, scopes)


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    prefix: str  # shown to people to tell tokens apart; the secret itself is never stored
    scopes: frozenset[str]
    created: int
    revoked: bool = False


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


def username(value: str) -> str:
    """Lower case letters, digits, dot, dash, underscore; 2 to 63 characters."""
    text = value.strip().lower()
    if not _USERNAME.match(text):
        raise ValueError("2–63 characters: letters, digits, '.', '-' or '_'")
    return text


MIN_PASSWORD = 12


def check_password_strength(password: str) -> None:
    """A password long enough to resist guessing (length beats composition rules)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise ValueError("at most 1024 characters")
