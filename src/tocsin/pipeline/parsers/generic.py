"""Any CSV or JSON-lines feed, mapped to harmonized fields by a declarative TOML file.

For the feeds Tocsin has no parser for: ``tocsin ingest FILE --feed generic-csv --mapping FILE``
(or ``generic-jsonl``). The mapping says which input column becomes which field, which values are
the same on every row and what the feed's defaults are. It mirrors the three kinds of field in
Shadowserver's ``intelmq.json`` schema (columns, constants, ``extra.<column>`` for the rest; see
docs/feeds.md §8, and its opening rule: map CSV columns by header name, never by position). The
mapping is checked when the parser is built (``generic_mapping``), before any row is read: a
target that is not a field of the event model, a bad constant or an unknown key raises
``ConfigError``.

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

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import orjson

from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Parser, Record, Source, binary, csv_records
from tocsin.pipeline.parsers.generic_mapping import ColumnMapping

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
        except Exception as exc:  # a mapper failing on one row fails that row only
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
