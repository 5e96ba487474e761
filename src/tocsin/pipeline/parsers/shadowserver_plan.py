"""How one Shadowserver file's header maps to fields: the ``Plan``, built once per file.

The columns are mapped by name (``shadowserver_reports.LAYOUTS`` and the report's own columns).
Only the row-identifying values (timestamp, address and port; the URL of ``malware_url``) can
quarantine a row, in the normalise stage. A descriptive value that fails its field's type (an odd
``hostname``, a ``geo`` that is no country) is kept as ``extra.<column>`` instead; an ``asn`` or
``naics`` of ``0`` and an ``"unknown"`` sector count as absent (docs/feeds.md §1.3, §8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from tocsin.model import types
from tocsin.model.fields import FIELDS
from tocsin.model.fields import sanitize as sanitize_field
from tocsin.pipeline.parsers.shadowserver_reports import (
    _TEXT_COLUMNS,
    _TEXT_NONE,
    _UNIQUE,
    _ZERO_COLUMNS,
    _ZERO_IS_NONE,
    LAYOUTS,
    Report,
)

_TAG_SPLIT = re.compile(r"[;,]")
_CVE = re.compile(r"cve-\d{4}-\d+")
MEMO_LIMIT = 20_000  # entries per memo (a combination of grouped values, or one value)
_ROW_IDENTIFYING = ("time.source", "source.ip", "source.port")

Derive = Callable[[str], dict[str, str]]
Hook = Callable[[list[str], dict[str, Any], dict[str, Any]], None]


class Plan:
    """How one file's header maps to fields, built once per file.

    Columns fall in three groups: values copied as they are (``plain``: the row-identifying ones
    and most ``extra.*``), values checked one by one (``singles``: names and addresses, nearly
    unique per row), and the rest, low-cardinality descriptive values (severity, protocol, ASN,
    location, tag, …), whose fields are derived once per distinct combination and memoised
    together with the report's constants.
    """

    def __init__(self, report: Report, columns: list[str]) -> None:
        self.width = len(columns)
        index = {name: i for i, name in enumerate(columns)}
        layout = LAYOUTS[report.layout] | dict(report.columns)
        self.required, self.missing, keys = _required(report, columns, index, layout)
        self.required_names = [columns[i] for i in self.required]
        plain: list[tuple[int, str]] = []
        self.singles: list[tuple[int, Derive]] = []
        self.grouped: list[tuple[int, Derive]] = []
        targets: set[str] = set()
        for i, column in enumerate(columns):
            target = layout.get(column) or f"extra.{column or f'column_{i + 1}'}"
            targets.add(target)
            derive = _derive(column, target, target in keys)
            if derive is None:
                plain.append((i, target))
            elif column in _UNIQUE:
                self.singles.append((i, derive))
            else:
                self.grouped.append((i, derive))
        self.plain_names = [name for _, name in plain]
        self.plain_get = getter([i for i, _ in plain])
        self.group_get = getter([i for i, _ in self.grouped])
        self.memos: list[dict[str, dict[str, str]]] = [{} for _ in self.grouped]
        self.fixed, self.soft = _constants(report, targets)
        self.hooks = _hooks(report, index, layout)

    def combine(self, values: tuple[str, ...]) -> dict[str, str]:
        """The fields of one combination of grouped values, the constants included."""
        fields = dict(self.soft)
        for (_, derive), memo, value in zip(self.grouped, self.memos, values, strict=True):
            if value:
                found = memo.get(value)
                if found is None:
                    if len(memo) >= MEMO_LIMIT:
                        memo.clear()
                    found = memo[value] = derive(value)
                fields.update(found)
        fields.update(self.fixed)
        return fields


def _required(
    report: Report, columns: list[str], index: dict[str, int], layout: dict[str, str]
) -> tuple[list[int], list[str], set[str]]:
    """The required columns found (by index), those missing (``a or b``), and the key fields:
    the row-identifying ones, which are copied as they are for the normalise stage to check."""
    required: list[int] = []
    missing: list[str] = []
    keys = set(_ROW_IDENTIFYING)
    for need in report.required:
        found = [index[c] for c in need.split("|") if c in index]
        if found:
            required.append(found[0])
            keys.add(layout.get(columns[found[0]], ""))
        else:
            missing.append(need.replace("|", " or "))
    return required, missing, keys


def _constants(report: Report, targets: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The report's constants, sanitised: those that always hold, and the protocol constants
    that yield to a column giving the same field."""
    fixed: dict[str, str] = {"classification.type": report.type}
    if report.identifier:
        fixed["classification.identifier"] = report.identifier
    soft: dict[str, str] = {}
    for name, value in (
        ("protocol.application", report.application),
        ("protocol.transport", report.transport),
    ):
        if value:
            (soft if name in targets else fixed)[name] = value
    fixed = {name: sanitize_field(name, value) for name, value in fixed.items()}
    soft = {name: sanitize_field(name, value) for name, value in soft.items()}
    return fixed, soft


