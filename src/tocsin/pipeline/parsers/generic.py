"""Any CSV or JSON-lines feed, mapped to harmonized fields by a declarative TOML file.

For the feeds Tocsin has no parser for: ``tocsin ingest FILE --feed generic-csv --mapping FILE``
(or ``generic-jsonl``). The mapping says which input column becomes which field, which values are
the same on every row and what the feed's defaults are. It mirrors the three kinds of field in
Shadowserver's ``intelmq.json`` schema (columns, constants, ``extra.<column>`` for the rest; see
docs/feeds.md §8, and its opening rule: map CSV columns by header name, never
by position). The mapping is checked when the parser is built, before any row is read: a target
that is not a field of the event model, a bad constant or an unknown key raises ``ConfigError``.

The mapping file (every table but ``[columns]`` is optional)::

    keep_unmapped = true           # unmapped columns go to extra.<column>; false drops them
    empty = ["-", "n/a"]           # values that mean "no value", besides the empty string

    [feed]                         # defaults for every row; a column or a constant overrides
    name = "example-honeynet"      # feed.name (else the Tocsin feed name, e.g. generic-csv)
    provider = "Example Honeynet"  # feed.provider
    type = "scanner"               # classification.type (else "undetermined")
    tlp = "GREEN"                  # tlp (else AMBER); also documentation, url, code, accuracy

    [csv]                          # generic-csv only
    delimiter = ","                # one character; "\\t" for TSV
    comment = "#"                  # lines starting with this are skipped
    commented_header = false       # the last comment line holding a delimiter names the columns
    header = ["seen", "src"]       # the column names, when the file has no header row

    [columns]                      # input column -> field of the event model, or extra.<name>
    seen = "time.source"
    src = "source.ip"
    "peer.port" = "source.port"    # JSON: dots reach into nested objects ({"peer": {"port": 22}})

    [constants]                    # the same value on every row
    "protocol.transport" = "tcp"

    [values."classification.type"] # translate a mapped column's values (exact, as text)
    login = "brute-force"
    probe = "scanner"

Rules: CSV column names match case-insensitively (header names are lower-cased, as in every Tocsin
CSV parser); JSON keys match exactly. A mapped column missing from a CSV header quarantines every
row with ``missing column(s): …``; a mapped key missing from a JSON object is simply an empty value
(JSON producers leave out empty keys). Unmapped columns keep their value under ``extra.<column>``,
the name lower-cased with runs of other characters than ``a-z 0-9 _ .`` turned into ``_``; nested
JSON objects become dotted names (``extra.peer.asn``). Unquoted dotted TOML keys
(``protocol.transport = "tcp"``) are read as the dotted name they spell.
``classification.taxonomy`` (derived from the type) and ``tocsin.*`` (set by Tocsin) cannot be
mapped. Values are passed on as found; the normalise stage validates them and quarantines a row
with a bad value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import orjson

from tocsin.errors import ConfigError, InvalidValue
from tocsin.model.fields import FIELDS, sanitize
from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Parser, Record, Source, binary, csv_records

JsonMapper = Callable[[dict[str, Any]], dict[str, Any]]
MAX_JSON_DEPTH = 64

_JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}


def json_line_records(source: Source, mapper: JsonMapper) -> Iterator[Record]:
    """Rows of a JSON-lines input: one JSON object per line; blank lines are skipped.

    A line that is not JSON, or is JSON but not an object, is quarantined with the reason.
    """
    loads = orjson.loads
    for number, text in source.lines():
        if len(text) > MAX_ROW_CHARS:
            yield Record(
                number,
                text[:MAX_ROW_CHARS],
                None,
                f"row longer than {MAX_ROW_CHARS} characters ({len(text)})",
            )
            continue
        try:
            item = loads(text)
        except orjson.JSONDecodeError as exc:
            if not text.strip():
                continue
            reason = "binary data, not text" if binary(text) else f"not JSON: {exc}"
            yield Record(number, text, None, reason)
            continue
        if not isinstance(item, dict):
            kind = "null" if item is None else _JSON_KINDS.get(type(item), type(item).__name__)
            yield Record(number, text, None, f"not a JSON object but {kind}")
            continue
        if text.count("{") + text.count("[") > MAX_JSON_DEPTH and too_deep(item):
            yield Record(number, text, None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            continue
        try:
            fields = mapper(item)
        except (ValueError, KeyError) as exc:
            yield Record(number, text, None, str(exc) or type(exc).__name__)
            continue
        yield Record(number, text, fields)


def too_deep(item: Any) -> bool:
    """True when objects and arrays nest deeper than ``MAX_JSON_DEPTH`` (orjson writes 254)."""
    stack = [(item, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False


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

    def _csv_options(self, table: Any, csv: bool) -> dict[str, Any]:  # noqa: C901
        if table is None:
            return {}
        if not csv:
            raise ConfigError(f"the [csv] table applies to generic-csv, not to {self.feed}")
        _table(table, "[csv]")
        _unknown_keys(table, _CSV_KEYS, "[csv]")
        found: dict[str, Any] = {}
        if "delimiter" in table:
            delimiter = table["delimiter"]
            if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
                raise ConfigError('[csv] delimiter: expected one character such as "," or "\\t"')
            found["delimiter"] = delimiter
        if "comment" in table:
            comment = table["comment"]
            if not isinstance(comment, str) or not comment.strip():
                raise ConfigError('[csv] comment: expected a prefix such as "#"')
            found["comment"] = comment.strip()
        if "commented_header" in table:
            found["commented_header"] = _bool(table["commented_header"], "[csv] commented_header")
            if found["commented_header"] and "comment" not in found:
                raise ConfigError("[csv] commented_header needs a comment prefix")
        if "header" in table:
            header = _strings(table["header"], "[csv] header")
            names = [name.strip().lower() for name in header]
            if not names or not all(names):
                raise ConfigError("[csv] header: expected a list of column names, none empty")
            if len(set(names)) != len(names):
                raise ConfigError("[csv] header: a column name appears twice")
            found["header"] = names
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


class GenericCsvParser(Parser):
    """Any CSV or TSV feed, mapped by header name through a TOML mapping file."""

    name: ClassVar[str] = "generic-csv"
    help: ClassVar[str] = "Any CSV/TSV feed, mapped to fields by a TOML file (--mapping FILE)"
    documentation: ClassVar[str] = "tocsin.pipeline.parsers.generic (module documentation)"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.mapping = ColumnMapping(self.options, self.name, csv=True)

    def parse(self, source: Source) -> Iterator[Record]:
        mapping = self.mapping
        return csv_records(
            source,
            mapping.map_row,
            required=tuple(mapping.columns),
            **mapping.csv,
        )


class GenericJsonlParser(Parser):
    """Any JSON-lines feed (one object per line), mapped by key through a TOML mapping file."""

    name: ClassVar[str] = "generic-jsonl"
    help: ClassVar[str] = "Any JSON-lines feed, mapped to fields by a TOML file (--mapping FILE)"
    documentation: ClassVar[str] = "tocsin.pipeline.parsers.generic (module documentation)"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.mapping = ColumnMapping(self.options, self.name, csv=False)

    def parse(self, source: Source) -> Iterator[Record]:
        mapping = self.mapping
        map_row = mapping.map_row
        flatten = mapping.flatten
        return json_line_records(source, lambda item: map_row(flatten(item)))


PARSERS: list[type[Parser]] = [GenericCsvParser, GenericJsonlParser]
