"""Shadowserver reports (CSV): one table-driven parser for every report type.

Format: docs/feeds.md §1 — file names (§1.2), CSV conventions (§1.3), the legacy
drone format (§1.4), the common columns (§1.5), each report's classification, protocol and columns
(§1.6) — and the Shadowserver → IntelMQ field conventions of §8. As in IntelMQ's Shadowserver
parser, a report type is one entry of ``REPORTS``: adding one means adding a line there.

The report type comes from the option ``report``, else from the file name
(``2024-05-01-scan_telnet-nl-geo.csv``, also with a prefix, without the date, or an IPv6 or legacy
name), else from the header columns only that report has. The columns are mapped by name, once per
file, into a ``Plan``; each row is then a split, a dict comprehension and a memo lookup. Rows are
read with ``Source.lines`` and stand on their own after the header, so the runner may cut a large
report between processes (``split_preamble``).

Only the row-identifying values (timestamp, address and port; the URL of ``malware_url``) can
quarantine a row, in the normalise stage. A descriptive value that fails its field's type (an odd
``hostname``, a ``geo`` that is no country) is kept as ``extra.<column>`` instead; an ``asn`` or
``naics`` of ``0`` and an ``"unknown"`` sector count as absent. A report neither named nor
recognised quarantines every row, saying how to force the type.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from tocsin.model import types
from tocsin.model.fields import FIELDS
from tocsin.model.fields import sanitize as sanitize_field
from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Parser, Record, Source
from tocsin.pipeline.parsers.shadowserver_reports import (
    _TEXT_COLUMNS,
    _TEXT_NONE,
    _UNIQUE,
    _ZERO_COLUMNS,
    _ZERO_IS_NONE,
    ALIASES,
    BY_NAME,
    LAYOUTS,
    REPORTS,
    Report,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}-")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_TAG_SPLIT = re.compile(r"[;,]")
_CVE = re.compile(r"cve-\d{4}-\d+")
_MEMO_LIMIT = 20_000  # entries per memo (a combination of grouped values, or one value)
_MAX_JOIN = 20  # lines a quoted value may run over

Derive = Callable[[str], dict[str, str]]
Hook = Callable[[list[str], dict[str, Any], dict[str, Any]], None]


def report_from_name(filename: str) -> tuple[Report | None, str | None]:
    """The report a Shadowserver file name gives (and the name as written), per §1.2."""
    stem = filename.lower()
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    match = _DATE.search(stem)
    tokens = stem[match.end() :].split("-")[:1] if match else stem.split("-")
    for token in tokens:
        found = BY_NAME.get(token) or BY_NAME.get(ALIASES.get(token, ""))
        if found:
            return found, token
    return None, tokens[0] if match else None


def reports_from_header(columns: Sequence[str]) -> list[Report]:
    """The most specific of the reports whose signature columns are all in the header."""
    present = set(columns)
    matches = [r for r in REPORTS if r.signature and r.signature <= present]
    if not matches:
        return []
    best = max(len(r.signature) for r in matches)
    return [r for r in matches if len(r.signature) == best]


def _is_binary(text: str) -> bool:
    """``base.binary`` with a fast path for the usual all-printable line."""
    if text.isprintable():
        return False
    return "\x00" in text or len(_CONTROL.findall(text, 0, 512)) > 8


def _bad_line(number: int, text: str, reason: str) -> Record:
    if _is_binary(text):
        return Record(number, text, None, "binary data, not text")
    if len(text) > MAX_ROW_CHARS:
        return Record(
            number,
            text[:MAX_ROW_CHARS],
            None,
            f"row longer than {MAX_ROW_CHARS} characters ({len(text)})",
        )
    return Record(number, text, None, reason)


class Plan:
    """How one file's header maps to fields, built once per file.

    Columns fall in three groups: values copied as they are (``plain``: the row-identifying ones
    and most ``extra.*``), values checked one by one (``singles``: names and addresses, nearly
    unique per row), and the rest, low-cardinality descriptive values (severity, protocol, ASN,
    location, tag, …), whose fields are derived once per distinct combination and memoised
    together with the report's constants.
    """

    def __init__(self, report: Report, columns: list[str]) -> None:  # noqa: C901
        self.width = len(columns)
        index = {name: i for i, name in enumerate(columns)}
        layout = LAYOUTS[report.layout] | dict(report.columns)
        self.missing: list[str] = []
        self.required: list[int] = []
        keys = {"time.source", "source.ip", "source.port"}
        for need in report.required:
            found = [index[c] for c in need.split("|") if c in index]
            if found:
                self.required.append(found[0])
                keys.add(layout.get(columns[found[0]], ""))
            else:
                self.missing.append(need.replace("|", " or "))
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
        self.plain_get = _getter([i for i, _ in plain])
        self.group_get = _getter([i for i, _ in self.grouped])
        self.memos: list[dict[str, dict[str, str]]] = [{} for _ in self.grouped]
        # the report's constants; a protocol constant yields to a column giving the same field
        self.fixed: dict[str, str] = {"classification.type": report.type}
        if report.identifier:
            self.fixed["classification.identifier"] = report.identifier
        self.soft: dict[str, str] = {}
        for name, value in (
            ("protocol.application", report.application),
            ("protocol.transport", report.transport),
        ):
            if value:
                (self.soft if name in targets else self.fixed)[name] = value
        self.fixed = {name: sanitize_field(name, value) for name, value in self.fixed.items()}
        self.soft = {name: sanitize_field(name, value) for name, value in self.soft.items()}
        self.hooks: list[Hook] = []
        path = next((index[c] for c in ("http_url", "url") if c in index), None)
        if report.url and path is not None:
            host = index.get("http_host", index.get("cc_dns"))
            app = index.get("application")
            self.hooks.append(_url_hook(path, host, app, report.url))
        if layout.get("category") == "event_description.text" and "detail" in index:
            self.hooks.append(_category_or_detail(index["detail"]))

    def combine(self, values: tuple[str, ...]) -> dict[str, str]:
        """The fields of one combination of grouped values, the constants included."""
        fields = dict(self.soft)
        for (_, derive), memo, value in zip(self.grouped, self.memos, values, strict=True):
            if value:
                found = memo.get(value)
                if found is None:
                    if len(memo) >= _MEMO_LIMIT:
                        memo.clear()
                    found = memo[value] = derive(value)
                fields.update(found)
        fields.update(self.fixed)
        return fields


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


def _getter(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
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


class ShadowserverParser(Parser):
    """Every Shadowserver CSV report; ``options["report"]`` forces the report type."""

    name = "shadowserver"
    help = (
        "Shadowserver reports (CSV): scans, sinkhole events, compromised websites, blocklist, "
        "device id, malware URLs; report type from the file name, the header or option report"
    )
    provider = "Shadowserver"
    default_tlp = "AMBER"
    documentation = "https://www.shadowserver.org/what-we-do/network-reporting/"
    split_preamble = 1  # one header line, then rows that stand on their own (§1.3)

    def parse(self, source: Source) -> Iterator[Record]:
        lines = source.lines()
        first = next(((n, text) for n, text in lines if text.strip()), None)
        if first is None:
            return
        number, header_text = first
        try:
            header = next(csv.reader((header_text,), strict=True))
        except csv.Error as exc:
            reason = f"{source.name}: header line {number} is not valid CSV ({exc})"
            yield from _refuse(lines, reason)
            return
        columns = [c.strip().lower() for c in header]
        report, code, reason = self._report(source.name, columns)
        if report is None or code is None:
            yield from _refuse(lines, reason)
            return
        plan = Plan(report, columns)
        if plan.missing:
            missing = ", ".join(plan.missing)
            reason = f"missing column(s) {missing} required by Shadowserver report {code}"
            yield from _refuse(lines, reason)
            return
        yield from _records(lines, plan, header_text)

    def _report(self, filename: str, columns: list[str]) -> tuple[Report | None, str | None, str]:
        """The report to map the file with, the name it goes by, or why there is none."""
        forced = str(self.options.get("report") or "").strip().lower()
        if forced:
            report = BY_NAME.get(forced) or BY_NAME.get(ALIASES.get(forced, ""))
            if report is None:
                known = ", ".join(sorted(BY_NAME))
                return (
                    None,
                    None,
                    f"unknown Shadowserver report {forced!r} in option report; known: {known}",
                )
            return report, forced, ""
        report, token = report_from_name(filename)
        if report is not None:
            return report, token, ""
        candidates = reports_from_header(columns)
        if len(candidates) == 1:
            return candidates[0], candidates[0].name, ""
        told = f"its name says {token!r}, which is not a known report; " if token else ""
        if candidates:
            seen = "its header fits " + " and ".join(r.name for r in candidates) + " alike"
        else:
            seen = "its header matches no known report"
        return (
            None,
            None,
            (
                f"{filename}: unknown Shadowserver report ({told}{seen}); force the report type "
                f"with the parser option report=<type>, e.g. report=scan_telnet"
            ),
        )


Lines = Iterator[tuple[int, str]]


def _refuse(lines: Lines, reason: str) -> Iterator[Record]:
    """Every row of a file that cannot be mapped, quarantined with the same reason."""
    for number, text in lines:
        if text.strip():
            yield _bad_line(number, text, reason)


def _records(lines: Lines, plan: Plan, header_text: str) -> Iterator[Record]:  # noqa: C901
    """The rows after the header: the hot loop.

    A line in the usual all-quoted form is split on ``","`` (exact, as every quote in it is then
    a delimiter); any other line goes through the csv module. A quoted value that runs over line
    ends is joined with the following lines (at most ``_MAX_JOIN``) when the joined record has
    the header's width; otherwise only the line where it began is quarantined, and the lines
    read ahead are parsed again.
    """
    width, names, plain_get = plan.width, plan.plain_names, plan.plain_get
    group_get, singles, hooks, combine = plan.group_get, plan.singles, plan.hooks, plan.combine
    required = plan.required
    req_get = _getter(required)
    memo: dict[tuple[str, ...], dict[str, str]] = {}
    it: Lines = lines
    while True:
        for number, text in it:
            row: list[str] | None
            if len(text) > 1 and text[0] == '"' and text[-1] == '"':
                # Shadowserver's usual form: every value quoted, no quote inside a value
                row = text[1:-1].split('","')
                if text.count('"') != 2 * len(row):
                    row = None
            else:
                row = None
            if row is None:
                if not text.strip():
                    continue
                try:
                    row = next(csv.reader((text,), strict=True))
                except csv.Error as exc:
                    if "unexpected end of data" not in str(exc):
                        yield _bad_line(number, text, f"malformed CSV: {exc}")
                        continue
                    joined, row, ahead = _join(text, it, width)
                    if row is None:
                        yield _bad_line(number, text, "malformed CSV: unterminated quoted field")
                        it = chain(ahead, it)
                        break
                    text = joined
            if not text.isprintable() and _is_binary(text):
                yield Record(number, text, None, "binary data, not text")
                continue
            if len(text) > MAX_ROW_CHARS:
                yield _bad_line(number, text, "")
                continue
            if len(row) != width:
                reason = f"expected {width} columns, found {len(row)} (truncated or shifted row)"
                yield Record(number, text, None, reason)
                continue
            if text == header_text:
                continue  # a repeated header (reports joined together)
            if not all(req_get(row)):
                found = zip(plan.required_names, required, strict=True)
                reason = "empty value in required column(s): "
                yield Record(
                    number, text, None, reason + ", ".join(n for n, i in found if not row[i])
                )
                continue
            fields = {n: v for n, v in zip(names, plain_get(row), strict=True) if v}
            key = group_get(row)
            clean = memo.get(key)
            if clean is None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                clean = memo[key] = combine(key)
            if singles:
                clean = dict(clean)  # the memo's dict is shared between rows
                for i, derive in singles:
                    if row[i]:
                        clean.update(derive(row[i]))
            for hook in hooks:
                hook(row, fields, clean)
            yield Record(number, text, fields, clean=clean)
        else:
            return


def _join(
    text: str, lines: Lines, width: int
) -> tuple[str, list[str] | None, list[tuple[int, str]]]:
    """A record whose quoted value spans lines: the joined text and its fields, if it closes
    within ``_MAX_JOIN`` lines with the header's width; and the lines read ahead."""
    ahead: list[tuple[int, str]] = []
    for item in lines:
        ahead.append(item)
        text = f"{text}\n{item[1]}"
        if len(ahead) > _MAX_JOIN or len(text) > MAX_ROW_CHARS:
            break
        try:
            row = next(csv.reader((text,), strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                continue
            break
        return (text, row, ahead) if len(row) == width else (text, None, ahead)
    return text, None, ahead


PARSERS: list[type[Parser]] = [ShadowserverParser]
