"""The constituency registry and the IP-to-ASN table: imported from files, kept in the store."""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError, Conflict, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.people import Principal, Role
from tocsin.pipeline.enrich.asn import read_ip2asn
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

CHANGERS = (Role.LEAD, Role.ADMIN)  # who changes the registry (its contacts receive notices)


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


class Registry:
    """The constituency registry as people change it (the console and ``tocsin constituents``):
    the staff read it; leads and admins add, change, remove and import; every change is one
    transaction with its audit entry (``constituent.save``, ``constituent.delete``,
    ``constituent.import``)."""

    def __init__(self, store: Store, *, now: Callable[[], int]) -> None:
        self.store = store
        self.now = now

    def list(self, who: Principal) -> list[Constituent]:
        access.require(who, *access.STAFF)
        return self.store.constituents()

    def get(self, who: Principal, name: str) -> Constituent:
        access.require(who, *access.STAFF)
        found = self.store.constituent_named(name)
        if found is None or found.name != name:
            raise NotFound(f"no constituent {name!r}")
        return found

    def save(
        self, who: Principal, data: Mapping[str, Any], *, replacing: str | None = None
    ) -> Constituent:
        """A constituent from form values (lists as text, ``;`` or space separated), added, or
        in place of ``replacing`` (its name before); a name another constituent has is refused."""
        access.require(who, *CHANGERS, scope="write")
        constituent = Constituent.from_mapping(dict(data))
        taken = self.store.constituent_named(constituent.name)
        if taken is not None and taken.name != (replacing or constituent.name):
            raise Conflict(f"another constituent is named {taken.name!r}")
        if replacing and self.store.constituent_named(replacing) is None:
            raise NotFound(f"no constituent {replacing!r}")
        with self.store.transaction() as conn:
            self.store.put_constituent(conn, constituent, replacing)
            details = {
                "sector": constituent.sector,
                "networks": len(constituent.networks),
                "asns": len(constituent.asns),
                "domains": len(constituent.domains),
            }
            if replacing and replacing != constituent.name:
                details["renamed_from"] = replacing
            self._audit(conn, who, "constituent.save", constituent.name, details)
        return constituent

    def delete(self, who: Principal, name: str) -> None:
        access.require(who, *CHANGERS, scope="write")
        with self.store.transaction() as conn:
            if not self.store.remove_constituent(conn, name):
                raise NotFound(f"no constituent {name!r}")
            self._audit(conn, who, "constituent.delete", name, {})

    def import_file(self, who: Principal, path: str | Path, shown_as: str = "") -> int:
        """The whole registry replaced by a CSV or TOML file's (all or nothing: a line that is
        wrong stops the import, naming the line)."""
        access.require(who, *CHANGERS, scope="write")
        shown = shown_as or Path(path).name
        try:
            constituents = read_constituents(path)
        except ConfigError as exc:  # the line and the reason, under the name it was sent as
            raise InvalidValue("file", shown, str(exc).replace(str(path), shown)) from None
        return self._replace(who, constituents, shown)

    def replace(self, who: Principal, items: Sequence[Mapping[str, Any]]) -> int:
        """The whole registry replaced by these constituents (the API's import): all or nothing,
        a wrong one named by its place in the list (from 1)."""
        access.require(who, *CHANGERS, scope="write")
        constituents: list[Constituent] = []
        for number, item in enumerate(items, start=1):
            try:
                constituents.append(Constituent.from_mapping(dict(item)))
            except InvalidValue as exc:
                raise InvalidValue(
                    f"constituents[{number}].{exc.field}", exc.value, exc.reason
                ) from None
        return self._replace(who, constituents, "the API")

    def _replace(self, who: Principal, constituents: Sequence[Constituent], shown: str) -> int:
        names = [c.name for c in constituents]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise InvalidValue("name", twice[0], "a constituent is named twice")
        with self.store.transaction() as conn:
            count = self.store.replace_constituents_in(conn, constituents)
            self._audit(
                conn,
                who,
                "constituent.import",
                "registry",
                {"file": shown, "constituents": count},
            )
        return count

    def _audit(
        self, conn: Transaction, who: Principal, action: str, name: str, details: dict[str, Any]
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="constituent",
            object_id=name,
            details=details,
        )
