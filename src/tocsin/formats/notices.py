"""What a notice carries: its events as a CSV table and as XARF v4 reports.

Both say what the recipient needs to find and fix the host, and nothing a feed happened to add.
**The personal-data rule:** only the fields named here are ever written — the CSV's
``CSV_COLUMNS`` (IntelMQ ``smtp_batch``'s default fields, without ``raw``) and the XARF fields
built below. So ``raw`` (the feed's own line, which can hold anyone's data), every ``extra.*``
field (feed columns nobody has vetted), ``comment``, ``source.account``, the ``destination``
addresses (the victim of an attack may be a private person) and the ``tocsin.*`` fields never
leave, whatever an event holds.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import NAMESPACE_DNS, uuid5

import orjson

from tocsin.errors import InvalidValue
from tocsin.model.event import Event, fingerprint

# (field, English header, French header), in the order of the columns
CSV_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("time.source", "time (UTC)", "heure (UTC)"),  # time.observation when the feed gives none
    ("source.ip", "address", "adresse"),
    ("source.port", "port", "port"),
    ("source.network", "network", "réseau"),
    ("source.asn", "ASN", "ASN"),
    ("source.fqdn", "host name", "nom d'hôte"),
    ("source.url", "URL", "URL"),
    ("source.geolocation.cc", "country", "pays"),
    ("classification.taxonomy", "class", "classe"),
    ("classification.type", "type", "type"),
    ("classification.identifier", "identifier", "identifiant"),
    ("malware.name", "malware", "logiciel malveillant"),
    ("protocol.transport", "protocol", "protocole"),
    ("protocol.application", "application", "application"),
    ("destination.port", "destination port", "port de destination"),
    ("event_description.text", "description", "description"),
    ("feed.name", "feed", "flux"),
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def events_csv(events: Sequence[Event], lang: str = "en") -> bytes:
    """The events as UTF-8 CSV (RFC 4180), a header row in ``lang`` (French or else English)."""
    french = lang.strip().lower().replace("_", "-").partition("-")[0] == "fr"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fr if french else en for _, en, fr in CSV_COLUMNS)
    for event in events:
        writer.writerow(_cell(event, name) for name, _, _ in CSV_COLUMNS)
    return out.getvalue().encode("utf-8")


def _cell(event: Event, name: str) -> str:
    value = event.get(name)
    if name == "time.source":
        value = (value or event.get("time.observation") or "").replace("T", " ")
        value = value.removesuffix("+00:00")
    return safe_cell(value)


def safe_cell(value: Any) -> str:
    """A CSV cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# ---- XARF v4 (xarf/xarf-spec, schemas/v4; the version the "xarf" package ships) ----

XARF_VERSION = "4.2.0"
Fields = dict[str, Any]
Builder = Callable[[Event, str], Fields | None]  # (event, source identifier) → type's fields


@dataclass(frozen=True, slots=True)
class Reporter:
    """The team that files the reports: its name, abuse contact address and domain."""

    org: str
    contact: str
    domain: str

    def as_xarf(self) -> dict[str, str]:
        return {"org": self.org, "contact": self.contact, "domain": self.domain}


Describe = Callable[[Event], str]  # an event without a description of its own, in words


def xarf_reports(
    events: Sequence[Event], *, reporter: Reporter, describe: Describe | None = None
) -> list[dict[str, Any]]:
    """One XARF v4 report per event; the team is both its reporter and its sender. An event
    without ``event_description.text`` is described by ``describe`` (a notice passes its
    language's words), else in English."""
    return [_report(event, reporter, describe or _described) for event in events]


def xarf_json(report: Mapping[str, Any]) -> bytes:
    """One XARF v4 document: a single report object, which is all a XARF reader accepts (the
    reference parser refuses a JSON array)."""
    return orjson.dumps(dict(report), option=orjson.OPT_INDENT_2)


def xarf_files(reports: Sequence[Mapping[str, Any]]) -> list[tuple[str, bytes]]:
    """The notice's XARF attachments: one file per report, ``xarf-1.json``, ``xarf-2.json``…
    (numbered with as many digits as the last, so that they sort in the order of the events)."""
    width = len(str(len(reports)))
    return [(f"xarf-{n:0{width}d}.json", xarf_json(r)) for n, r in enumerate(reports, 1)]


