"""What a person asks of the queue: which open incidents (filters), in what order, which page.

The queue is the open incidents a person may see. A ``QueueQuery`` narrows it down by priority,
type, constituent (a case-insensitive prefix of its name), sector, assignee (a person, "me" or
"none"), state, TLP, source (how the incident came: by hand, from a rule, from a report) and
breach; orders it by urgency (the default: breached first, then the nearest deadline, paused
clocks last) or by a column, either way; and cuts it into pages. It is read from a query string
(``parse``) and written back into one (``params``), so that a page's links, a saved view and the
API's ``Link`` header all say the same thing. Every value is checked here and a wrong one is
refused naming its field: nothing a person types reaches a query as it was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model.constituent import SECTORS
from tocsin.model.fields import PRIORITIES
from tocsin.model.incident import OPEN, Status
from tocsin.model.taxonomy import classification_type
from tocsin.model.tlp import tlp

SORTS = ("urgency", "reference", "created", "priority", "type", "constituent", "status")
SOURCES = ("manual", "rule", "report")  # an incident's source is manual, rule:<name>, report:<ref>
PER_PAGE = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000
FILTERS = (
    "priority",
    "type",
    "constituent",
    "sector",
    "assignee",
    "status",
    "tlp",
    "source",
    "breached",
)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    priority: str = ""
    type: str = ""
    constituent: str = ""
    sector: str = ""
    assignee: str = ""  # "" anyone, "me", "none", or a person's id
    status: str = ""  # one of the open states, "" any
    tlp: str = ""
    source: str = ""
    breached: bool = False
    sort: str = "urgency"
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def parse(cls, given: Mapping[str, Any]) -> QueueQuery:
        """The query a query string asks for; a value that is not one the queue knows is refused
        (``InvalidValue`` naming the field). Empty values mean "any"."""
        values: dict[str, Any] = {}
        for name in (*FILTERS, "sort", "dir", "page", "per_page"):
            raw = given.get(name)
            text = "" if raw is None else str(raw).strip()
            if text:
                values[name] = text
        return cls(
            priority=_check("priority", values.get("priority", ""), _priority),
            type=_check("type", values.get("type", ""), classification_type),
            constituent=_check("constituent", values.get("constituent", ""), _constituent),
            sector=_check("sector", values.get("sector", ""), _sector),
            assignee=_check("assignee", values.get("assignee", ""), _assignee),
            status=_check("status", values.get("status", ""), _open_state),
            tlp=_check("tlp", values.get("tlp", ""), tlp),
            source=_check("source", values.get("source", ""), _source),
            breached=_check("breached", values.get("breached", ""), _yes) == "yes",
            sort=_check("sort", values.get("sort", "urgency"), _sort),
            descending=_check("dir", values.get("dir", "asc"), _direction) == "desc",
            page=_number("page", values.get("page", "1"), 1, MAX_PAGE),
            per_page=_per_page(values.get("per_page", str(DEFAULT_PER_PAGE))),
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this query (with ``changes``), its defaults left out: what a link
        to it, or a saved view of it, keeps."""
        chosen = replace(self, **changes) if changes else self
        default = QueueQuery()
        found: dict[str, str] = {}
        for item in fields(chosen):
            value = getattr(chosen, item.name)
            if value == getattr(default, item.name):
                continue
            if item.name == "breached":
                found["breached"] = "yes"
            elif item.name == "descending":
                found["dir"] = "desc"
            else:
                found[item.name] = str(value)
        return found

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the queue (the sort and the page do not)."""
        return any(getattr(self, name) for name in FILTERS)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def mine(self, user_id: int | None) -> str:
        """The assignee as the store takes it: a person's id, "none" or "" (anyone)."""
        if self.assignee == "me":
            return "" if user_id is None else str(user_id)
        return self.assignee


@dataclass(frozen=True, slots=True)
class SavedView:
    """A person's named view of the queue: the query string it stands for (its filters, its
    order and its page size; never a page number)."""

    id: int
    user_id: int
    name: str
    query: str
    created: int


MAX_VIEWS = 50  # saved views per person


def _check(name: str, value: str, check: Any) -> Any:
    if value == "":
        return ""
    return InvalidValue.check(name, value, check)


def _priority(value: str) -> str:
    found = value.upper()
    if found not in PRIORITIES:
        raise ValueError("one of " + ", ".join(PRIORITIES))
    return found


def _constituent(value: str) -> str:
    if len(value) > 200:
        raise ValueError("at most 200 characters")
    return value


def _sector(value: str) -> str:
    found = value.lower()
    if found not in SECTORS:
        raise ValueError("a sector of the registry's list")
    return found


def _assignee(value: str) -> str:
    found = value.lower()
    if found in ("me", "none") or (found.isdigit() and 0 < int(found) < 1 << 62):
        return found
    raise ValueError('"me", "none" or a person\'s number')


def _open_state(value: str) -> str:
    try:
        found = Status(value.lower())
    except ValueError:
        raise ValueError("one of " + ", ".join(s.value for s in Status if s in OPEN)) from None
    if found not in OPEN:
        raise ValueError("the queue holds open incidents only: " + ", ".join(sorted(OPEN)))
    return found.value


def _source(value: str) -> str:
    found = value.lower()
    if found not in SOURCES:
        raise ValueError("one of " + ", ".join(SOURCES))
    return found


def _yes(value: str) -> str:
    found = value.lower()
    if found not in ("yes", "1", "true", "on"):
        raise ValueError('"yes" or empty')
    return "yes"


def _sort(value: str) -> str:
    found = value.lower()
    if found not in SORTS:
        raise ValueError("one of " + ", ".join(SORTS))
    return found


def _direction(value: str) -> str:
    found = value.lower()
    if found not in ("asc", "desc"):
        raise ValueError('"asc" or "desc"')
    return found


def _number(name: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidValue(name, value, f"a whole number from {low} to {high}")
    return int(value)


def _per_page(value: str) -> int:
    if not value.isdigit() or int(value) not in PER_PAGE:
        raise InvalidValue("per_page", value, "one of " + ", ".join(map(str, PER_PAGE)))
    return int(value)


__all__ = [
    "DEFAULT_PER_PAGE",
    "FILTERS",
    "MAX_PAGE",
    "MAX_VIEWS",
    "PER_PAGE",
    "SORTS",
    "SOURCES",
    "QueueQuery",
    "SavedView",
]
