"""Brute-force and attack lists: blocklist.de's per-service lists and DShield's ``block.txt``.

Formats as in docs/feeds.md:

- §5.1 blocklist.de: one IP address per line, no header and no time (``time.observation`` is the
  event's only time). The list is named by the file (``ssh.txt``, ``blocklistde-ssh.txt`` or
  ``2026-11-03_ssh.txt`` are all the ``ssh`` list); the option ``list`` overrides the file name.
  Each list sets ``classification.type``, ``protocol.application`` and a description after the
  reference's table (IntelMQ's mapping), except that the SSH list is ``brute-force`` rather than
  ``ids-alert``. A file whose name names no known list is read as ``all`` (``blacklist``), as
  IntelMQ does. A line holding a CIDR goes to ``source.network``; anything else to
  ``source.ip``, where the normalise stage refuses what is not an address.
- §5.2 DShield ``block.txt``: ``#`` comments, a tab-separated title row
  (``Start End Netblock|Netmask Attacks Name Country email``, recognised by its ``Start`` cell;
  a file without one is read in the order of the column legend), then the rows, mapped by the
  title's names as IntelMQ does: ``Start/Netblock`` → ``source.network``, ``Attacks`` →
  ``extra.attacks``, ``Name`` → ``extra.network_name`` (a network name, not an AS name),
  ``Country`` → ``source.geolocation.cc``, ``email`` → ``source.abuse_contact``; ``End`` is
  implied by the network; any other column → ``extra.<column>``. The ``# updated:`` comment
  gives every row's ``time.source``; when that comment cannot be read, its line is quarantined
  and the rows go on without a source time. The type is ``scanner``: the list ranks /24 networks
  by the number of targets that reported scans from them (IntelMQ says ``blacklist``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tocsin.errors import ConfigError
from tocsin.pipeline.parsers.base import Parser, Record, Source, csv_records, line_records

# list name → (classification.type, protocol.application or "", event_description.text)
BLOCKLISTDE_LISTS: dict[str, tuple[str, str, str]] = {
    "all": ("blacklist", "", "IP reported as attacking blocklist.de systems in the last 48 hours"),
    "ssh": ("brute-force", "ssh", "IP reported as having run attacks on the service SSH"),
    "mail": ("ids-alert", "smtp", "IP reported as having run attacks on the service Mail, Postfix"),
    "apache": (
        "ids-alert",
        "http",
        "IP reported as having run attacks on the service Apache, Apache-DDoS, RFI-Attacks",
    ),
    "imap": (
        "ids-alert",
        "imap",
        "IP reported as having run attacks on the service IMAP, SASL, POP3",
    ),
    "ftp": ("ids-alert", "ftp", "IP reported as having run attacks on the service FTP"),
    "sip": (
        "ids-alert",
        "sip",
        "IP reported as having run attacks on the service SIP, VOIP, Asterisk",
    ),
    "bots": (
        "spam",
        "",
        "IP reported as having spammed on IRC, open forums, wikis or registration forms.",
    ),
    "strongips": ("blacklist", "", "IP reported as having run attacks in last 2 months"),
    "ircbot": ("infected-system", "irc", "IP reported as an IRC bot"),
    "bruteforcelogin": (
        "brute-force",
        "",
        "IP reported as having run attacks on Joomlas, Wordpress and other Web-Logins "
        "with Brute-Force Logins",
    ),
}
_NAME_PARTS = re.compile(r"[-_.\s]+")


def blocklistde_list(file_name: str) -> str:
    """The blocklist.de list a file holds, from its name; ``all`` when the name names none."""
    name = file_name.lower()
    for suffix in (".gz", ".txt"):
        name = name.removesuffix(suffix)
    if name in BLOCKLISTDE_LISTS:
        return name
    for part in reversed(_NAME_PARTS.split(name)):
        if part in BLOCKLISTDE_LISTS:
            return part
    return "all"


class BlocklistDe(Parser):
    name = "blocklistde"
    help = "blocklist.de lists (ssh, mail, bots, strongips, …): one attacking IP per line"
    provider = "blocklist.de"
    default_type = "blacklist"
    default_tlp = "CLEAR"
    documentation = "https://www.blocklist.de/en/export.html"

    def parse(self, source: Source) -> Iterator[Record]:
        forced = self.options.get("list")
        if forced:
            list_name = str(forced).lower()
            if list_name not in BLOCKLISTDE_LISTS:
                known = ", ".join(BLOCKLISTDE_LISTS)
                raise ConfigError(f"unknown blocklist.de list {forced!r}; known lists: {known}")
        else:
            list_name = blocklistde_list(source.name)
        type_, application, text = BLOCKLISTDE_LISTS[list_name]
        template: dict[str, Any] = {"classification.type": type_, "event_description.text": text}
        if application:
            template["protocol.application"] = application

        def mapper(item: str) -> dict[str, Any]:
            fields = dict(template)
            fields["source.network" if "/" in item else "source.ip"] = item
            return fields

        return line_records(source, mapper)


_DSHIELD_COLUMNS: dict[str, str] = {
    "country": "source.geolocation.cc",
    "email": "source.abuse_contact",
    "name": "extra.network_name",
}
_UNKNOWN_COUNTRY = frozenset({"ZZ", "--"})
_DSHIELD_USED = frozenset({"start", "end", "netblock", "netmask", "attacks"})
# The column legend of the file, used only when a file has no title row.
DSHIELD_LEGEND = ["start", "end", "netblock", "attacks", "name", "country", "email"]


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def dshield_time(text: str) -> str:
    """``Wed May  1 06:00:15 2024 UTC`` as ISO 8601 UTC (no locale); ``ValueError`` otherwise."""
    words = text.split()
    if words and words[-1].upper() in ("UTC", "GMT"):
        words.pop()
    if len(words) != 5 or words[1][:3].lower() not in _MONTHS:
        raise ValueError("not a time like 'Wed May  1 06:00:15 2024 UTC'")
    month = _MONTHS[words[1][:3].lower()]
    try:
        hour, minute, second = (int(part) for part in words[3].split(":"))
        moment = datetime(int(words[4]), month, int(words[2]), hour, minute, second, tzinfo=UTC)
    except (ValueError, OverflowError):  # OverflowError: a year of 20 digits
        raise ValueError("not a time like 'Wed May  1 06:00:15 2024 UTC'") from None
    return moment.isoformat()


class DShieldBlock(Parser):
    name = "dshield"
    help = "DShield recommended block list (block.txt): the top attacking /24 networks"
    provider = "DShield"
    default_type = "scanner"
    default_tlp = "CLEAR"
    documentation = "https://www.dshield.org/block.txt"

    def parse(self, source: Source) -> Iterator[Record]:
        updated, header, unreadable = _dshield_preamble(source)
        yield from unreadable
        yield from csv_records(
            source,
            partial(_dshield_fields, updated=updated),
            required=("start",),
            header=header,
            comment="#",
            delimiter="\t",
        )


def _dshield_preamble(source: Source) -> tuple[str | None, list[str] | None, list[Record]]:
    """What the comments before the rows tell: the ``# updated:`` time, the column names when
    the file has no title row (else None), and the quarantined ``updated`` lines not read."""
    updated: str | None = None
    header: list[str] | None = None
    unreadable: list[Record] = []
    for number, text in source.lines():
        stripped = text.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            if "start" not in (cell.strip().lower() for cell in stripped.split("\t")):
                header = DSHIELD_LEGEND
            break
        value = _updated_comment(stripped)
        if value is not None and updated is None:
            try:
                updated = dshield_time(value)
            except ValueError:
                reason = f"unreadable 'updated' time: {value.strip()!r}"
                unreadable.append(Record(number, text, None, reason))
    return updated, header, unreadable


def _updated_comment(comment: str) -> str | None:
    """The value of a ``# updated: <time>`` comment; None for any other comment."""
    label, colon, value = comment.lstrip("#").partition(":")
    return value if colon and label.strip().lower() == "updated" else None


