"""The mapping file of the generic parsers, checked: which column becomes which field.

``ColumnMapping`` reads the TOML tables described in ``generic`` (``keep_unmapped``, ``empty``,
``[feed]``, ``[csv]``, ``[columns]``, ``[constants]``, ``[values]``) and refuses, before any row is
read, a target that is not a field of the event model, a bad constant or an unknown key
(``ConfigError``). It then maps each flat row, and flattens a JSON object into one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tocsin.errors import ConfigError, InvalidValue
from tocsin.model.fields import FIELDS, sanitize

_FEED_FIELDS = {
    "name": "feed.name",
    "provider": "feed.provider",
    "type": "classification.type",
    "tlp": "tlp",
    "documentation": "feed.documentation",
    "url": "feed.url",
    "code": "feed.code",
    "accuracy": "feed.accuracy",
}
_TOP_KEYS = ("keep_unmapped", "empty", "feed", "csv", "columns", "constants", "values")
_CSV_KEYS = ("delimiter", "comment", "commented_header", "header")
_NOT_MAPPABLE = "classification.taxonomy"
_UNSAFE = re.compile(r"[^a-z0-9_.]+")
_DOTS = re.compile(r"\.{2,}")
_CACHE_LIMIT = 10_000
MAX_DEPTH = 16


class ColumnMapping:
    """A checked mapping file: column → field, per-row defaults and constants, value tables."""

    def __init__(self, options: Mapping[str, Any], feed: str, *, csv: bool) -> None:
        if not options:
            raise ConfigError(
                f"the {feed} feed needs a mapping: --mapping FILE (a TOML file naming which "
                "column becomes which field; see `tocsin feeds` and tocsin/demo/mappings/)"
            )
        self.feed = feed
        _unknown_keys(options, _TOP_KEYS, "the mapping")
        self.keep_unmapped = _bool(options.get("keep_unmapped", True), "keep_unmapped")
        self.empty = frozenset(_strings(options.get("empty", []), "empty"))
        self.csv = self._csv_options(options.get("csv"), csv)
        self.columns = self._columns(options.get("columns"), lower=csv)
        self.defaults = self._defaults(options.get("feed"), options.get("constants"))
        self.values = self._values(options.get("values"))
        self._unmapped: dict[str, str | None] = {}

    def map_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The fields of one flat row (column name → value)."""
        fields = dict(self.defaults)
        columns = self.columns
        values = self.values
        empty = self.empty
        for column, value in row.items():
            if value is None:
                continue
            if isinstance(value, str):
                value = value.strip()
                if not value or value in empty:
                    continue
            target = columns.get(column)
            if target is None:
                target = self._unmapped_target(column)
                if target is None:
                    continue
            elif values:
                table = values.get(target)
                if table is not None and isinstance(value, str | int | float):
                    value = table.get(str(value), value)
            fields[target] = value
        return fields

    def flatten(self, item: dict[str, Any]) -> dict[str, Any]:
        """A JSON object as one flat row: nested objects give dotted names (unless mapped whole).

        Objects nested deeper than ``MAX_DEPTH`` are kept whole, as the value of their name.
        """
        out: dict[str, Any] = {}
        self._flatten(item, "", out, 0)
        return out

    def _flatten(self, item: dict[str, Any], prefix: str, out: dict[str, Any], depth: int) -> None:
        columns = self.columns
        for key, value in item.items():
            name = prefix + key
            if isinstance(value, dict) and depth < MAX_DEPTH and name not in columns:
                self._flatten(value, name + ".", out, depth + 1)
            else:
                out[name] = value

    def _unmapped_target(self, column: str) -> str | None:
        cache = self._unmapped
        try:
            return cache[column]
        except KeyError:
            pass
        target = None
        if self.keep_unmapped:
            name = _DOTS.sub(".", _UNSAFE.sub("_", column.lower())).strip("._")
            target = f"extra.{name}" if name else None
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[column] = target
        return target

    def _csv_options(self, table: Any, csv: bool) -> dict[str, Any]:
        if table is None:
            return {}
        if not csv:
            raise ConfigError(f"the [csv] table applies to generic-csv, not to {self.feed}")
        _table(table, "[csv]")
        _unknown_keys(table, _CSV_KEYS, "[csv]")
        found: dict[str, Any] = {}
        if "delimiter" in table:
            found["delimiter"] = _delimiter(table["delimiter"])
        if "comment" in table:
            found["comment"] = _comment(table["comment"])
        if "commented_header" in table:
            found["commented_header"] = _bool(table["commented_header"], "[csv] commented_header")
            if found["commented_header"] and "comment" not in found:
                raise ConfigError("[csv] commented_header needs a comment prefix")
        if "header" in table:
            found["header"] = _header(table["header"])
        return found

    def _columns(self, table: Any, *, lower: bool) -> dict[str, str]:
        if table is None:
            raise ConfigError("the mapping has no [columns] table: map at least one column")
        _table(table, "[columns]")
        columns: dict[str, str] = {}
        for column, target in _dotted(table).items():
            if not isinstance(target, str):
                raise ConfigError(f"[columns] {column}: expected a field name, got {target!r}")
            key = column.strip().lower() if lower else column
            if key in columns:
                raise ConfigError(f"[columns] {column}: the column is mapped twice")
            columns[key] = _target(target.strip(), f"[columns] {column}")
        if not columns:
            raise ConfigError("[columns] maps no column")
        return columns

    def _defaults(self, feed: Any, constants: Any) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        if feed is not None:
            _table(feed, "[feed]")
            _unknown_keys(feed, tuple(_FEED_FIELDS), "[feed]")
            for key, value in feed.items():
                defaults[_FEED_FIELDS[key]] = _checked(_FEED_FIELDS[key], value, f"[feed] {key}")
        if constants is not None:
            _table(constants, "[constants]")
            mapped = set(self.columns.values())
            for name, value in _dotted(constants).items():
                where = f"[constants] {name}"
                target = _target(name, where)
                if target in mapped:
                    raise ConfigError(f"{where}: a column is mapped to {target} too; keep one")
                if target in defaults:
                    raise ConfigError(f"{where}: [feed] sets {target} too; keep one")
                defaults[target] = _checked(target, value, where)
        return defaults

    def _values(self, table: Any) -> dict[str, dict[str, Any]]:
        if table is None:
            return {}
        _table(table, "[values]")
        mapped = set(self.columns.values())
        found: dict[str, dict[str, Any]] = {}
        for name, translation in _translations(table):
            where = f"[values.{name}]"
            target = _target(name, where)
            if target not in mapped:
                raise ConfigError(f"{where}: no column is mapped to {target}")
            checked: dict[str, Any] = {}
            for given, wanted in translation.items():
                checked[given] = _checked(target, wanted, f"{where} {given}")
            found[target] = checked
        return found


