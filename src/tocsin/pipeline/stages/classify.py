"""Classify: a priority P1–P4 for every event, from rules that are data (a TOML file).

The type's severity gives the base; each rule whose conditions hold raises, lowers or sets it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError
from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.event import Event
from tocsin.model.fields import PRIORITIES, priority
from tocsin.model.taxonomy import classification_type
from tocsin.pipeline.stages.batch import Batch

Condition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...]
    shift: int = 0
    set_to: int | None = None


@dataclass(frozen=True, slots=True)
class PriorityRules:
    severity: Mapping[str, int]
    default: int
    rules: tuple[Rule, ...]

    @classmethod
    def load(cls, path: str | Path | None = None, text: str | None = None) -> PriorityRules:
        """The rules in ``text`` (as read by ``source``), in ``path``, or Tocsin's defaults."""
        where = str(path) if path is not None else "default priority rules"
        try:
            return cls.from_mapping(tomllib.loads(text or cls.source(path)), where)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"cannot read priority rules {where}: {exc}") from None

    @staticmethod
    def source(path: str | Path | None = None) -> str:
        """The text of a rules file, or of Tocsin's defaults."""
        try:
            if path is None:
                return (
                    resources.files("tocsin.pipeline.rules").joinpath("priority.toml").read_text()
                )
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read priority rules {path}: {exc}") from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "rules") -> PriorityRules:
        severity_table = dict(data.get("severity", {}))
        default = _level(severity_table.pop("default", "P3"), where, "severity.default")
        severity = {}
        for key, value in severity_table.items():
            try:
                type_ = classification_type(key)
            except ValueError as exc:
                raise ConfigError(f"{where}: severity.{key}: {exc}") from None
            if type_ != key:
                raise ConfigError(f"{where}: severity.{key}: write the current type {type_!r}")
            severity[key] = _level(value, where, f"severity.{key}")
        rules = []
        for index, raw in enumerate(data.get("rule", []), start=1):
            name = str(raw.get("name", f"rule {index}"))
            conditions: list[Condition] = []
            for field, expected in dict(raw.get("when", {})).items():
                conditions.append(_condition(field, expected))
            missing = raw.get("missing", [])
            for field in [missing] if isinstance(missing, str) else missing:
                conditions.append(_absent(str(field)))
            try:
                shift = _step(raw.get("lower", 0)) - _step(raw.get("raise", 0))
            except ValueError:
                raise ConfigError(
                    f"{where}: rule {name!r}: raise and lower take whole numbers"
                ) from None
            set_to = _level(raw["set"], where, f"{name}.set") if "set" in raw else None
            if not shift and set_to is None:
                raise ConfigError(f"{where}: rule {name!r} neither raises, lowers nor sets")
            rules.append(Rule(name, tuple(conditions), shift, set_to))
        return cls(severity, default, tuple(rules))

    def priority_of(self, event: Mapping[str, Any]) -> str:
        level = self.severity.get(event.get("classification.type", ""), self.default)
        for rule in self.rules:
            for condition in rule.conditions:
                if not condition(event):
                    break
            else:
                level = rule.set_to if rule.set_to is not None else level + rule.shift
        return PRIORITIES[min(max(level, 0), 3)]

    def __call__(self, batch: Batch) -> Batch:
        batch.each("classify", self._prioritise)
        return batch

    def _prioritise(self, event: Event) -> None:
        if "tocsin.priority" not in event:
            event["tocsin.priority"] = self.priority_of(event)


def _absent(field: str) -> Condition:
    return lambda event: field not in event


def _step(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    return value


def _level(value: Any, where: str, key: str) -> int:
    try:
        return PRIORITIES.index(priority(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None


def _condition(field: str, expected: Any) -> Condition:
    values: set[Any] = set()
    for item in expected if isinstance(expected, list) else [expected]:
        if item == "@critical":
            values |= CRITICAL_SECTORS
        else:
            values.add(item)

    def holds(event: Mapping[str, Any]) -> bool:
        found = event.get(field)
        # a list or map (under extra.*) is never one of the rule's values, nor an error
        return not isinstance(found, list | dict) and found in values

    return holds
