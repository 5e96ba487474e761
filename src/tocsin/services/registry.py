"""The constituency registry and the IP-to-ASN table: imported from files, kept in the store."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError, InvalidValue
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.pipeline.enrich.asn import read_ip2asn
from tocsin.store.base import Store


def read_constituents(path: str | Path) -> list[Constituent]:
    """Constituents from TOML (``[[constituent]]`` tables) or CSV (one row each; lists in a cell
    separated by spaces or ``;``). Any bad entry stops the import with its position and reason."""
    path = Path(path)
    rows: list[tuple[str, dict[str, Any]]] = []
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            items = data.get("constituent", [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ConfigError(f"{path}: constituents are [[constituent]] tables")
            for index, item in enumerate(items, start=1):
                rows.append((f"{path}: constituent #{index}", dict(item)))
        else:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                for row in reader:
                    where = f"{path}:{reader.line_num}"
                    if None in row:
                        raise ConfigError(f"{where}: more cells than columns")
                    rows.append((where, {k.strip().lower(): v for k, v in row.items()}))
    except (OSError, tomllib.TOMLDecodeError, csv.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read constituents from {path}: {exc}") from None
    found: list[Constituent] = []
    names: set[str] = set()
    for where, item in rows:
        try:
            constituent = Constituent.from_mapping(item)
        except InvalidValue as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if constituent.name in names:
            raise ConfigError(f"{where}: constituent {constituent.name!r} appears twice")
        names.add(constituent.name)
        found.append(constituent)
    return found


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