def _hooks(report: Report, index: dict[str, int], layout: dict[str, str]) -> list[Hook]:
    """What a row needs beyond its columns: an absolute URL, a description from ``detail``."""
    hooks: list[Hook] = []
    path = next((index[c] for c in ("http_url", "url") if c in index), None)
    if report.url and path is not None:
        host = index.get("http_host", index.get("cc_dns"))
        app = index.get("application")
        hooks.append(_url_hook(path, host, app, report.url))
    if layout.get("category") == "event_description.text" and "detail" in index:
        hooks.append(_category_or_detail(index["detail"]))
    return hooks


def _derive(column: str, target: str, key: bool) -> Derive | None:
    """None for a value copied as is; else a function of the value giving the fields to set."""
    if target == "!tag":
        return _tag
    if target == "!infection":
        return _checked("malware.name", f"extra.{column}", also="classification.identifier")
    if target == "!network":
        return _network
    empty = _TEXT_NONE if column in _TEXT_COLUMNS else frozenset()
    if column in _ZERO_COLUMNS or target in _ZERO_IS_NONE:
        empty = empty | {"0"}
    if target.startswith("extra.") or key:
        return _dropping(target, empty) if empty else None
    return _checked(target, f"extra.{column}", empty=empty)


def getter(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """``itemgetter`` that always returns a tuple."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    if not indexes:
        return lambda row: ()
    return itemgetter(*indexes)


def _checked(
    target: str, fallback: str, empty: frozenset[str] = frozenset(), also: str | None = None
) -> Derive:
    """A descriptive value: kept under its field if its sanitiser accepts it, else in extra."""
    sanitize = FIELDS[target]

    def derive(value: str) -> dict[str, str]:
        if empty and value.strip().lower() in empty:
            return {}
        try:
            clean = sanitize(value)
        except ValueError:
            return {fallback: value}
        return {target: clean, also: FIELDS[also](value)} if also else {target: clean}

    return derive


def _dropping(target: str, empty: frozenset[str]) -> Derive:
    def derive(value: str) -> dict[str, str]:
        return {} if value.strip().lower() in empty else {target: value}

    return derive


def _tag(value: str) -> dict[str, str]:
    """``extra.tag`` as sent, and the CVE tags (§1.3, §8) as ``product.vulnerabilities``."""
    fields = {"extra.tag": value}
    cves = sorted({t.strip() for t in _TAG_SPLIT.split(value.lower()) if _CVE.fullmatch(t.strip())})
    if cves:
        fields["product.vulnerabilities"] = ";".join(cves)
    return fields


def _network(value: str) -> dict[str, str]:
    """``blocklist`` sends an address or a CIDR range in ``ip`` (§1.3)."""
    return {"source.network": value} if "/" in value else {"source.ip": value}


def _url_hook(path_i: int, host_i: int | None, app_i: int | None, target: str) -> Hook:
    """``http_url``/``url`` + ``http_host`` → an absolute URL (as convert_http_host_and_url)."""

    def hook(row: list[str], fields: dict[str, Any], clean: dict[str, Any]) -> None:
        path = row[path_i].strip()
        if not path:
            return
        if "://" not in path:
            host = row[host_i].strip() if host_i is not None else ""
            if not host:
                return
            scheme = row[app_i].strip().lower() if app_i is not None else ""
            scheme = scheme if scheme in ("http", "https") else "http"
            path = f"{scheme}://{host}{path if path.startswith('/') else '/' + path}"
        try:
            types.url(path)
        except ValueError:
            return
        fields[target] = path

    return hook


def _category_or_detail(detail_i: int) -> Hook:
    def hook(row: list[str], fields: dict[str, Any], clean: dict[str, Any]) -> None:
        if "event_description.text" not in clean and row[detail_i].strip():
            fields["event_description.text"] = row[detail_i]

    return hook
