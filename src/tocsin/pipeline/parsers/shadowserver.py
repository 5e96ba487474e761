"""Shadowserver reports (CSV): one table-driven parser for every report type.

Format: docs/feeds.md §1 — file names (§1.2), CSV conventions (§1.3), the legacy
drone format (§1.4), the common columns (§1.5), each report's classification, protocol and columns
(§1.6) — and the Shadowserver → IntelMQ field conventions of §8. As in IntelMQ's Shadowserver
parser, a report type is one entry of ``REPORTS``: adding one means adding a line there.

The report type comes from the option ``report``, else from the file name
(``2024-05-01-scan_telnet-nl-geo.csv``, also with a prefix, without the date, or an IPv6 or legacy
name), else from the header columns only that report has. The columns are mapped by name, once per
file, into a ``Plan`` (``shadowserver_plan``); each row is then a split, a dict comprehension and
a memo lookup (``shadowserver_rows``). Rows are read with ``Source.lines`` and stand on their own
after the header, so the runner may cut a large report between processes (``split_preamble``).

Only the row-identifying values (timestamp, address and port; the URL of ``malware_url``) can
quarantine a row, in the normalise stage. A descriptive value that fails its field's type (an odd
``hostname``, a ``geo`` that is no country) is kept as ``extra.<column>`` instead; an ``asn`` or
``naics`` of ``0`` and an ``"unknown"`` sector count as absent. A report neither named nor
recognised quarantines every row, saying how to force the type.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence

from tocsin.pipeline.parsers.base import Parser, Record, Source
from tocsin.pipeline.parsers.shadowserver_plan import Plan
from tocsin.pipeline.parsers.shadowserver_reports import (
    ALIASES,
    BY_NAME,
    LAYOUTS,
    REPORTS,
    Report,
)
from tocsin.pipeline.parsers.shadowserver_rows import records, refuse

__all__ = [
    "ALIASES",
    "BY_NAME",
    "LAYOUTS",
    "PARSERS",
    "REPORTS",
    "ShadowserverParser",
    "report_from_name",
    "reports_from_header",
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}-")


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
            yield from refuse(lines, reason)
            return
        columns = [c.strip().lower() for c in header]
        report, code, reason = self._report(source.name, columns)
        if report is None or code is None:
            yield from refuse(lines, reason)
            return
        plan = Plan(report, columns)
        if plan.missing:
            missing = ", ".join(plan.missing)
            reason = f"missing column(s) {missing} required by Shadowserver report {code}"
            yield from refuse(lines, reason)
            return
        yield from records(lines, plan, header_text)

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


PARSERS: list[type[Parser]] = [ShadowserverParser]