def _report(event: Event, reporter: Reporter, describe: Describe) -> dict[str, Any]:
    source = _source_identifier(event)
    category, type_, fields = _classify(event, source)
    contact = reporter.as_xarf()
    report: dict[str, Any] = {
        "xarf_version": XARF_VERSION,
        # uuid5: a resend of the same event carries the same id; the team's domain keeps it apart
        # from another team's report of the same observation.
        "report_id": str(uuid5(uuid5(NAMESPACE_DNS, reporter.domain), _fingerprint(event))),
        "timestamp": _when(event),
        "reporter": contact,
        "sender": dict(contact),
        "source_identifier": source,
        "category": category,
        "type": type_,
    }
    if _port(event.get("source.port")):
        report["source_port"] = event["source.port"]
    evidence = _EVIDENCE.get((category, type_), "threat_intelligence")
    if evidence:
        report["evidence_source"] = evidence
    if (accuracy := event.get("feed.accuracy")) is not None:
        report["confidence"] = round(float(accuracy) / 100, 4)
    summary = _summary(event, describe)
    report["description"] = summary[:1000]
    report["tags"] = _tags(event)
    report.update(fields)
    if "compromise_evidence" in report:
        report["compromise_evidence"] = summary
    return report


def _source_identifier(event: Event) -> str:
    for name in ("source.ip", "source.fqdn", "source.url", "source.network"):
        if value := event.get(name):
            return str(value)
    if asn := event.get("source.asn"):
        return f"AS{asn}"
    raise InvalidValue("source.ip", None, "nothing identifies the source to report")


def _fingerprint(event: Event) -> str:
    return str(event.get("tocsin.fingerprint") or fingerprint(event))


def _when(event: Event) -> str:
    moment = event.get("time.source") or event.get("time.observation")
    if not moment:
        raise InvalidValue("time.observation", None, "an event without a time cannot be reported")
    text = str(moment)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _summary(event: Event, describe: Describe) -> str:
    if text := event.get("event_description.text"):
        return str(text)
    return describe(event)


def _described(event: Event) -> str:
    what = str(event.get("classification.type", "undetermined")).replace("-", " ")
    return f"{what} reported by {event.get('feed.name') or 'a data feed'}"


def _port(value: Any) -> bool:
    return isinstance(value, int) and 1 <= value <= 65535


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_NOT_TAG = re.compile(r"[^a-z0-9_+-]+")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SUB_DELIMS = "!$&'()*+,;="
_PCHAR = _SUB_DELIMS + ":@%"


def _tags(event: Event) -> list[str]:
    pairs = (
        ("rsit", event.get("classification.type")),
        ("malware", event.get("malware.name")),
        ("feed", event.get("feed.name")),
        ("tlp", event.get("tlp")),
    )
    tags = []
    for namespace, value in pairs:
        predicate = _NOT_TAG.sub("-", str(value or "").lower()).lstrip("_+-")
        if predicate:
            tags.append(f"{namespace}:{predicate}")
    return tags


# ---- from an RSIT type to a XARF category and type ----
#
# Each RSIT type names the XARF types that fit it, best first; a builder returns that type's
# fields, or None when the event lacks something the XARF schema requires (a transport protocol,
# the source port of an IP — XARF needs it behind CGNAT —, a URL…): nothing is invented to fill a
# gap. When no listed type fits, and for every RSIT type not listed, the report is
# ``reputation/threat_intelligence`` with the RSIT type as its ``threat_type``: true of every
# event a feed gives us, and what a receiver's automation files as "look at this host".


def _connection(event: Event, source: str) -> Fields | None:
    protocol = event.get("protocol.transport")
    if protocol not in {"tcp", "udp", "icmp", "sctp"}:
        return None
    if _is_ip(source) and not _port(event.get("source.port")):
        return None
    return {"protocol": protocol, "first_seen": _when(event), **_destination_port(event)}


def _attempts(event: Event, source: str) -> Fields | None:
    protocol = event.get("protocol.transport")
    if protocol not in {"tcp", "udp", "icmp"}:
        return None
    found = {"scan_type": "vulnerability_scan", "protocol": protocol, "first_seen": _when(event)}
    if _port(port := event.get("destination.port")):
        found["targeted_ports"] = [port]
    return found


def _destination_port(event: Event) -> Fields:
    port = event.get("destination.port")
    return {"destination_port": port} if _port(port) else {}


def _botnet(event: Event, source: str) -> Fields:
    found: Fields = {"compromise_evidence": _summary(event, _described)}  # worded by _report
    if malware := event.get("malware.name"):
        found["malware_family"] = str(malware)[:200]
    if event.get("classification.type") == "c2-server":
        found["c2_server"] = source
    return found


def _service(event: Event, source: str) -> Fields | None:
    service = event.get("protocol.application") or event.get("classification.identifier")
    return {"service": str(service)} if service else None


def _content(event: Event, source: str) -> Fields | None:
    url = event.get("source.url")
    if not url:
        return None
    found: Fields = {"url": _as_uri(str(url))}
    if asn := event.get("source.asn"):
        found["asn"] = asn
    if country := event.get("source.geolocation.cc"):
        found["country_code"] = country
    return found