def _dshield_fields(row: dict[str, str], updated: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"source.network": _dshield_network(row)}
    if updated:
        fields["time.source"] = updated
    attacks = row.get("attacks", "").strip()
    if attacks:
        if not attacks.isdigit():
            raise ValueError(f"attacks: {attacks!r}: expected a whole number")
        fields["extra.attacks"] = int(attacks)
    _dshield_other_columns(row, fields)
    return fields


def _dshield_network(row: dict[str, str]) -> str:
    """``Start/Netblock`` (or ``Start/Netmask``): the /24 the row ranks."""
    start = row["start"].strip()
    size = (row.get("netblock") or row.get("netmask") or "").strip()
    if not start:
        raise KeyError("start")
    if not size:
        raise ValueError("no prefix length (the Netblock or Netmask column is empty)")
    return f"{start}/{size}"


def _dshield_other_columns(row: dict[str, str], fields: dict[str, Any]) -> None:
    """Name, Country, email and any column the title adds; ``End`` is implied by the network."""
    for column, value in row.items():
        if column not in _DSHIELD_USED:
            value = value.strip()
            if column == "country" and value.upper() in _UNKNOWN_COUNTRY:
                continue  # DShield writes ZZ (or --) for "unknown": no country at all
            if value:
                fields[_DSHIELD_COLUMNS.get(column) or f"extra.{column}"] = value


PARSERS: list[type[Parser]] = [BlocklistDe, DShieldBlock]
