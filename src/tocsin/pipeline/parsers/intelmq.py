"""IntelMQ events as IntelMQ's file output writes them: one JSON object per line.

Tocsin's event model *is* IntelMQ's harmonization (docs/standards.md §5), so an
IntelMQ event maps almost one to one; the field conventions are those of
docs/feeds.md §8 (anything without a field of its own lives in ``extra.*``).
docs/feeds.md has no section on IntelMQ's own output; the format accepted here is:

- flat dotted keys (``{"source.ip": "192.0.2.7", "extra.tag": "x"}``), the file output's default;
- the hierarchical form (``{"source": {"ip": "192.0.2.7"}}``, ``hierarchical_output``), flattened
  to dotted keys;
- ``extra`` as an object or as a JSON string holding one (``jsondict_as_string``, and IntelMQ 1.x),
  flattened one level into ``extra.<key>``;
- ``__type`` (``with_type``): ``Event`` is accepted and dropped; any other kind of message
  (a ``Report``) is quarantined.

What is kept and what is not:

- every harmonized key is kept as it came, including ``time.observation`` (when IntelMQ saw it)
  and ``feed.name`` / ``feed.provider``: they name the original source (e.g. a Shadowserver
  report), which says more than "intelmq"; an event without them gets ``intelmq`` as its feed name;
- ``raw`` (the base64 copy of the input line) is dropped: Tocsin keeps no raw copies in events
  (a quarantined row keeps its own line);
- ``classification.taxonomy`` is dropped: Tocsin always derives it from ``classification.type``;
- ``tlp`` is TLP 1.0 in IntelMQ; the sanitiser maps it in (``WHITE`` becomes ``CLEAR``);
- any other key (not a harmonized field, not ``extra.*``) goes to ``extra.<key>``; Tocsin's own
  ``tocsin.*`` fields are computed here, never taken from input, so they go to ``extra`` as well.

A line that is not JSON, or is JSON but not an object, is quarantined with the reason; values are
validated by the normalise stage like any other feed's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import orjson

from tocsin.model.fields import FIELDS
from tocsin.pipeline.parsers.base import Parser, Record, Source
from tocsin.pipeline.parsers.generic import MAX_JSON_DEPTH, json_line_records, too_deep
from tocsin.pipeline.parsers.generic_mapping import MAX_DEPTH

DROPPED = frozenset({"raw", "classification.taxonomy", "__type"})
_EXTRA = "extra"
_CACHE_LIMIT = 10_000


def _target(name: str) -> str | None:
    """The field an IntelMQ key goes to; ``None`` for a key that is dropped."""
    if name in DROPPED:
        return None
    if name == _EXTRA or name.startswith("extra."):
        return name
    if name in FIELDS and not name.startswith("tocsin."):
        return name
    if not name or name.endswith("."):
        raise ValueError(f"an empty key in the JSON object ({name!r})")
    return "extra." + name


class IntelMQParser(Parser):
    """IntelMQ events (file output), flat or hierarchical, mapped key by key."""

    name: ClassVar[str] = "intelmq"
    help: ClassVar[str] = "IntelMQ events as JSON lines (IntelMQ file output, flat or hierarchical)"
    documentation: ClassVar[str] = "https://docs.intelmq.org/latest/user/event/"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._targets: dict[str, str | None] = {}

    def parse(self, source: Source) -> Iterator[Record]:
        return json_line_records(source, self.map_event)

    def map_event(self, item: dict[str, Any]) -> dict[str, Any]:
        """The fields of one IntelMQ event (raises ``ValueError`` with the reason)."""
        kind = item.get("__type")
        if kind is not None and kind != "Event":
            raise ValueError(f"an IntelMQ {kind!r} message, not an event")
        fields: dict[str, Any] = {}
        self._flatten(item, "", fields, 0)
        return fields

    def _flatten(
        self, item: dict[str, Any], prefix: str, fields: dict[str, Any], depth: int
    ) -> None:
        targets = self._targets
        for key, value in item.items():
            name = prefix + key
            if (
                isinstance(value, dict)
                and depth < MAX_DEPTH
                and name not in FIELDS
                and not name.startswith("extra.")
            ):
                if name == _EXTRA:
                    _extra(value, fields)
                else:
                    self._flatten(value, name + ".", fields, depth + 1)
                continue
            try:
                target = targets[name]
            except KeyError:
                target = _target(name)
                if len(targets) >= _CACHE_LIMIT:
                    targets.clear()
                targets[name] = target
            if target is None:
                continue
            if target == _EXTRA:
                _extra(value, fields)
            else:
                fields[target] = value


def _extra(value: Any, fields: dict[str, Any]) -> None:
    """IntelMQ's ``extra``: an object, or a JSON string holding one; each key → ``extra.<key>``."""
    if value is None:
        return
    if isinstance(value, str):
        if not value.strip():
            return
        text = value
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"extra is a string but not JSON: {exc}") from None
        if text.count("{") + text.count("[") > MAX_JSON_DEPTH and too_deep(value):
            raise ValueError(f"extra is nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(value, dict):
        raise ValueError("extra is neither a JSON object nor a string holding one")
    for key, item in value.items():
        if not key:
            raise ValueError("an empty key in extra")
        fields["extra." + key] = item


PARSERS: list[type[Parser]] = [IntelMQParser]