def _as_uri(url: str) -> str:
    """A sanitised URL may still hold non-ASCII, or characters a URI forbids: escape them,
    part by part (RFC 3986 allows different characters in each)."""
    parts = urlsplit(_STRAY_PERCENT.sub("%25", url))
    userinfo, at, host = parts.netloc.rpartition("@")
    return urlunsplit(
        (
            parts.scheme,
            quote(userinfo, safe=_SUB_DELIMS + ":%") + at + host,
            quote(parts.path, safe=_PCHAR + "/"),
            quote(parts.query, safe=_PCHAR + "/?"),
            quote(parts.fragment, safe=_PCHAR + "/?"),
        )
    )


def _malware(event: Event, source: str) -> Fields | None:
    found = _content(event, source)
    if found is None:
        return None
    if malware := event.get("malware.name"):
        found["malware_family"] = str(malware)
    hashes = {k: event.get(f"malware.hash.{k}") for k in ("md5", "sha1", "sha256")}
    if present := {k: v for k, v in hashes.items() if v}:
        found["file_hashes"] = present
    return found


def _compromised_site(kind: str) -> Builder:
    def build(event: Event, source: str) -> Fields | None:
        found = _content(event, source)
        return None if found is None else {**found, "compromise_type": kind}

    return build


def _compromised_server(event: Event, source: str) -> Fields:
    return {"compromise_method": "unknown"}


def _spam(event: Event, source: str) -> Fields | None:
    # XARF's protocol "smtp" requires the envelope sender, which Tocsin never holds (it is someone's
    # address, or forged): such spam falls back. "other" is a channel the feed does not name.
    application = str(event.get("protocol.application") or "")
    if application in {"smtp", "smtps", "submission"}:
        return None
    return {"protocol": {"irc": "chat", "xmpp": "chat", "sms": "sms"}.get(application, "other")}


def _copyright(event: Event, source: str) -> Fields | None:
    found = _content(event, source)
    return None if found is None else {"infringing_url": found["url"]}


def _threat(event: Event, source: str) -> Fields:
    return {"threat_type": str(event.get("classification.type") or "undetermined")}


_SERVICE = (("vulnerability", "open_service", _service),)
_MISCONFIGURED = (("vulnerability", "misconfiguration", _service),)
_COMPROMISE = (
    ("content", "remote_compromise", _compromised_site("other")),
    ("infrastructure", "compromised_server", _compromised_server),
)
XARF_TYPES: dict[str, tuple[tuple[str, str, Builder], ...]] = {
    "infected-system": (("infrastructure", "botnet", _botnet),),
    "c2-server": (("infrastructure", "botnet", _botnet),),
    "malware-distribution": (("content", "malware", _malware),),
    "scanner": (("connection", "port_scan", _connection),),
    "brute-force": (("connection", "login_attack", _connection),),
    "ids-alert": (("connection", "vulnerability_scan", _attempts),),
    "exploit": (("connection", "vulnerability_scan", _attempts),),
    "dos": (("connection", "ddos", _connection),),
    "ddos": (("connection", "ddos", _connection),),
    "ddos-amplifier": _SERVICE,
    "potentially-unwanted-accessible": _SERVICE,
    "vulnerable-system": _SERVICE,
    "weak-crypto": _MISCONFIGURED,
    "misconfiguration": _MISCONFIGURED,
    "information-disclosure": _MISCONFIGURED,
    "system-compromise": _COMPROMISE,
    "application-compromise": _COMPROMISE,
    "unauthorised-information-modification": (
        ("content", "remote_compromise", _compromised_site("defacement")),
    ),
    "phishing": (("content", "phishing", _content),),
    "copyright": (("copyright", "copyright", _copyright),),
    "spam": (("messaging", "spam", _spam),),
    "blacklist": (("reputation", "blocklist", _threat),),
}
# evidence_source where the type's schema restricts it; None: no allowed value is true of a feed
_EVIDENCE: dict[tuple[str, str], str | None] = {
    ("messaging", "spam"): "reputation_feed",
    ("vulnerability", "open_service"): "vulnerability_scan",
    ("vulnerability", "misconfiguration"): "vulnerability_scan",
    ("connection", "ddos"): None,
}


def _classify(event: Event, source: str) -> tuple[str, str, Fields]:
    type_ = str(event.get("classification.type") or "")
    for category, xarf_type, build in XARF_TYPES.get(type_, ()):
        found = build(event, source)
        if found is not None:
            return category, xarf_type, found
    return "reputation", "threat_intelligence", _threat(event, source)
