"""The constituency registry and the IP-to-ASN table: imported from files, kept in the store."""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError, InvalidValue
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.pipeline.enrich.asn import read_ip2asn
from tocsin.store.base import Store


def read_constituents(path: str | Path) -> list[Constituent]:
    """Constituents from TOML (``[[constituent]]`` tables) or CSV (one row each; lists in a cell
    separated by spaces or ``;``). Any bad entry stops the import with its file, line and reason:
    nothing of the file is kept."""
    path = Path(path)
    try:
        rows = _toml_rows(path) if path.suffix.lower() == ".toml" else _csv_rows(path)
    except (OSError, tomllib.TOMLDecodeError, csv.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read constituents from {path}: {exc}") from None
    found: list[Constituent] = []
    names: set[str] = set()
    for where, item in rows:
        try:
            constituent = Constituent.from_mapping(item)
        except InvalidValue as exc:
            raise ConfigError(f"{where(exc.field)}: {exc}") from None
        if constituent.name in names:
            raise ConfigError(
                f"{where('constituent.name')}: constituent {constituent.name!r} appears twice"
            )
        names.add(constituent.name)
        found.append(constituent)
    return found


Where = Callable[[str], str]  # the position of a row, and of one of its fields when it is known


def _toml_rows(path: Path) -> list[tuple[Where, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    items = tomllib.loads(text).get("constituent", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ConfigError(f"{path}: constituents are [[constituent]] tables")
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines, start=1) if _TABLE.match(line)]
    rows: list[tuple[Where, dict[str, Any]]] = []
    for index, item in enumerate(items, start=1):
        span = starts[index - 1 : index + 1] if len(starts) == len(items) else []
        rows.append((_toml_where(path, index, lines, span), dict(item)))
    return rows


_TABLE = re.compile(r"\s*\[\[\s*constituent\s*\]\]")


def _toml_where(path: Path, index: int, lines: list[str], span: list[int]) -> Where:
    """``file:line: constituent #n``: the line of the field in its table, else of the table."""

    def where(field: str) -> str:
        if not span:
            return f"{path}: constituent #{index}"
        end = span[1] - 1 if len(span) > 1 else len(lines)
        key = re.compile(rf"\s*{re.escape(field.rpartition('.')[2])}\s*=")
        line = next((n for n in range(span[0], end + 1) if key.match(lines[n - 1])), span[0])
        return f"{path}:{line}: constituent #{index}"

    return where


def _csv_rows(path: Path) -> list[tuple[Where, dict[str, Any]]]:
    rows: list[tuple[Where, dict[str, Any]]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        start = 2
        for row in reader:
            at = f"{path}:{start}"  # the row's first line: a quoted cell may hold a line break
            if None in row:
                raise ConfigError(f"{at}: more cells than columns")
            rows.append((_at(at), {k.strip().lower(): v for k, v in row.items()}))
            start = reader.line_num + 1
    return rows


def _at(position: str) -> Where:
    return lambda _field: position


def import_constituents(store: Store, path: str | Path) -> int:
    """Replace the registry with the file's constituents; returns how many."""
    return store.replace_constituents(read_constituents(path))


def list_constituents(store: Store) -> list[Constituent]:
    return store.constituents()


def import_asn_table(store: Store, path: str | Path) -> tuple[int, list[InvalidValue]]:
    """Replace the IP-to-ASN table; returns the ranges stored and the lines refused (with why)."""
    refused: list[InvalidValue] = []

    def good() -> Any:
        for item in read_ip2asn(path):
            if isinstance(item, AsnRange):
                yield item
            else:
                refused.append(item)

    try:
        count = store.replace_asn_ranges(good())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    return count, refused