def _target(name: str, where: str) -> str:
    """A field name a mapping may set, or ``ConfigError`` saying why not."""
    if name.startswith("extra.") and len(name) > 6:
        return name
    if name == _NOT_MAPPABLE:
        raise ConfigError(
            f"{where}: classification.taxonomy is derived from classification.type; map that"
        )
    if name.startswith("tocsin."):
        raise ConfigError(f"{where}: {name} is set by Tocsin itself and cannot be mapped")
    if name in FIELDS:
        return name
    close = difflib.get_close_matches(name, [f for f in FIELDS if not f.startswith("tocsin.")], 1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise ConfigError(f"{where}: {name!r} is not a field of the event model nor extra.*{hint}")


def _checked(field: str, value: Any, where: str) -> Any:
    """A constant's value, validated now so that a typo fails the mapping, not every row."""
    try:
        sanitize(field, value)
    except InvalidValue as exc:
        raise ConfigError(f"{where}: {exc.reason} ({value!r})") from None
    return value


def _dotted(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Unquoted dotted TOML keys arrive as nested tables; give them back their dotted names."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_dotted(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _translations(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``[values.<field>]`` tables, whether the field name was quoted or not."""
    for key, value in table.items():
        if not isinstance(value, dict):
            raise ConfigError(f"[values] {prefix}{key}: expected a table of value = replacement")
        if value and all(isinstance(v, dict) for v in value.values()):
            yield from _translations(value, f"{prefix}{key}.")
        elif any(isinstance(v, dict) for v in value.values()):
            raise ConfigError(f"[values.{prefix}{key}]: expected value = replacement pairs")
        else:
            yield prefix + key, value


def _table(value: Any, where: str) -> None:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table")


def _unknown_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return value


def _delimiter(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 1 or value in '"\r\n':
        raise ConfigError('[csv] delimiter: expected one character such as "," or "\\t"')
    return value


def _comment(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError('[csv] comment: expected a prefix such as "#"')
    return value.strip()


def _header(value: Any) -> list[str]:
    """The column names of a file without a header row: lower-cased, none empty, none twice."""
    names = [name.strip().lower() for name in _strings(value, "[csv] header")]
    if not names or not all(names):
        raise ConfigError("[csv] header: expected a list of column names, none empty")
    if len(set(names)) != len(names):
        raise ConfigError("[csv] header: a column name appears twice")
    return names
