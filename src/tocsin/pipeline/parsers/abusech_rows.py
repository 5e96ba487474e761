"""What every abuse.ch feed shares: names per column or key, empty values, tags, URL hosts, JSON.

abuse.ch writes the literal ``None`` for an empty value in its CSV exports; it is left out.
Values are mapped by column or key name, never by position; names without a harmonized field go
to ``extra.<name>``. A JSON document that does not parse at all is one quarantined record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson

from tocsin.pipeline.parsers.base import Record, Source, json_kind, too_long

JSON_RAW_CHARS = 2000
NULL = "None"

ItemMapper = Callable[[Mapping[str, Any]], dict[str, Any]]


class Names(dict[str, str]):
    """Field name per column or key; one without a harmonized field maps to ``extra.<name>``."""

    def __missing__(self, key: str) -> str:
        name = "extra." + key
        if len(self) < 4096:  # keys come from the input: keep the memo bounded
            self[key] = name
        return name


def mapped(row: Mapping[str, Any], names: Names) -> dict[str, Any]:
    """Harmonized names for a row's non-empty values (``None`` and ``"None"`` are empty)."""
    fields: dict[str, Any] = {}
    for key, value in row.items():
        if value.__class__ is str:
            value = value.strip()
            if not value or value == NULL:
                continue
        elif value is None:
            continue
        if key:
            fields[names[key]] = value
    return fields


def split_tags(fields: dict[str, Any]) -> None:
    """``extra.tags`` as a list: abuse.ch gives one comma-separated string."""
    tags = fields.get("extra.tags")
    if isinstance(tags, str):
        parts = tags.split(",")
        if " " in tags:
            parts = [part.strip() for part in parts]
        fields["extra.tags"] = [part for part in parts if part]


def looks_like_json(source: Source) -> bool:
    head = source.head(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"[", b"{")


def json_document(source: Source) -> tuple[Any, Record | None]:
    """The parsed document, or a record quarantining the whole input (truncated, corrupt)."""
    text = source.text()
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:
        return None, Record(1, text[:JSON_RAW_CHARS], None, f"not valid JSON: {exc}")


def json_item(ordinal: int, raw: str, item: Any, mapper: ItemMapper) -> Record:
    if not isinstance(item, dict):
        return Record(ordinal, raw, None, f"item is {json_kind(item)}, not an object")
    reason = too_long(raw)
    if reason:
        return Record(ordinal, raw[:JSON_RAW_CHARS], None, reason)
    try:
        return Record(ordinal, raw, mapper(item))
    except ValueError as exc:
        return Record(ordinal, raw, None, str(exc))


def json_records(items: Iterable[Any], mapper: ItemMapper) -> Iterator[Record]:
    """One record per item of a JSON array; ``line`` is the item's ordinal."""
    for ordinal, item in enumerate(items, start=1):
        yield json_item(ordinal, orjson.dumps(item).decode(), item, mapper)
