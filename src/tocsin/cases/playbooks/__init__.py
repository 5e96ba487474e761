"""Playbooks: the tasks a kind of incident usually needs, added to an incident in one step.

They are data (``playbooks.toml`` here, or the file ``TOCSIN_PLAYBOOKS`` names), checked when
read: each has a name, a title, the RSIT types it is offered for first, and its tasks, each
within the limit of a task. A file that breaks a rule is refused whole, naming the playbook and
the rule.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError
from tocsin.model.limits import LIMITS
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    title: str
    types: tuple[str, ...]
    tasks: tuple[str, ...]


def parse(text: str, origin: str) -> dict[str, Playbook]:
    """The playbooks of a TOML text, by name; ``ConfigError`` naming ``origin`` and the rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not TOML: {exc}") from None
    found: dict[str, Playbook] = {}
    for n, table in enumerate(data.get("playbook", []), start=1):
        book = _one(table, f"{origin}: playbook {n}")
        if book.name in found:
            raise ConfigError(f"{origin}: playbook {book.name!r} is named twice")
        found[book.name] = book
    if not found:
        raise ConfigError(f"{origin}: no [[playbook]]")
    return found


def _one(table: Any, where: str) -> Playbook:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: a table, please")
    name, title = table.get("name"), table.get("title")
    if not isinstance(name, str) or not name.strip() or not isinstance(title, str):
        raise ConfigError(f"{where}: needs a name and a title")
    types, tasks = table.get("types", []), table.get("tasks")
    if not isinstance(types, list) or any(t not in TYPE_TO_TAXONOMY for t in types):
        raise ConfigError(f"{where} ({name}): types must be RSIT types")
    if not isinstance(tasks, list) or not tasks or not all(isinstance(t, str) for t in tasks):
        raise ConfigError(f"{where} ({name}): tasks must be a list of texts")
    limit = LIMITS["incident.task"]
    cleaned = tuple(t.strip() for t in tasks)
    if any(not t or len(t) > limit for t in cleaned):
        raise ConfigError(f"{where} ({name}): each task has 1 to {limit} characters")
    return Playbook(name.strip(), title.strip(), tuple(types), cleaned)


def load(path: str | None = None) -> dict[str, Playbook]:
    """The playbooks of ``path``, or Tocsin's own when none is named."""
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read playbooks {path}: {exc}") from None
        return parse(text, path)
    own = resources.files("tocsin.cases.playbooks").joinpath("playbooks.toml")
    return parse(own.read_text(encoding="utf-8"), "playbooks.toml")


def offered(playbooks: dict[str, Playbook], incident_type: str) -> list[Playbook]:
    """The playbooks for an incident of this type first, then the others, each by title."""
    books = sorted(playbooks.values(), key=lambda b: b.title.lower())
    return [b for b in books if incident_type in b.types] + [
        b for b in books if incident_type not in b.types
    ]


__all__ = ["Playbook", "load", "offered", "parse"]
